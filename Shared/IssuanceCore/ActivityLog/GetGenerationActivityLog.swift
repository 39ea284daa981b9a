import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §12.6: the unit's log, oldest entry first, and its balance now.
struct GetGenerationActivityLog {
    let store: IssuanceStore

    func handle(
        _ request: Recs_Issuance_V1_GetGenerationActivityLogRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetGenerationActivityLogResponse {
        guard request.vintages == nil else {
            throw RPCError(.unimplemented, "GetGenerationActivityLog with vintages is not implemented yet")
        }
        let unitID = try IssuanceRules.unitID(request.generatingUnitId, field: "generating_unit_id")
        let (size, after) = try IssuanceRules.page(request.page)
        return try await store.read { transaction in
            guard let unit = try transaction.unit(unitID) else {
                throw ServiceErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
            }
            // §12.6: the unit's account; its designated reporting entity sees what it reported.
            if !context.permits(.reportGeneration, on: IssuanceRules.target(unit)) {
                try context.authorize(.viewAccount, on: IssuanceRules.target(unit))
            }
            let rows = try transaction.logEntries(unitID: unitID, afterNumber: after, limit: size + 1)
            var response = Recs_Issuance_V1_GetGenerationActivityLogResponse()
            response.generatingUnitId = unitID
            response.balance = IssuanceCodes.energy(unit.balanceKilowattHours)
            response.entries = rows.prefix(size).map(\.entry)
            response.page = IssuanceRules.nextPage(rows.count > size ? rows.prefix(size).last?.number : nil)
            return response
        }
    }
}
