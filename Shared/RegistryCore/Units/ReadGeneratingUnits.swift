import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// GetGeneratingUnit: a unit, for whoever may view its account.
struct ReadGeneratingUnits {
    let journal: RequestJournal

    func get(
        _ request: Recs_Registry_V1_GetGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_GetGeneratingUnitResponse {
        let unitID = try RegistryRules.parse(field: "generating_unit_id") { () throws(RuleViolation) in
            try GeneratingUnitID(parsing: request.generatingUnitId)
        }.description
        return try await journal.read { transaction in
            guard let unit = try transaction.generatingUnit(unitID) else {
                throw RegistryErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
            }
            try context.authorize(.viewAccount, on: AccessTarget(organizationID: unit.organizationId, generatingUnitID: unitID))
            var response = Recs_Registry_V1_GetGeneratingUnitResponse()
            response.generatingUnit = unit
            return response
        }
    }
}
