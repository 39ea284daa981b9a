import RPC

/// Whether a service checks its callers (ADR 0006). The executables always do
/// (``ServiceAccess/enforced(certificates:)``); tests of use cases that are not about callers may
/// build a service with ``ServiceAccess/unenforced``, which no executable can choose.
public struct ServiceAccess: Sendable {
    /// Check every call with ``AccessControl`` (authentication and the authorization policy).
    public let enforced: Bool
    /// The client certificates trusted as services or partner systems.
    public let certificates: CertificateIdentities

    /// Every call authenticated and authorized; the deployment's four services are known by their
    /// certificates' names, plus any partner systems in `certificates`.
    public static func enforced(certificates: CertificateIdentities = .deploymentServices) -> ServiceAccess {
        ServiceAccess(enforced: true, certificates: certificates)
    }

    /// No interceptor and no target checks: every call runs as if allowed. For tests only.
    public static let unenforced = ServiceAccess(enforced: false, certificates: CertificateIdentities())

    /// The interceptor of a server hosting services with `rules`, or nil when unenforced.
    public func interceptor(directory: PrincipalDirectory, rules: [AccessRules]) -> AccessControl? {
        guard enforced else { return nil }
        return AccessControl(authenticator: Authenticator(directory: directory, certificates: certificates), rules: rules)
    }
}
