/// What a caller asks to do, by capability rather than by method: every RPC of the four services
/// maps to one action (and, where it acts on a record, a target), so the rules of §7 are written
/// once here and nowhere else.
public enum AccessAction: Sendable, Hashable {
    /// Public reports and directories (Operating Rules §19.2): every active login of any organization.
    case readPublic
    /// The caller's own identity and API keys.
    case manageOwnCredentials
    /// A service's event feed: the peer services that follow it and the administrator (§11).
    case readFeed
    /// View an account's records: every active login of the organization (§7.1, View Only and up),
    /// program administrators it granted access to (§19.3.2), the administrator (§7).
    case viewAccount
    /// Change the account's registration data, create and maintain subaccounts and aliases (§7.1,
    /// Account Maintenance and up).
    case maintainAccount
    /// Create a login at `level` (§7.1, §7.2.1, §7.2.2): the Manager or a Supervisor.
    case createUser(level: AccessLevel)
    /// Change or revoke the access of a login whose level is now `level` (§7.1): the Manager; a
    /// Supervisor only for lower levels.
    case changeUser(level: AccessLevel)
    /// Terminate the account (§5.2.1, §7.1: the Account Manager alone; the administrator acts on
    /// the holder's written request).
    case terminateAccount
    /// Generating units and their generation: register and update units, accept or dispute data,
    /// fuel allocations (§7.1 "Generation Management", per unit).
    case manageGeneration
    /// Transfer, retire, reserve, export (§7.1 "Certificate Management and Maintenance", per
    /// subaccount).
    case manageCertificates
    /// Upload meter data for units that designated the caller's organization (§10, Appendix D
    /// Table 27).
    case reportGeneration
    /// Serial number look-up (§20): the holder, program administrators it granted, the administrator.
    case lookUpSerials
    /// A program administrator's own acts on its programs (Appendix C, §5.3.2).
    case administerProgram
    /// The registry administrator's own acts: approvals, suspensions, corrections, forced
    /// retirement, withdrawals, the test clock (§3, §13, §16.2, §18.3).
    case administer
    /// A call between the services of this deployment, from one of `services` only.
    case serviceCall(Set<PeerService>)
    /// The exchange methods offered to compatible tracking systems (§17, M-RETS §4.6.2, §4.6.5).
    case partnerExchange
}

/// The record an action touches, as far as authorization needs to know it.
public struct AccessTarget: Sendable, Hashable {
    /// The organization whose account is acted on.
    public var organizationID: String?
    /// The subaccount acted on (Certificate Management is granted per subaccount, §7).
    public var subaccountID: String?
    /// The generating unit acted on (Generation Management is granted per unit, §7).
    public var generatingUnitID: String?
    /// Program administrators the account granted access to (§19.3.2, §20).
    public var programAdministrators: Set<String>
    /// The organization designated to report the unit's generation (§10, Table 27).
    public var reportingEntity: String?

    public init(
        organizationID: String? = nil, subaccountID: String? = nil, generatingUnitID: String? = nil,
        programAdministrators: Set<String> = [], reportingEntity: String? = nil
    ) {
        self.organizationID = organizationID
        self.subaccountID = subaccountID
        self.generatingUnitID = generatingUnitID
        self.programAdministrators = programAdministrators
        self.reportingEntity = reportingEntity
    }
}

public enum AccessDecision: Sendable, Hashable {
    case allowed
    case refused(RuleViolation)

    public var isAllowed: Bool { self == .allowed }

    /// Throws the refusal.
    public func check() throws(RuleViolation) {
        if case .refused(let violation) = self { throw violation }
    }
}

/// The one authorization policy of the registry: (caller, action, target) → allowed, or refused
/// with the rule and its section. Pure: the services resolve the target, this decides.
///
/// Services ask twice: ``admits(_:_:)`` at the interception point, before a handler runs, with what
/// the call alone shows (who, which action); then ``decide(_:_:_:)`` inside the use case, once the
/// target is known. A caller admitted by the first may still be refused by the second (another
/// organization's subaccount); one refused by the first is refused by every target.
public enum AccessPolicy {
    /// Could some target allow `caller` to perform `action`?
    public static func admits(_ caller: Caller, _ action: AccessAction) -> AccessDecision {
        decide(caller, action, nil)
    }

    /// May `caller` perform `action` on `target`?
    public static func decide(_ caller: Caller, _ action: AccessAction, _ target: AccessTarget) -> AccessDecision {
        decide(caller, action, Optional(target))
    }

    private static func decide(_ caller: Caller, _ action: AccessAction, _ target: AccessTarget?) -> AccessDecision {
        switch caller {
        case .anonymous:
            return .refused(Refusal.notAuthenticated)
        case .service(let service, _):
            switch action {
            case .serviceCall(let allowed) where allowed.contains(service): return .allowed
            case .readFeed: return .allowed
            default: return .refused(Refusal.notForServices(service))
            }
        case .partner(let system, _):
            if action == .partnerExchange { return .allowed }
            return .refused(Refusal.notForPartners(system))
        case .user(let user, _):
            return decide(user, action, target)
        }
    }

    private static func decide(_ user: UserPrincipal, _ action: AccessAction, _ target: AccessTarget?) -> AccessDecision {
        switch user.status {
        case .active: break
        case .pendingApproval: return .refused(Refusal.agentNotApproved)
        case .rejected, .disabled: return .refused(Refusal.userNotActive(user.status))
        }
        switch action {
        case .readPublic, .manageOwnCredentials:
            return .allowed
        case .serviceCall:
            return .refused(Refusal.servicesOnly)
        case .partnerExchange:
            return .refused(Refusal.partnersOnly)
        case .readFeed:
            return user.isAdministrator ? .allowed : .refused(Refusal.administratorOnly("event feeds"))
        case .administer:
            guard user.isAdministrator else { return .refused(Refusal.administratorOnly("this act")) }
            return user.level.atLeast(.maintenance) ? .allowed : .refused(Refusal.levelTooLow(user.level, needs: .maintenance))
        case .administerProgram:
            guard user.organizationRole == .programAdministrator else { return .refused(Refusal.programAdministratorsOnly) }
            guard user.level.atLeast(.maintenance) else { return .refused(Refusal.levelTooLow(user.level, needs: .maintenance)) }
            return ownOrganization(user, target)
        case .reportGeneration:
            // Appendix D §6.1: the administrator also loads generation files, for any unit (it is
            // nobody's designated reporting entity and names units by their registry ids).
            if user.isAdministrator {
                return user.level.atLeast(.maintenance) ? .allowed : .refused(Refusal.levelTooLow(user.level, needs: .maintenance))
            }
            guard user.organizationRole == .reportingEntity || user.organizationRole == .accountHolder else {
                return .refused(Refusal.reportingEntitiesOnly)
            }
            guard user.level.atLeast(.maintenance) else { return .refused(Refusal.levelTooLow(user.level, needs: .maintenance)) }
            // Table 27: only the unit's designated reporting entity reports; a unit that designated
            // nobody is reported by nobody (a self-reporting unit designates its own organization).
            if let target, target.reportingEntity != user.organizationID {
                return .refused(Refusal.notDesignated(user.organizationID))
            }
            return .allowed
        case .viewAccount, .lookUpSerials:
            if user.isAdministrator { return .allowed }
            if user.organizationRole == .programAdministrator {
                guard let target else { return .allowed }
                if target.organizationID == user.organizationID || target.programAdministrators.contains(user.organizationID)
                    || target.organizationID.map(user.accessGrantedBy.contains) == true
                {
                    return .allowed
                }
                return .refused(Refusal.programAccessNotGranted(user.organizationID))
            }
            return ownOrganization(user, target)
        case .maintainAccount:
            if user.isAdministrator { return user.level.atLeast(.maintenance) ? .allowed : .refused(Refusal.levelTooLow(user.level, needs: .maintenance)) }
            guard user.level.atLeast(.maintenance) else { return .refused(Refusal.levelTooLow(user.level, needs: .maintenance)) }
            return ownOrganization(user, target)
        case .createUser(let level):
            if user.isAdministrator { return user.level.atLeast(.supervisor) ? .allowed : .refused(Refusal.levelTooLow(user.level, needs: .supervisor)) }
            guard user.level.atLeast(.supervisor) else { return .refused(Refusal.levelTooLow(user.level, needs: .supervisor)) }
            guard level != .manager else { return .refused(Refusal.oneManager) }
            return ownOrganization(user, target)
        case .changeUser(let level):
            if user.isAdministrator { return user.level.atLeast(.supervisor) ? .allowed : .refused(Refusal.levelTooLow(user.level, needs: .supervisor)) }
            guard user.level.atLeast(.supervisor) else { return .refused(Refusal.levelTooLow(user.level, needs: .supervisor)) }
            // §7.1: Supervisors may not revoke the Manager's or another Supervisor's access.
            if user.level == .supervisor, level.atLeast(.supervisor) { return .refused(Refusal.managerOnly("change a Supervisor or the Manager")) }
            return ownOrganization(user, target)
        case .terminateAccount:
            if user.isAdministrator { return user.level.atLeast(.maintenance) ? .allowed : .refused(Refusal.levelTooLow(user.level, needs: .maintenance)) }
            guard user.level == .manager else { return .refused(Refusal.managerOnly("terminate the account")) }
            return ownOrganization(user, target)
        case .manageGeneration:
            return permitted(user, .generationManagement, target)
        case .manageCertificates:
            return permitted(user, .certificateManagement, target)
        }
    }

    /// §7.1: the Manager and Supervisors hold every permission of their account; Account
    /// Maintenance users act only where the Manager granted the optional permission, for the whole
    /// account or the one unit or subaccount (§7, §7.3); View Only users change nothing.
    private static func permitted(_ user: UserPrincipal, _ category: PermissionCategory, _ target: AccessTarget?) -> AccessDecision {
        guard user.organizationRole == .accountHolder else { return .refused(Refusal.accountHoldersOnly(category)) }
        switch user.level {
        case .manager, .supervisor:
            return ownOrganization(user, target)
        case .viewOnly:
            return .refused(Refusal.levelTooLow(.viewOnly, needs: .maintenance))
        case .maintenance:
            let granted = user.grants.filter { $0.category == category }
            guard !granted.isEmpty else { return .refused(Refusal.permissionNotGranted(category, scope: nil)) }
            let owner = ownOrganization(user, target)
            guard owner.isAllowed, let target else { return owner }
            let covered = granted.contains { grant in
                switch grant.scope {
                case .account: true
                case .generatingUnit(let unit): target.generatingUnitID == unit
                case .subaccount(let subaccount): target.subaccountID == subaccount
                }
            }
            if covered { return .allowed }
            return .refused(Refusal.permissionNotGranted(category, scope: target.subaccountID ?? target.generatingUnitID))
        }
    }

    /// A user acts on its own organization's account only (§7.3).
    private static func ownOrganization(_ user: UserPrincipal, _ target: AccessTarget?) -> AccessDecision {
        guard let owner = target?.organizationID else { return .allowed }
        return owner == user.organizationID ? .allowed : .refused(Refusal.otherOrganization(owner))
    }
}

/// The refusals of ``AccessPolicy``, each with its rule and section.
enum Refusal {
    static let access = "Operating Rules §7, §11"

    static let notAuthenticated = RuleViolation(
        .notAuthenticated, "the call carries no credential: send `authorization: Bearer <API key>`", section: "Operating Rules §11")

    static func notForServices(_ service: PeerService) -> RuleViolation {
        RuleViolation(.notForThisCaller, "the \(service.rawValue) service may not call this method", section: "Operating Rules §11")
    }

    static func notForPartners(_ system: String) -> RuleViolation {
        RuleViolation(
            .notForThisCaller, "tracking system \(system) may call the exchange methods only",
            section: "Operating Rules §17; M-RETS §4.6.2")
    }

    static let servicesOnly = RuleViolation(
        .notForThisCaller, "only the registry's own services may call this method", section: "Operating Rules §11")
    static let partnersOnly = RuleViolation(
        .notForThisCaller, "only compatible tracking systems may call this method", section: "Operating Rules §17; M-RETS §4.6.2")

    static let agentNotApproved = RuleViolation(
        .agentNotApproved, "this agent login acts only once the registry administrator has approved it",
        section: "Operating Rules §7.2.1")

    static func userNotActive(_ status: UserStatus) -> RuleViolation {
        RuleViolation(.userNotActive, "this login is \(status.rawValue.replacingOccurrences(of: "_", with: " "))", section: "Operating Rules §7.2")
    }

    static func administratorOnly(_ what: String) -> RuleViolation {
        RuleViolation(.administratorOnly, "only the registry administrator may use \(what)", section: "Operating Rules §3, §7")
    }

    static func levelTooLow(_ level: AccessLevel, needs: AccessLevel) -> RuleViolation {
        RuleViolation(
            .accessLevelTooLow, "a \(name(level)) login may not do this; it needs \(name(needs)) access or above",
            section: "Operating Rules §7.1")
    }

    static let oneManager = RuleViolation(
        .accessLevelTooLow, "there is only one Account Manager; the administrator names it (SetAccountManager)",
        section: "Operating Rules §7.1")

    static func managerOnly(_ what: String) -> RuleViolation {
        RuleViolation(.accessLevelTooLow, "only the Account Manager may \(what)", section: "Operating Rules §7.1")
    }

    static func otherOrganization(_ owner: String) -> RuleViolation {
        RuleViolation(.otherOrganization, "the record belongs to organization \(owner), not the caller's", section: "Operating Rules §7.3")
    }

    static func permissionNotGranted(_ category: PermissionCategory, scope: String?) -> RuleViolation {
        let name = category == .generationManagement ? "Generation Management" : "Certificate Management"
        let place = scope.map { " for \($0)" } ?? ""
        return RuleViolation(
            .permissionNotGranted, "this login has no \(name) permission\(place)", section: "Operating Rules §7.1, §7.3")
    }

    static func accountHoldersOnly(_ category: PermissionCategory) -> RuleViolation {
        let name = category == .generationManagement ? "generating units" : "certificates"
        return RuleViolation(.notForThisCaller, "only account holders manage \(name)", section: "Operating Rules §5.2, §7.1")
    }

    static let reportingEntitiesOnly = RuleViolation(
        .notForThisCaller, "only Qualified Reporting Entities (and self-reporting account holders) upload generation data",
        section: "Operating Rules §10; Appendix D Table 27")

    static func notDesignated(_ organization: String) -> RuleViolation {
        RuleViolation(
            .wrongParty, "organization \(organization) is not the unit's designated reporting entity",
            section: "Operating Rules §10; Appendix D Table 27")
    }

    static let programAdministratorsOnly = RuleViolation(
        .notForThisCaller, "only program administrators act on their programs", section: "Appendix C; Operating Rules §5.3.2")

    static func programAccessNotGranted(_ organization: String) -> RuleViolation {
        RuleViolation(
            .programAccessNotGranted, "the account has not granted program administrator \(organization) access",
            section: "Operating Rules §19.3.2, §20")
    }

    static func name(_ level: AccessLevel) -> String {
        switch level {
        case .manager: "Account Manager"
        case .supervisor: "Account Supervisor"
        case .maintenance: "Account Maintenance"
        case .viewOnly: "Account View Only"
        }
    }
}
