import Foundation
import Domain
import GRPCWire
import RPC

/// What a method requires of its caller: nothing (health, reflection), or an action of the
/// authorization policy. Every method of every hosted service has one (``AccessRules``); a method
/// without one is never served.
public enum MethodAccess: Sendable, Hashable {
    /// Open to anybody, anonymous included: health and reflection only.
    case open
    /// The caller must be admitted for this action (``AccessPolicy/admits(_:_:)``); the use case
    /// then decides on the target it acts on (``AccessPolicy/decide(_:_:_:)``).
    case requires(AccessAction)
    /// Admitted for any one of these actions: a partner system's exchange method that the
    /// administrator may also answer on its behalf (§17.1), a holder's act the administrator may
    /// also do (§15.4, Appendix C §5.1). The use case decides which applies.
    case requiresAny([AccessAction])
}

/// A service's table of access rules, by method name as written in the proto.
public struct AccessRules: Sendable {
    public let service: String
    public let methods: [String: MethodAccess]

    public init(service: String, methods: [String: MethodAccess]) {
        self.service = service
        self.methods = methods
    }

    /// Health and reflection: open to all (an orchestrator probes health before it has a key).
    public static let standard: [AccessRules] = [
        AccessRules(service: "grpc.health.v1.Health", methods: ["Check": .open, "Watch": .open]),
        AccessRules(service: "grpc.reflection.v1.ServerReflection", methods: ["ServerReflectionInfo": .open]),
    ]
}

/// The interception point of every service (``ServerInterceptor``): authenticates the caller,
/// finds the method's rule, asks the policy whether the caller may attempt it at all, and leaves
/// the caller in the context for the use case. Runs before every handler.
public struct AccessControl: ServerInterceptor {
    public let authenticator: Authenticator
    private let rules: [String: MethodAccess]
    /// Brings the service's copy of the callers up to date (its registry feed), for a key id it
    /// has never seen; nil for the registry, which is the source.
    let catchUpOnUnknownKey: (@Sendable () async -> Void)?

    public init(authenticator: Authenticator, rules: [AccessRules], catchUpOnUnknownKey: (@Sendable () async -> Void)? = nil) {
        self.authenticator = authenticator
        self.catchUpOnUnknownKey = catchUpOnUnknownKey
        var table: [String: MethodAccess] = [:]
        for service in rules + AccessRules.standard {
            for (method, access) in service.methods { table["/\(service.service)/\(method)"] = access }
        }
        self.rules = table
    }

    /// The rule of a method path, if it has one.
    public func access(forPath path: String) -> MethodAccess? { rules[path] }

    public func intercept(_ context: ServerContext, request: (any ProtoMessage)?) async throws {
        guard let access = rules[context.method.path] else {
            throw ServiceErrors.status(
                .permissionDenied, "\(context.method.path) has no access rule, so nobody may call it (docs/API.md, Who is calling)",
                reason: "NO_ACCESS_RULE")
        }
        switch access {
        case .open:
            // A caller who sends a key to an open method is still named in logs if it is valid;
            // an invalid one does not close health to it.
            context.authenticated = (try? authenticator.authenticate(context.requestMetadata, peer: context.peer)) ?? Caller.anonymous
        case .requires(let action):
            try await admit(context, [action])
        case .requiresAny(let actions):
            try await admit(context, actions)
        }
    }

    /// Authenticates the caller and admits it when the policy admits one of `actions`; otherwise
    /// the first action's refusal.
    private func admit(_ context: ServerContext, _ actions: [AccessAction]) async throws {
        let caller = try await authenticate(context)
        context.authenticated = caller
        var firstRefusal: RuleViolation?
        for action in actions {
            switch AccessPolicy.admits(caller, action) {
            case .allowed: return
            case .refused(let violation): firstRefusal = firstRefusal ?? violation
            }
        }
        if let firstRefusal { throw ServiceErrors.status(firstRefusal) }
    }
}

extension AccessControl {
    /// The caller; a key id never seen before makes a follower of the registry catch up once first.
    func authenticate(_ context: ServerContext) async throws -> Caller {
        do {
            return try authenticator.authenticate(context.requestMetadata, peer: context.peer)
        } catch {
            guard let catchUpOnUnknownKey, let key = try? authenticator.presentedKey(context.requestMetadata),
                !authenticator.directory.knows(keyID: key.keyID)
            else { throw error }
            await catchUpOnUnknownKey()
            return try authenticator.authenticate(context.requestMetadata, peer: context.peer)
        }
    }
}

extension ServerContext {
    /// The authenticated caller (``AccessControl``); anonymous when the server has no access control.
    public var caller: Caller { authenticated as? Caller ?? .anonymous }
}

extension ServerContext {
    /// The use case's check on the record it acts on (``AccessPolicy/decide(_:_:_:)``), after the
    /// interceptor's coarse one. A server without ``AccessControl`` checks nothing here either: the
    /// executables install it once every service authenticates its peers (ADR 0006).
    public func authorize(_ action: AccessAction, on target: AccessTarget) throws {
        guard authenticated != nil else { return }
        try caller.authorize(action, on: target)
    }

    /// Whether the caller may perform `action` on `target` (true on a server without access
    /// control): for reads that show each party only its own side.
    public func permits(_ action: AccessAction, on target: AccessTarget) -> Bool {
        guard authenticated != nil else { return true }
        return AccessPolicy.decide(caller, action, target).isAllowed
    }
}
