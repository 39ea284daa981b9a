import GRPCWire
import IssuanceCore
import ProtoMessages
import ProtoServices
import ServiceTestSupport
import StorageTestSupport
import Testing

/// Issue 8: a cycle's units grow with the registry; RunIssuanceCycle answers the first page and
/// GetIssuanceCycle the rest, by unit id.
@Suite("Issuance cycle units in pages")
struct CycleUnitPagingTests {
    @Test("A cycle over 150 units: the first page with the run, the rest by GetIssuanceCycle, every unit once",
        arguments: TestDatabaseKind.allCases)
    func unitsArePaged(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            let ids = (1...150).map { "W\($0)" }
            for (index, id) in ids.enumerated() { h.registry.unit(id, reportedAs: "QRE-\(index + 1)") }
            let lines = ids.indices.map { "QRE-\($0 + 1),01/2026,01/01/2026,01/31/2026,2.5" }
            #expect(try await h.client.uploadGenerationFile(Requests.upload("units-150", lines: lines)).upload?.postedCount == 150)

            let run = try await h.client.runIssuanceCycle(Requests.cycle("cycle-150", year: 2026, month: 1))
            let cycle = try #require(run.cycle)
            #expect(cycle.unitCount == 150 && cycle.units.count == 100)
            #expect(cycle.certificatesIssued == 300 && cycle.batchCount == 150)
            let sorted = ids.sorted()
            #expect(cycle.units.map(\.generatingUnitId) == Array(sorted.prefix(100)), "unit id order")
            var token = try #require(run.unitsPage?.nextPageToken)
            #expect(token == sorted[99])

            var units = cycle.units
            while !token.isEmpty {
                var request = Recs_Issuance_V1_GetIssuanceCycleRequest()
                request.cycle = .issuanceCycleId(cycle.issuanceCycleId)
                var page = Recs_Common_V1_PageRequest()
                (page.pageSize, page.pageToken) = (30, token)
                request.unitsPage = page
                let response = try await h.client.getIssuanceCycle(request)
                units += response.cycle?.units ?? []
                #expect(response.cycle?.unitCount == 150)
                token = response.unitsPage?.nextPageToken ?? ""
            }
            #expect(units.map(\.generatingUnitId) == sorted, "every unit exactly once")
            #expect(units.allSatisfy { $0.outcome == .issued && $0.certificates == 2 && $0.deposited })

            // By vintage too, the first page of the default size.
            var byVintage = Recs_Issuance_V1_GetIssuanceCycleRequest()
            var vintage = Recs_Common_V1_Vintage()
            (vintage.year, vintage.month) = (2026, 1)
            byVintage.cycle = .vintage(vintage)
            let first = try await h.client.getIssuanceCycle(byVintage)
            #expect(first.cycle?.units == cycle.units && first.unitsPage?.nextPageToken == sorted[99])

            for bad in ["W-1", "", " W1"] where !bad.isEmpty {
                var page = Recs_Common_V1_PageRequest()
                page.pageToken = bad
                byVintage.unitsPage = page
                let error = try await expectStatus(.invalidArgument) { _ = try await h.client.getIssuanceCycle(byVintage) }
                #expect(error.message.contains("units_page.page_token"), "\(bad): \(error.message)")
            }
        }
    }
}
