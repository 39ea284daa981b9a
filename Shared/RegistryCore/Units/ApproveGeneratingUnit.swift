import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §5.3.1: only approved units are eligible for certificates; §5.3: not before commercial
/// operation. (Administrator only, once callers are identified.)
struct ApproveGeneratingUnit {
    let journal: RequestJournal

    func handle(
        _ request: Recs_Registry_V1_ApproveGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ApproveGeneratingUnitResponse {
        let actor = context.caller.actor
        return try await journal.mutate("ApproveGeneratingUnit", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            let unitID = try RegistryRules.parse(field: "generating_unit_id") { () throws(RuleViolation) in
                try GeneratingUnitID(parsing: request.generatingUnitId)
            }.description
            guard var unit = try transaction.generatingUnit(unitID) else {
                throw RegistryErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
            }
            switch unit.status {
            case .registered, .suspended, .inactive: break
            case .approved:
                throw RegistryErrors.failedPrecondition(
                    "generating_unit_id: \(unitID) is already approved (Operating Rules §5.3.1)", reason: "UNIT_ALREADY_APPROVED")
            default:
                throw RegistryErrors.failedPrecondition(
                    "generating_unit_id: \(unitID) is terminated and cannot be approved (Operating Rules §5.3.7)",
                    reason: "UNIT_TERMINATED")
            }
            let today = RegistryRules.utcDate(transaction.now)
            if let commenced = unit.staticData?.commencedOperationOn, RegistryRules.isAfter(commenced, today) {
                throw RegistryErrors.failedPrecondition(
                    "generating_unit_id: \(unitID) has not reached commercial operation (static_data.commenced_operation_on is in the future; Operating Rules §5.3)",
                    reason: "COMMERCIAL_OPERATION_NOT_REACHED")
            }
            unit.status = .approved
            unit.approvedOn = today
            var due = today
            due.year += 1
            if due.month == 2, due.day == 29 { due.day = 28 }
            unit.annualReviewDueOn = due
            unit.statusChangedAt = transaction.timestamp
            try transaction.updateGeneratingUnit(unit, statusChanged: true)
            try transaction.appendEvent(action: "ApproveGeneratingUnit", actor: actor, .generatingUnit(unit))
            var response = Recs_Registry_V1_ApproveGeneratingUnitResponse()
            response.generatingUnit = unit
            return response
        }
    }
}
