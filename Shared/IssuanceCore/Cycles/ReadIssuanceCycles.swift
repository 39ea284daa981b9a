import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// GetIssuanceCycle and ListIssuanceCycles: the vintages' cycles with their outcomes, for the administrator.
struct ReadIssuanceCycles {
    let store: IssuanceStore

    func get(
        _ request: Recs_Issuance_V1_GetIssuanceCycleRequest
    ) async throws -> Recs_Issuance_V1_GetIssuanceCycleResponse {
        let paging = try Paging(request.unitsPage, field: "units_page")
        // The last unit id of the previous page, as this method wrote it.
        let after = try paging.after { token in (try? GeneratingUnitID(parsing: token)).flatMap { $0.description == token ? token : nil } }
        let cycle: Recs_Issuance_V1_IssuanceCycle
        switch request.cycle {
        case .issuanceCycleId(let id):
            cycle = try await store.read { transaction in
                guard let cycle = try transaction.cycle(id: id) else {
                    throw ServiceErrors.notFound("issuance cycle \(id)", field: "issuance_cycle_id")
                }
                return cycle
            }
        case .vintage(let proto):
            let vintage = try IssuanceRules.vintage(proto, field: "vintage")
            cycle = try await store.read { transaction in
                guard let cycle = try transaction.cycle(vintage: vintage) else {
                    throw ServiceErrors.notFound("the issuance cycle of \(vintage)", field: "vintage")
                }
                return cycle
            }
        case nil:
            throw ServiceErrors.invalid("cycle", "give issuance_cycle_id or vintage")
        }
        var response = Recs_Issuance_V1_GetIssuanceCycleResponse()
        (response.cycle, response.unitsPage) = try await store.withUnits(cycle, paging, after: after ?? "")
        return response
    }

    /// Cycles in vintage order, without `units` (GetIssuanceCycle has them).
    func list(
        _ request: Recs_Issuance_V1_ListIssuanceCyclesRequest
    ) async throws -> Recs_Issuance_V1_ListIssuanceCyclesResponse {
        let (size, after) = try IssuanceRules.page(request.page)
        let vintages = try IssuanceRules.vintageRange(request.vintages)
        return try await store.read { transaction in
            let rows = try transaction.cycles(afterVintageIndex: after, limit: size + 1, vintages: vintages)
            var response = Recs_Issuance_V1_ListIssuanceCyclesResponse()
            response.cycles = rows.prefix(size).map(\.cycle)
            response.page = IssuanceRules.nextPage(rows.count > size ? rows.prefix(size).last?.vintageIndex : nil)
            return response
        }
    }
}

extension IssuanceStore {
    /// The cycle with one page of its per-unit outcomes after unit `after` (docs/API.md, Paging),
    /// their deposit state as it is now, and the count of all of them.
    func withUnits(
        _ cycle: Recs_Issuance_V1_IssuanceCycle, _ paging: Paging, after: String
    ) async throws -> (Recs_Issuance_V1_IssuanceCycle, Recs_Common_V1_PageResponse) {
        try await read { transaction in
            var cycle = cycle
            let units = try transaction.unitResults(cycleID: cycle.issuanceCycleId, afterUnitID: after, limit: paging.size + 1)
            cycle.unitCount = try transaction.unitCount(cycleID: cycle.issuanceCycleId)
            let page: Recs_Common_V1_PageResponse
            (cycle.units, page) = paging.fill(units.map { ($0.generatingUnitId, $0) })
            return (cycle, page)
        }
    }
}
