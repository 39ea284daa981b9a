import Domain
import Foundation
import Ledger
import ProtoMessages
import ServiceKit
import StorageTestSupport
import Synchronization
import ServiceTestSupport
import Testing
import TransferCore

/// A registry feed the test appends to while the transfer service runs.
final class FakeRegistryFeed: Sendable {
    private let events = Mutex<[Recs_Registry_V1_Event]>([])
    private let fetches = Atomic<Int>(0)

    var fetchCount: Int { fetches.load(ordering: .relaxed) }

    func publish(_ payload: Recs_Registry_V1_Event.OneOf_Payload, action: String) {
        events.withLock { events in
            var event = Recs_Registry_V1_Event()
            event.sequence = Int64(events.count + 1)
            event.action = action
            event.requestId = "registry-\(events.count + 1)"
            event.payload = payload
            events.append(event)
        }
    }

    var fetch: RegistryFeed.Follower.Fetch {
        { after, limit in
            self.fetches.add(1, ordering: .relaxed)
            return self.events.withLock { events in
                (Array(events.filter { $0.sequence > after }.prefix(Int(limit))), Int64(events.count))
            }
        }
    }

    static func organization(_ id: String, subaccounts: [(String, Recs_Common_V1_SubaccountKind)]) -> Recs_Registry_V1_Event.OneOf_Payload {
        var organization = Recs_Registry_V1_Organization()
        organization.organizationId = id
        organization.subaccounts = subaccounts.map { id, kind in
            var subaccount = Recs_Registry_V1_Subaccount()
            subaccount.subaccountId = id
            subaccount.organizationId = organization.organizationId
            subaccount.kind = kind
            return subaccount
        }
        return .organization(organization)
    }
}

@Suite("transfer follows the registry's feed")
struct TransferRegistryFeedTests {
    @Test(
        "§6, §15.2: a recipient created at the registry a moment ago is learned from the registry's feed on demand",
        arguments: TestDatabaseKind.allCases)
    func recipientFromFeed(kind: TestDatabaseKind) async throws {
        let feed = FakeRegistryFeed()
        try await withTransfer(kind, registryEvents: feed.fetch) { harness in
            _ = try await harness.client.depositCertificates(F.deposit("deposit-1", batch: 1, quantity: 10))
            // A2 does not exist yet anywhere: NOT_FOUND, after asking the registry's feed.
            _ = try await expectStatus(.notFound) {
                _ = try await harness.client.requestInterAccountTransfer(F.transfer("early", batch: 1, 1, 4))
            }
            #expect(feed.fetchCount >= 1)

            feed.publish(FakeRegistryFeed.organization(F.orgB, subaccounts: [(F.activeB, .active)]), action: "CreateOrganization")
            let response = try await harness.client.requestInterAccountTransfer(F.transfer("transfer-1", batch: 1, 1, 4))
            #expect(response.transfer?.toSubaccountId == F.activeB)
            #expect(try await harness.application.registryFeed?.position() == 1)
            try await harness.conserved()
        }
    }

    @Test("docs/API.md event feeds: each registry event is applied once; a conflicting one stops the follower where it was", arguments: TestDatabaseKind.allCases)
    func appliedOnceAndGapsStop(kind: TestDatabaseKind) async throws {
        let feed = FakeRegistryFeed()
        feed.publish(FakeRegistryFeed.organization(F.orgB, subaccounts: [(F.activeB, .active)]), action: "CreateOrganization")
        try await withTransfer(kind, registryEvents: feed.fetch) { harness in
            let follower = try #require(harness.application.registryFeed)
            #expect(try await follower.catchUp() == 1)
            #expect(try await follower.catchUp() == 1)
            let known = try await harness.ledger.holdings(in: SubaccountID(parsing: F.activeB))
            #expect(known.isEmpty)

            // The same subaccount for another organization is refused, and the position stays.
            feed.publish(FakeRegistryFeed.organization("A3", subaccounts: [(F.activeB, .active)]), action: "CreateOrganization")
            await #expect(throws: (any Error).self) { try await follower.catchUp() }
            #expect(try await follower.position() == 1)
        }
    }

    @Test("the deposit event names the organization holding the deposit subaccount", arguments: TestDatabaseKind.allCases)
    func depositEventHolder(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { harness in
            _ = try await harness.client.depositCertificates(F.deposit("deposit-1", batch: 7, quantity: 3))
            let events = try await harness.client.listEvents(Recs_Transfer_V1_ListEventsRequest())
            let holder = try #require(events.events.first?.certificatesDeposited.placements.first?.holder)
            #expect(holder.organizationId == F.orgA)
            #expect(holder.subaccountId == F.activeA)
        }
    }

    @Test("§16.1: the retirement event carries its reason (reporting shows it)", arguments: TestDatabaseKind.allCases)
    func retirementEventReason(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { harness in
            _ = try await harness.client.depositCertificates(F.deposit("deposit-1", batch: 7, quantity: 3))
            _ = try await harness.client.retireCertificates(F.retire("retire-1", batch: 7, 1, 2))
            let events = try await harness.client.listEvents(Recs_Transfer_V1_ListEventsRequest())
            let retirement = try #require(events.events.last?.ledgerTransaction)
            #expect(retirement.retirementReason?.category == .voluntaryMarketActivity)
            #expect(retirement.retirementReason?.details == "2024 voluntary green power claim")
        }
    }
}
