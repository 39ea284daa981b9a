@testable import ServiceCommand
import Synchronization
import Testing

/// The executables' background work (issue 7): failures are retried with backoff and reflected in
/// health, never swallowed.
@Suite("background work")
struct BackgroundWorkTests {
    @Test("the wait doubles with each failure in a row, from the interval up to 30 s, and is the interval again after a success")
    func backoff() {
        let interval = Duration.milliseconds(500)
        #expect(BackgroundWork.delay(after: 0, interval: interval) == .milliseconds(500))
        #expect(BackgroundWork.delay(after: 1, interval: interval) == .milliseconds(500))
        #expect(BackgroundWork.delay(after: 2, interval: interval) == .seconds(1))
        #expect(BackgroundWork.delay(after: 4, interval: interval) == .seconds(4))
        #expect(BackgroundWork.delay(after: 20, interval: interval) == .seconds(30))
        // A loop whose interval is longer than the cap keeps its interval.
        #expect(BackgroundWork.delay(after: 5, interval: .seconds(60)) == .seconds(60))
    }

    @Test("health is NOT_SERVING while any background work fails, SERVING once all work again; reported on changes only")
    func health() {
        let reports = Mutex<[Bool]>([])
        let health = BackgroundHealth { healthy in reports.withLock { $0.append(healthy) } }
        health.record("registry feed", working: true)
        health.record("registry feed", working: false)
        health.record("deposits", working: false)
        health.record("registry feed", working: true)
        #expect(reports.withLock { $0 } == [false], "still failing: the deposits")
        health.record("deposits", working: true)
        health.record("deposits", working: true)
        #expect(reports.withLock { $0 } == [false, true])
    }
}
