import Foundation
import ProtoMessages
import RPC
import Synchronization

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

    /// The services a server hosts besides its own: the test clock when the clock is simulated
    /// (ADR 0007), with its access rules.
    public static func clockServices(
        _ clock: ServiceClock, work: any DueWork, journal: RequestJournal
    ) async throws -> (services: [any RPCService], rules: [AccessRules]) {
        guard clock.isSimulated else { return ([], []) }
        let store = SimulatedTimeStore(journal: journal)
        try await store.restore(clock)
        return ([TestClockService(clock: clock, work: work, store: store)], [TestClockService.accessRules])
    }

    /// The interceptor of a server hosting services with `rules`, or nil when unenforced.
    /// `principals`, for a service that learns its callers from the registry's feed: a key it has
    /// never seen makes it catch up once before refusing (a key made a moment ago works at once).
    public func interceptor(
        directory: PrincipalDirectory, rules: [AccessRules], principals: FeedFollower<Recs_Registry_V1_Event>? = nil
    ) -> AccessControl? {
        guard enforced else { return nil }
        let catchUp: (@Sendable () async -> Void)? = principals.map { follower in
            let throttle = CatchUpThrottle()
            return { @Sendable in
                guard throttle.mayRun() else { return }
                _ = try? await follower.catchUp()
            }
        }
        return AccessControl(
            authenticator: Authenticator(directory: directory, certificates: certificates), rules: rules, catchUpOnUnknownKey: catchUp)
    }
}

/// At most one catch-up for unknown keys every 200 ms, so a caller presenting made-up key ids
/// cannot make a service read the registry's feed on every call.
final class CatchUpThrottle: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    func mayRun() -> Bool {
        last.withLock { last in
            let now = ContinuousClock.now
            if let previous = last, now - previous < .milliseconds(200) { return false }
            last = now
            return true
        }
    }
}
