import Foundation
import GRPCWire
import ProtoMessages
import ReportingCore
import ServiceKit
import StorageTestSupport
import ServiceTestSupport
import Testing

/// Following the feeds (docs/API.md, event feeds): at-least-once delivery applied exactly once, a
/// gap stops the feed instead of being skipped, positions reported per feed.
@Suite("feed following")
struct FeedFollowingTests {
    func publishAll(_ harness: Harness) {
        for event in Fixtures.registryEvents() { harness.registry.append(event) }
        harness.issuance.append(Fixtures.issuanceEvent(1, .batchIssued(Fixtures.batch())))
        harness.issuance.append(Fixtures.issuanceEvent(2, .batchCorrected(Fixtures.batch(facility: "Corrected Facility"))))
        // A payload reporting ignores still advances the position.
        harness.issuance.append(Fixtures.issuanceEvent(3, nil))
        harness.transfer.append(Fixtures.deposit(1, day: 1))
        harness.transfer.append(Fixtures.transfer(2, day: 2, state: .pending))
        harness.transfer.append(Fixtures.transfer(3, day: 3, state: .completed))
        harness.transfer.append(Fixtures.retirement(4, day: 4))
    }

    func feedPositions(_ harness: Harness) async throws -> [String: (applied: Int64, known: Int64)] {
        let response = try await harness.client.getFeedPositions(Recs_Reporting_V1_GetFeedPositionsRequest())
        var positions: [String: (applied: Int64, known: Int64)] = [:]
        for position in response.positions { positions[position.service] = (position.appliedSequence, position.lastKnownSequence) }
        return positions
    }

    @Test("The same events delivered again change nothing: a second catch-up, and a producer answering from older positions", arguments: TestDatabaseKind.allCases)
    func appliedOnce(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            publishAll(harness)
            try await harness.catchUp()
            let rows = try await harness.segmentRows()
            let answer = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(rows.count == 3)

            // As after a crash between apply and the next read: catch up again.
            try await harness.catchUp()
            #expect(try await harness.segmentRows() == rows)

            // The producers answer with events already applied (at-least-once delivery), pages
            // that would change the read models if applied again: the registry's unit 99999 before
            // its approval, issuance's batch before its correction, transfer's pending transfer.
            harness.registry.stale(4...4)
            harness.issuance.stale(1...1)
            harness.transfer.stale(2...2)
            try await harness.catchUp()
            // The registry's feed has two followers here (the read models and the callers, ADR 0006):
            // each was handed the stale page once.
            #expect(harness.registry.replayed == 2 && harness.issuance.replayed == 1 && harness.transfer.replayed == 1)
            #expect(try await harness.segmentRows() == rows)
            #expect(try await harness.lookUp("\(Fixtures.batch)-1-100") == answer)
            #expect(answer.first?.attributes?.facilityName == "Corrected Facility")
            let generators = try await harness.client.listActiveGenerators(Recs_Reporting_V1_ListActiveGeneratorsRequest())
            #expect(generators.generators.map(\.generatingUnitId) == ["99999", "99999"])

            let positions = try await feedPositions(harness)
            #expect(positions["recs.registry.v1.RegistryService"]?.applied == 7)
            #expect(positions["recs.issuance.v1.IssuanceService"]?.applied == 3)
            #expect(positions["recs.transfer.v1.TransferService"]?.applied == 4)
            #expect(positions["recs.transfer.v1.TransferService"]?.known == 4)
        }
    }

    @Test("A gap in a feed is reported and nothing after it is applied; once filled, the feed goes on", arguments: TestDatabaseKind.allCases)
    func gapStops(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            publishAll(harness)
            try await harness.application.followers.registry.catchUp()
            try await harness.application.followers.issuance.catchUp()
            harness.transfer.drop(2)
            await #expect(throws: FeedError.self) { try await harness.application.followers.transfer.catchUp() }

            // Nothing of the page with the gap was applied, and the positions say how far behind.
            var positions = try await feedPositions(harness)
            #expect(positions["recs.transfer.v1.TransferService"]?.applied == 0)
            #expect(positions["recs.transfer.v1.TransferService"]?.known == 4)
            #expect(try await harness.segmentRows().isEmpty)

            harness.transfer.drop(nil)
            try await harness.application.followers.transfer.catchUp()
            positions = try await feedPositions(harness)
            #expect(positions["recs.transfer.v1.TransferService"]?.applied == 4)
            let parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.map(\.status) == [.active, .retired, .active])
        }
    }

    @Test("Positions before anything is applied are zero for the three feeds")
    func emptyPositions() async throws {
        try await withReporting(.sqlite) { harness in
            let response = try await harness.client.getFeedPositions(Recs_Reporting_V1_GetFeedPositionsRequest())
            #expect(response.positions.map(\.service) == [
                "recs.registry.v1.RegistryService", "recs.issuance.v1.IssuanceService", "recs.transfer.v1.TransferService",
            ])
            #expect(response.positions.allSatisfy { $0.appliedSequence == 0 && $0.lastKnownSequence == 0 && $0.appliedAt == nil })
        }
    }

    @Test("Reporting's own feed keeps the ListEvents contract while empty", arguments: TestDatabaseKind.allCases)
    func ownFeed(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            let response = try await harness.client.listEvents(Recs_Reporting_V1_ListEventsRequest())
            #expect(response.events.isEmpty)
            #expect(response.lastSequence == 0)
            var request = Recs_Reporting_V1_ListEventsRequest()
            request.afterSequence = -1
            let error = try await expectStatus(.invalidArgument) { _ = try await harness.client.listEvents(request) }
            #expect(error.message.contains("after_sequence"))
            request = Recs_Reporting_V1_ListEventsRequest()
            request.limit = -1
            try await expectStatus(.invalidArgument) { _ = try await harness.client.listEvents(request) }
        }
    }

    @Test("Methods not built yet answer UNIMPLEMENTED")
    func unimplemented() async throws {
        try await withReporting(.sqlite) { harness in
            let error = try await expectStatus(.unimplemented) {
                _ = try await harness.client.getCertificateActivityReport(Recs_Reporting_V1_GetCertificateActivityReportRequest())
            }
            #expect(error.message.contains("GetCertificateActivityReport"))
        }
    }
}
