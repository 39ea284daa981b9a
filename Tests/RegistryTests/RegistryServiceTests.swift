import Domain
import GRPCWire
import ProtoMessages
import ProtoServices
import RegistryCore
import Storage
import StorageTestSupport
import ServiceTestSupport
import Testing

/// RegistryService end to end: in-process server, generated client, on SQLite and on PostgreSQL
/// (when RECS_TEST_POSTGRES_URL is set). Sections are the WREGIS Operating Rules.
@Suite("RegistryService")
struct RegistryServiceTests {
    @Test("Idempotency: a retry with the same request_id and request returns the first response and creates nothing",
        arguments: TestDatabaseKind.allCases)
    func retryReturnsFirstResponse(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let request = Requests.createOrganization("same-id")
            let first = try await client.createOrganization(request)
            let again = try await client.createOrganization(request)
            #expect(again == first)
            let organizations = try await client.listOrganizations(Recs_Registry_V1_ListOrganizationsRequest())
            #expect(organizations.organizations.count == 1)
            // One organization: its record and its Manager's login (two events).
            let events = try await client.listEvents(Recs_Registry_V1_ListEventsRequest())
            #expect(events.events.count == 2)
            #expect(events.lastSequence == 2)
        }
    }

    @Test("Idempotency: the same request_id with a different request is ALREADY_EXISTS (REQUEST_ID_REUSED)",
        arguments: TestDatabaseKind.allCases)
    func reusedRequestIDIsAlreadyExists(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            _ = try await client.createOrganization(Requests.createOrganization("reused", name: "First"))
            let error = try await expectStatus(.alreadyExists) {
                _ = try await client.createOrganization(Requests.createOrganization("reused", name: "Second"))
            }
            #expect(error.message.contains("REQUEST_ID_REUSED"))
            #expect(try errorDetails(error).reason == "REQUEST_ID_REUSED")
            // Another method with the same id is a different request too.
            var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
            approve.requestId = "reused"
            approve.generatingUnitId = "W1"
            try await expectStatus(.alreadyExists) { _ = try await client.approveGeneratingUnit(approve) }
            // Only the first organization and its Manager (two events): the reused ids changed nothing.
            #expect(try await client.listEvents(Recs_Registry_V1_ListEventsRequest()).events.count == 2)
        }
    }

    @Test("Idempotency: a missing or malformed request_id is INVALID_ARGUMENT naming request_id",
        arguments: TestDatabaseKind.allCases)
    func missingRequestIDIsInvalidArgument(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let missing = try await expectStatus(.invalidArgument) {
                _ = try await client.createOrganization(Requests.createOrganization(""))
            }
            #expect(missing.message.contains("request_id"))
            #expect(try errorDetails(missing).reason == "REQUEST_ID_MISSING")
            let tooLong = try await expectStatus(.invalidArgument) {
                _ = try await client.createOrganization(Requests.createOrganization(String(repeating: "x", count: 129)))
            }
            #expect(tooLong.message.contains("request_id"))
            #expect(try await client.listEvents(Recs_Registry_V1_ListEventsRequest()).events.isEmpty)
        }
    }

    @Test("Concurrent requests: distinct ids get distinct organizations and gap-free event sequences; one id runs once",
        arguments: TestDatabaseKind.allCases)
    func concurrentRequests(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let created = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await client.createOrganization(Requests.createOrganization("parallel-\(index)")).organization?.organizationId ?? ""
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(created) == Set((1...8).map { "A\($0)" }))
            let sameID = try await withThrowingTaskGroup(of: Recs_Registry_V1_CreateOrganizationResponse.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await client.createOrganization(Requests.createOrganization("one-id")) }
                }
                return try await group.reduce(into: [Recs_Registry_V1_CreateOrganizationResponse]()) { $0.append($1) }
            }
            #expect(Set(sameID.map { $0.organization?.organizationId ?? "" }) == ["A9"])
            #expect(Set(sameID).count == 1)
            let events = try await client.listEvents(Recs_Registry_V1_ListEventsRequest())
            #expect(events.events.map(\.sequence) == Array(1...18))
        }
    }

    @Test("Methods not built yet answer UNIMPLEMENTED", arguments: TestDatabaseKind.allCases)
    func unimplementedMethods(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            var request = Recs_Registry_V1_CreateSubaccountRequest()
            request.requestId = "sub"
            let error = try await expectStatus(.unimplemented) { _ = try await client.createSubaccount(request) }
            #expect(error.message == "CreateSubaccount is not implemented yet")
            try await expectStatus(.unimplemented) {
                _ = try await client.listGeneratingUnits(Recs_Registry_V1_ListGeneratingUnitsRequest())
            }
        }
    }

    @Test("Schema: migrations are forward-only and applying them again does nothing", arguments: TestDatabaseKind.allCases)
    func migrationsAreRepeatable(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { _, testDatabase in
            let repository = RegistryRepository(database: testDatabase.database)
            let applied = try await repository.migrate()
            #expect(applied.isEmpty)
        }
    }
}
