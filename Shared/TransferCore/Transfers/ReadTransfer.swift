import GRPCWire
import Domain
import ProtoMessages
import RPC
import ServiceKit

/// GetTransfer: either party may read a transfer, each seeing its own side (M-RETS shows the
/// destination organization only); to anybody else it does not exist.
struct ReadTransfer {
    let store: TransferStore

    func get(_ request: Recs_Transfer_V1_GetTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_GetTransferResponse {
        guard !request.transferId.isEmpty, request.transferId.utf8.count <= RequestJournal.requestIDCharactersMax else {
            throw ServiceErrors.invalid("transfer_id", "is required (the request id of the transfer's request)")
        }
        let record = try await store.journal.read { transaction in try transaction.transfer(id: request.transferId) }
        guard let record,
            context.permits(.viewAccount, on: AccessTarget(organizationID: record.fromOrganization))
                || context.permits(.viewAccount, on: AccessTarget(organizationID: record.toOrganization))
        else { throw ServiceErrors.notFound("transfer \(request.transferId)", field: "transfer_id") }
        var response = Recs_Transfer_V1_GetTransferResponse()
        response.transfer = TransferMessages.visible(TransferMessages.transferMessage(record), for: context)
        return response
    }
}
