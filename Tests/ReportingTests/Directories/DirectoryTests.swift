import Foundation
import GRPCWire
import ProtoMessages
import ReportingCore
import StorageTestSupport
import ServiceTestSupport
import Testing

/// The public directories (§19.2.1, §19.2.2) from the registry feed.
@Suite("public directories")
struct DirectoryTests {
    @Test("§19.2.2: approved units only, one row per fuel of a multi-fuel unit, with the holder's name", arguments: TestDatabaseKind.allCases)
    func activeGenerators(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            for event in Fixtures.registryEvents() { harness.registry.append(event) }
            try await harness.catchUp()
            let response = try await harness.client.listActiveGenerators(Recs_Reporting_V1_ListActiveGeneratorsRequest())
            // 88888 is registered, not approved.
            #expect(response.generators.map(\.generatingUnitId) == ["99999", "99999"])
            #expect(response.generators.map(\.fuelTypeCode) == ["WND", "SO1"])
            #expect(response.generators.map(\.fuelSourceCodes) == [["WND1"], ["SUN", "PV"]])
            let first = try #require(response.generators.first)
            #expect(first.multiFuel)
            #expect(first.accountHolderName == "Sunny Acres LLC")
            #expect(first.organizationId == "A1")
            #expect(first.generatingUnitName == "Unit 99999")
            #expect(first.facilityName == "Facility 99999")
            #expect(first.stateOrProvince == "CA")
            #expect(first.ownershipTypes == [.investorOwnedUtility])
            #expect(first.commencedOperationOn == Fixtures.date(2020, 6, 1))
            #expect(first.nameplateCapacityWatts == 2_000_000)
            #expect(response.page?.nextPageToken ?? "" == "")

            // Approving 88888 lists it; inactivating 99999 removes both of its rows.
            harness.registry.append(Fixtures.registryEvent(8, .generatingUnit(
                Fixtures.unit("88888", organization: "A3", status: .approved, fuels: [Fixtures.fuel("SO1", ["SUN"])]))))
            harness.registry.append(Fixtures.registryEvent(9, .generatingUnit(
                Fixtures.unit("99999", organization: "A1", status: .inactive, fuels: Fixtures.windAndSolar))))
            try await harness.catchUp()
            let after = try await harness.client.listActiveGenerators(Recs_Reporting_V1_ListActiveGeneratorsRequest())
            #expect(after.generators.map(\.generatingUnitId) == ["88888"])
            #expect(after.generators.first?.multiFuel == false)
            #expect(after.generators.first?.accountHolderName == "Buyer Co")
        }
    }

    @Test("Paging (docs/API.md): page by page through every row, then an empty token; foreign tokens refused")
    func generatorPaging() async throws {
        try await withReporting(.sqlite) { harness in
            for event in Fixtures.registryEvents() { harness.registry.append(event) }
            harness.registry.append(Fixtures.registryEvent(8, .generatingUnit(
                Fixtures.unit("88888", organization: "A3", status: .approved, fuels: [Fixtures.fuel("SO1", ["SUN"])]))))
            try await harness.catchUp()
            var seen: [String] = []
            var request = Recs_Reporting_V1_ListActiveGeneratorsRequest()
            var page = Recs_Common_V1_PageRequest()
            page.pageSize = 2
            request.page = page
            for _ in 0..<5 {
                let response = try await harness.client.listActiveGenerators(request)
                seen += response.generators.map { "\($0.generatingUnitId) \($0.fuelTypeCode)" }
                let token = response.page?.nextPageToken ?? ""
                if token.isEmpty { break }
                request.page?.pageToken = token
            }
            #expect(seen == ["88888 SO1", "99999 WND", "99999 SO1"])

            request.page?.pageToken = "not a token"
            let error = try await expectStatus(.invalidArgument) { _ = try await harness.client.listActiveGenerators(request) }
            #expect(error.message.contains("page_token"))
        }
    }

    @Test("§19.2.1: active organizations with name and contact, filtered by type, paged in id order", arguments: TestDatabaseKind.allCases)
    func activeAccountHolders(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            for event in Fixtures.registryEvents() { harness.registry.append(event) }
            harness.registry.append(Fixtures.registryEvent(8, .organization(Fixtures.organization("A10", "Inactive Co", status: .inactive))))
            harness.registry.append(Fixtures.registryEvent(9, .organization(Fixtures.organization("A11", "Later Co"))))
            try await harness.catchUp()

            var request = Recs_Reporting_V1_ListActiveAccountHoldersRequest()
            let all = try await harness.client.listActiveAccountHolders(request)
            #expect(all.accountHolders.map(\.organizationId) == ["A1", "A2", "A3", "A11"])
            #expect(all.accountHolders.first?.name == "Sunny Acres LLC")
            #expect(all.accountHolders.first?.contact?.email == "a1@example.org")

            request.type = .accountHolder
            var page = Recs_Common_V1_PageRequest()
            page.pageSize = 2
            request.page = page
            let first = try await harness.client.listActiveAccountHolders(request)
            #expect(first.accountHolders.map(\.organizationId) == ["A1", "A3"])
            request.page?.pageToken = try #require(first.page?.nextPageToken)
            let second = try await harness.client.listActiveAccountHolders(request)
            #expect(second.accountHolders.map(\.organizationId) == ["A11"])
            #expect(second.page?.nextPageToken ?? "" == "")
        }
    }
}
