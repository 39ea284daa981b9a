import Domain
import Foundation
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// The issuance service's checks of request fields, paging and unit access that several use cases
/// share.
enum IssuanceRules {
    static func checkRequestID(_ requestID: String) throws {
        try RequestJournal.checkRequestID(requestID)
    }

    static func parse<T>(field: String, _ parse: () throws(RuleViolation) -> T) throws -> T {
        do {
            return try parse()
        } catch {
            throw ServiceErrors.status(error, field: field)
        }
    }

    static func unitID(_ text: String, field: String) throws -> String {
        try parse(field: field) { () throws(RuleViolation) in try GeneratingUnitID(parsing: text) }.description
    }

    static func vintage(_ proto: Recs_Common_V1_Vintage, field: String) throws -> Vintage {
        try parse(field: field) { () throws(RuleViolation) in try IssuanceCodes.domain(proto) }
    }

    /// A `VintageRange` filter as `vintage_index` bounds; nil when absent.
    static func vintageRange(_ range: Recs_Common_V1_VintageRange?) throws -> ClosedRange<Int64>? {
        guard let range else { return nil }
        let first = try vintage(range.first ?? Recs_Common_V1_Vintage(), field: "vintages.first")
        let last = try vintage(range.last ?? Recs_Common_V1_Vintage(), field: "vintages.last")
        guard first <= last else { throw ServiceErrors.invalid("vintages", "first is after last") }
        return IssuanceCodes.index(first)...IssuanceCodes.index(last)
    }

    /// docs/API.md, paging: the page size and the number the page token says the previous page
    /// ended at (0 on the first page).
    static func page(_ page: Recs_Common_V1_PageRequest?) throws -> (size: Int, after: Int64) {
        let paging = try Paging(page)
        return (paging.size, try paging.afterNumber() ?? 0)
    }

    static func nextPage(_ lastNumber: Int64?) -> Recs_Common_V1_PageResponse {
        var page = Recs_Common_V1_PageResponse()
        if let lastNumber { page.nextPageToken = String(lastNumber) }
        return page
    }

    // MARK: Access

    /// The policy's target for a unit: its account, and its designated reporting entity.
    static func target(_ unit: StoredUnit) -> AccessTarget {
        let entity = unit.record.reportingEntity.organizationID
        return AccessTarget(
            organizationID: unit.record.organizationID, generatingUnitID: unit.id, reportingEntity: entity.isEmpty ? nil : entity)
    }

    /// The unit's account (and the administrator) may read what issuance holds about it; anybody
    /// else is refused. A unit issuance does not know is NOT_FOUND to everyone.
    static func authorizeUnitRead(_ unitID: String, _ context: ServerContext, _ transaction: inout JournalTransaction) throws {
        guard let unit = try transaction.unit(unitID) else {
            throw ServiceErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
        }
        try context.authorize(.viewAccount, on: Self.target(unit))
    }
}
