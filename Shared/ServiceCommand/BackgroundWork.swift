import CoreMetrics
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// A piece of a service's background work (a feed follower, a sweep, the deposit queue), run every
/// `interval` under the service group until the service stops. A failure is logged, retried with
/// backoff (twice the wait per failure in a row, at most 30 s), and reflected in the service's
/// health: NOT_SERVING while any of its background work keeps failing, SERVING again once it works
/// (a follower stuck on an event it cannot apply says so there instead of stalling silently).
public struct BackgroundWork: Sendable {
    public let name: String
    public let interval: Duration
    public let body: @Sendable () async throws -> Void

    public init(_ name: String, every interval: Duration, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.body = body
    }

    /// The wait before the next run after `failures` failures in a row.
    static func delay(after failures: Int, interval: Duration) -> Duration {
        guard failures > 0 else { return interval }
        let backoff = interval * (1 << min(failures - 1, 10))
        return min(max(backoff, interval), max(interval, .seconds(30)))
    }
}

/// Which background work of a service is failing now; the service is healthy when none is.
final class BackgroundHealth: Sendable {
    private let failing = Mutex<Set<String>>([])
    private let report: @Sendable (Bool) -> Void

    init(report: @escaping @Sendable (_ healthy: Bool) -> Void) {
        self.report = report
    }

    func record(_ name: String, working: Bool) {
        let change: Bool? = failing.withLock { failing in
            let before = failing.isEmpty
            if working { failing.remove(name) } else { failing.insert(name) }
            return before == failing.isEmpty ? nil : failing.isEmpty
        }
        if let change { report(change) }
    }
}

/// One ``BackgroundWork`` as a swift-service-lifecycle `Service`.
struct BackgroundLoop: Service {
    let work: BackgroundWork
    let health: BackgroundHealth
    let logger: Logger
    /// ``ServiceMetrics/backgroundFailures`` of this work, made (at 0) with the loop.
    let failuresCounter: Counter

    init(work: BackgroundWork, health: BackgroundHealth, logger: Logger) {
        self.work = work
        self.health = health
        self.logger = logger
        self.failuresCounter = Counter(label: ServiceMetrics.backgroundFailures.name, dimensions: [("work", work.name)])
    }

    func run() async {
        var failures = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await runOnce()
                if failures > 0 {
                    logger.info("background work recovered", metadata: ["work": "\(work.name)", "failures": "\(failures)"])
                    health.record(work.name, working: true)
                }
                failures = 0
            } catch is CancellationError {
                return
            } catch {
                // A run cut short by the stop (its grace ran out) is not a failure to report.
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                failures += 1
                failuresCounter.increment()
                logger.warning(
                    "background work failed; retrying", metadata: ["work": "\(work.name)", "failures": "\(failures)", "error": "\(error)"])
                health.record(work.name, working: false)
            }
            let delay = BackgroundWork.delay(after: failures, interval: work.interval)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        }
    }

    /// One run of the work. Once the service is stopping, a run still going (a feed call to a
    /// peer that does not answer waits up to its 10 s deadline) gets
    /// ``ServiceStop/backgroundGraceMilliseconds`` to finish and is then cancelled, so it cannot
    /// hold the stop.
    private func runOnce() async throws {
        let body = work.body
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                    try await Task.sleep(for: .milliseconds(ServiceStop.backgroundGraceMilliseconds))
                } catch {}
                return false
            }
            while let bodyFinished = try await group.next() {
                // Either the run is over, or its grace ran out: the other task is not needed.
                group.cancelAll()
                if bodyFinished { return }
            }
        }
    }
}

/// Every ``BackgroundLoop`` of the service as one service of the group, so that graceful shutdown
/// reaches them all at once (the group tells its services one after another) and runs in progress
/// share one grace period instead of taking theirs in turn.
struct BackgroundLoops: Service {
    let loops: [BackgroundLoop]

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for loop in loops {
                group.addTask { await loop.run() }
            }
        }
    }
}

/// The application's server as a service of the group: it is already serving; on graceful
/// shutdown (SIGTERM, SIGINT; first of the group) it refuses new calls and drains the calls in
/// flight. `ServiceMain` closes the database once the background work stopped too.
struct ApplicationService<Application: ServiceApplication>: Service {
    let application: Application

    func run() async throws {
        try? await gracefulShutdown()
        await application.stopServing()
    }
}

/// A background run that did not get its work done, for the loop to log and retry.
public struct BackgroundFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
