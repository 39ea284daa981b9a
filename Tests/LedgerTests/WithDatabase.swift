import Storage
import StorageTestSupport
import Synchronization
import Testing

/// Whether the "PostgreSQL not tested" warning was shown in this run (once is enough).
private let warnedAboutPostgres = Atomic<Bool>(false)

/// Runs `body` against a fresh database of `kind` and removes it afterwards. Without a PostgreSQL
/// server the PostgreSQL case is skipped (cancelled) with a warning saying how to start one, or
/// fails when `CI` is set.
func withDatabase(
    _ kind: TestDatabaseKind, sourceLocation: SourceLocation = #_sourceLocation, _ body: (TestDatabase) async throws -> Void
) async throws {
    switch try await TestDatabase.make(kind) {
    case .available(let testDatabase):
        do {
            try await body(testDatabase)
        } catch {
            await testDatabase.tearDown()
            throw error
        }
        await testDatabase.tearDown()
    case .unavailable(let message, let isFailure):
        if isFailure {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            return
        }
        if !warnedAboutPostgres.exchange(true, ordering: .relaxed) {
            Issue.record(Comment(rawValue: message), severity: .warning, sourceLocation: sourceLocation)
        }
        try Test.cancel(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}
