import StorageTestSupport
import ServiceTestSupport
import Testing

/// Runs `body` against a fresh database of `kind` (ServiceTestSupport's `withTestDatabase`).
func withDatabase(
    _ kind: TestDatabaseKind, sourceLocation: SourceLocation = #_sourceLocation, _ body: (TestDatabase) async throws -> Void
) async throws {
    try await withTestDatabase(kind, sourceLocation: sourceLocation, body)
}
