import Domain
import ProtoMessages

extension Caller {
    /// The caller as events record it (§7: "who has made the change", §11).
    public var actor: Recs_Common_V1_Actor {
        var actor = Recs_Common_V1_Actor()
        switch self {
        case .anonymous:
            actor.kind = .unspecified
        case .user(let user, _):
            actor.kind = user.isAdministrator ? .registryAdministrator : .user
            actor.id = user.userID
            actor.organizationId = user.organizationID
        case .service(let service, _):
            actor.kind = .service
            actor.id = service.rawValue
        case .partner(let system, _):
            actor.kind = .partnerSystem
            actor.id = system
        }
        return actor
    }

    /// Decides with the policy and throws the refusal as a status (PERMISSION_DENIED or
    /// UNAUTHENTICATED with the rule and section in `recs-error-details-bin`).
    public func authorize(_ action: AccessAction, on target: AccessTarget) throws {
        if case .refused(let violation) = AccessPolicy.decide(self, action, target) {
            throw ServiceErrors.status(violation)
        }
    }
}
