import Foundation
import GRPCWire
import ProtoMessages
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// The request journal (docs/API.md, idempotency): request ids scoped to the caller (rule 2), a
/// refusal recorded in the same transaction as the request, nothing of it kept (rule 3).
@Suite("request journal")
struct RequestJournalTests {
    static func journal(_ test: TestDatabase) async throws -> RequestJournal {
        let t: ServiceSchema.Types = test.kind == .sqlite ? .sqlite : .postgres
        try await test.database.migrate([
            Migration(
                name: "journal", statements: [ServiceSchema.idempotencyKeys(t), ServiceSchema.events(t)] + ServiceSchema.counters([], t)
                    + ["CREATE TABLE notes (id BIGINT PRIMARY KEY, text TEXT NOT NULL)"])
        ])
        return RequestJournal(database: test.database, service: "test")
    }

    static func actor(organization: String) -> Recs_Common_V1_Actor {
        var actor = Recs_Common_V1_Actor()
        actor.kind = .user
        actor.id = "U-\(organization)"
        actor.organizationId = organization
        return actor
    }

    static func request(_ text: String) -> Recs_Registry_V1_GetOrganizationRequest {
        var request = Recs_Registry_V1_GetOrganizationRequest()
        request.organizationId = text
        return request
    }

    /// Writes a note and answers with the request's text; refuses (FAILED_PRECONDITION, recorded)
    /// when `refuse`, after writing.
    static func write(
        _ journal: RequestJournal, id: String, by actor: Recs_Common_V1_Actor, note: Int64, refuse: Bool = false
    ) async throws -> Recs_Registry_V1_GetOrganizationRequest {
        try await journal.mutate("Write", request("note \(note)"), requestID: id, actor: actor, clearing: { _ in }) { transaction in
            try transaction.sql.execute("INSERT INTO notes (id, text) VALUES ($1, 'x')", .int64(note))
            if refuse { throw ServiceErrors.failedPrecondition("refused after writing", reason: "TEST") }
            return request("written \(note)")
        }
    }

    @Test("docs/API.md idempotency rule 2: another caller's id answers REQUEST_ID_REUSED and shows nothing of its outcome", arguments: TestDatabaseKind.allCases)
    func scopedToCaller(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            let journal = try await Self.journal(test)
            let a = Self.actor(organization: "A1")
            let b = Self.actor(organization: "A2")
            #expect(try await Self.write(journal, id: "id-1", by: a, note: 1).organizationId == "written 1")
            // The same caller again: the first outcome, nothing executed.
            #expect(try await Self.write(journal, id: "id-1", by: a, note: 1).organizationId == "written 1")
            // Another organization with the very same id and body: refused, the outcome not shown.
            let error = try await expectStatus(.alreadyExists) { _ = try await Self.write(journal, id: "id-1", by: b, note: 1) }
            #expect(error.metadata.binary(ServiceErrors.detailsKey).flatMap { try? Recs_Common_V1_ErrorDetails(protobufBytes: $0) }?.reason == "REQUEST_ID_REUSED")
            #expect(!error.message.contains("written"))
            let notes = try await test.database.read { try $0.query("SELECT id FROM notes").count }
            #expect(notes == 1)
        }
    }

    @Test("docs/API.md idempotency rule 3: a refusal undoes the request's writes and is recorded in the same transaction", arguments: TestDatabaseKind.allCases)
    func refusalRecordedInOneTransaction(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            let journal = try await Self.journal(test)
            let a = Self.actor(organization: "A1")
            let log = StatementLog()
            test.database.recordStatements(into: log)
            let first = try await expectStatus(.failedPrecondition) { _ = try await Self.write(journal, id: "id-2", by: a, note: 2, refuse: true) }
            test.database.recordStatements(into: nil)
            // One transaction: its statements began with the look-up of the id, once.
            #expect(log.recorded.filter { $0.sql.contains("FROM idempotency_keys") }.count == 1)
            #expect(try await test.database.read { try $0.query("SELECT id FROM notes").count } == 0, "the write was undone")
            // Sent again, even when it would now succeed: the recorded refusal.
            let again = try await expectStatus(.failedPrecondition) { _ = try await Self.write(journal, id: "id-2", by: a, note: 2) }
            #expect(again.message == first.message)
            #expect(try await test.database.read { try $0.query("SELECT id FROM notes").count } == 0)
        }
    }
}
