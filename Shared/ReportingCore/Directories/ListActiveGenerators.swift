import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §19.2.2: approved units, one row per registered fuel. Public and unfiltered: the §19.1
/// confidentiality threshold applies to statistics (GetCertificateActivityReport), not to this
/// directory, which the rules publish unit by unit.
struct ListActiveGenerators {
    let store: ReportingStore

    func handle(_ request: Recs_Reporting_V1_ListActiveGeneratorsRequest) async throws -> Recs_Reporting_V1_ListActiveGeneratorsResponse {
        let size = try ReportingRules.pageSize(request.page)
        let after = try Self.generatorToken(request.page?.pageToken ?? "")
        let rows = try await store.activeGenerators(after: after, limit: size + 1)
        var response = Recs_Reporting_V1_ListActiveGeneratorsResponse()
        response.generators = rows.prefix(size).map(Self.listing)
        var page = Recs_Common_V1_PageResponse()
        if rows.count > size, let last = rows.prefix(size).last {
            page.nextPageToken = "\(last.unit.id)/\(last.position)"
        }
        response.page = page
        return response
    }

    /// The listing of one fuel of the unit, made from reporting's record of it (ADR 0010).
    static func listing(_ row: ReportingStore.GeneratorRow) -> Recs_Reporting_V1_GeneratorListing {
        let unit = row.unit
        var listing = Recs_Reporting_V1_GeneratorListing()
        listing.generatingUnitId = unit.id
        listing.generatingUnitName = unit.name
        listing.facilityName = unit.facilityName
        listing.stateOrProvince = unit.stateOrProvince
        listing.organizationId = unit.organizationID
        listing.accountHolderName = row.accountHolderName
        listing.ownershipTypes = unit.ownershipTypes.map(Recs_Common_V1_OwnershipType.init(rawValue:))
        listing.fuelTypeCode = row.fuelTypeCode
        listing.fuelSourceCodes = row.fuelSourceCodes
        listing.commencedOperationOn = unit.commencedOperationOn?.proto
        listing.nameplateCapacityWatts = unit.nameplateCapacityWatts
        listing.multiFuel = unit.multiFuel
        return listing
    }

    /// `unit/position` of the last row of the previous page.
    static func generatorToken(_ token: String) throws -> (unit: String, position: Int64)? {
        guard !token.isEmpty else { return nil }
        let parts = token.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let position = Int64(parts[1]), position >= 0 else {
            throw ServiceErrors.invalid("page.page_token", "the page token was not returned by this method (docs/API.md, paging)")
        }
        return (String(parts[0]), position)
    }
}
