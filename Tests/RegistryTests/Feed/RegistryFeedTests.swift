import Domain
import GRPCWire
import ProtoMessages
import ProtoServices
import RegistryCore
import Storage
import StorageTestSupport
import ServiceTestSupport
import Testing

/// The registry's event feed (docs/API.md, event feeds), through the in-process registry on SQLite
/// and on PostgreSQL (when RECS_TEST_POSTGRES_URL is set).
@Suite("registry feed")
struct RegistryFeedTests {
    @Test("Event feed: one event per change, consecutive sequences from 1, after_sequence and limit",
        arguments: TestDatabaseKind.allCases)
    func eventsInOrder(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let holder = try #require(try await client.createOrganization(Requests.createOrganization("e-holder")).organization)
            _ = try await client.createOrganization(Requests.createOrganization("e-qre", name: "QRE", type: .qualifiedReportingEntity))
            _ = try await client.registerGeneratingUnit(
                Requests.registerUnit("e-unit", organizationID: "A1", depositSubaccountID: try holder.subaccount(.active).subaccountId))
            var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
            approve.requestId = "e-approve"
            approve.generatingUnitId = "W1"
            _ = try await client.approveGeneratingUnit(approve)
            var designate = Recs_Registry_V1_DesignateReportingEntityRequest()
            designate.requestId = "e-designate"
            designate.generatingUnitId = "W1"
            designate.type = .qualifiedReportingEntity
            designate.reportingEntityOrganizationId = "A2"
            designate.reportingEntityUnitId = "U-1"
            _ = try await client.designateReportingEntity(designate)
            _ = try await client.approveGeneratingUnit(approve)  // a retry: no new event

            let all = try await client.listEvents(Recs_Registry_V1_ListEventsRequest())
            // Each organization is two events: its record, then its Manager's login (§7.1).
            #expect(all.events.map(\.sequence) == [1, 2, 3, 4, 5, 6, 7])
            #expect(all.lastSequence == 7)
            #expect(
                all.events.map(\.action) == [
                    "CreateOrganization", "CreateOrganization", "CreateOrganization", "CreateOrganization",
                    "RegisterGeneratingUnit", "ApproveGeneratingUnit", "DesignateReportingEntity",
                ])
            #expect(all.events.map(\.requestId) == ["e-holder", "e-holder", "e-qre", "e-qre", "e-unit", "e-approve", "e-designate"])
            #expect(all.events[0].organization == holder)
            #expect(all.events[1].user.userId == holder.managerUserId)
            #expect(all.events[5].generatingUnit.status == .approved)
            #expect(all.events[6].generatingUnit.reportingEntity?.reportingEntityUnitId == "U-1")

            var page = Recs_Registry_V1_ListEventsRequest()
            page.afterSequence = 2
            page.limit = 2
            let middle = try await client.listEvents(page)
            #expect(middle.events.map(\.sequence) == [3, 4])
            #expect(middle.lastSequence == 7)
            page.afterSequence = 7
            #expect(try await client.listEvents(page).events.isEmpty)
            page.afterSequence = -1
            let negative = try await expectStatus(.invalidArgument) { _ = try await client.listEvents(page) }
            #expect(negative.message.contains("after_sequence"))
        }
    }
}
