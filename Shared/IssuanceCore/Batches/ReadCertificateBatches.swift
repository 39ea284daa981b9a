import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// GetCertificateBatch and ListCertificateBatches: the batches issuance made, for the issuing
/// unit's account and the administrator.
struct ReadCertificateBatches {
    let store: IssuanceStore

    func get(
        _ request: Recs_Issuance_V1_GetCertificateBatchRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetCertificateBatchResponse {
        let number = request.batchNumber
        guard number >= 1 else { throw ServiceErrors.invalid("batch_number", "must be 1 or more") }
        return try await store.read { transaction in
            guard let (batch, cycleID) = try transaction.batch(number: number) else {
                throw ServiceErrors.notFound("batch \(number)", field: "batch_number")
            }
            // The issuing unit's account; later holders read the certificates through reporting's look-up.
            try IssuanceRules.authorizeUnitRead(batch.fields.generatingUnitID, context, &transaction)
            var response = Recs_Issuance_V1_GetCertificateBatchResponse()
            response.batch = batch.wire
            response.issuanceCycleId = cycleID
            return response
        }
    }

    func list(
        _ request: Recs_Issuance_V1_ListCertificateBatchesRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_ListCertificateBatchesResponse {
        let (size, after) = try IssuanceRules.page(request.page)
        let unitID = request.generatingUnitId.isEmpty ? nil : try IssuanceRules.unitID(request.generatingUnitId, field: "generating_unit_id")
        let cycleID = request.issuanceCycleId.isEmpty ? nil : request.issuanceCycleId
        let filter = try IssuanceRules.vintageRange(request.vintages)
        return try await store.read { transaction in
            if let unitID {
                try IssuanceRules.authorizeUnitRead(unitID, context, &transaction)
            } else if !context.permits(.administer, on: AccessTarget()) {
                throw ServiceErrors.invalid(
                    "generating_unit_id", "is required: only the administrator lists the batches of every unit (Operating Rules §7)")
            }
            let batches = try transaction.batches(afterNumber: after, limit: size + 1, unitID: unitID, cycleID: cycleID, vintages: filter)
            var response = Recs_Issuance_V1_ListCertificateBatchesResponse()
            response.batches = batches.prefix(size).map(\.wire)
            response.page = IssuanceRules.nextPage(batches.count > size ? batches.prefix(size).last?.number : nil)
            return response
        }
    }
}
