import GRPCWire
import Domain
import Foundation
import Ledger
import ProtoMessages
import RPC
import ServiceKit

/// §15.2, M-RETS §4.6.1: certificates of one Active subaccount offered to another organization,
/// frozen until it answers or 14 days pass. The caller needs Certificate Management over the
/// source subaccount (§7.1, §7.3); the recipient's default Active subaccount receives them.
struct RequestInterAccountTransfer {
    let store: TransferStore
    let registry: RegistryLookup

    func handle(
        _ request: Recs_Transfer_V1_RequestInterAccountTransferRequest, context: ServerContext, now: Date
    ) async throws -> Recs_Transfer_V1_RequestInterAccountTransferResponse {
        let requestID = try TransferMessages.requestID(request.requestId)
        guard request.executionDate == nil else {
            throw RPCError(.unimplemented, "RequestInterAccountTransfer with an execution_date is not implemented yet")
        }
        try TransferMessages.checkNotes(request.notes, field: "notes")
        let from = try TransferMessages.organization(request.organizationId, field: "organization_id").description
        let to = try TransferMessages.organization(request.toOrganizationId, field: "to_organization_id").description
        guard to != from else {
            throw ServiceErrors.invalid("to_organization_id", "another organization is required (§15.2; §15.1 covers the same organization)")
        }
        let selections = try TransferMessages.selections(request.items)
        try context.authorize(.manageCertificates, on: AccessTarget(organizationID: from))
        // A recipient created a moment ago may not have reached the ledger yet.
        try await registry.ensureKnown { transaction in try transaction.defaultActiveSubaccount(of: to) != nil }
        let actor = context.caller.actor
        let (transfer, _) = try InterAccountTransfer.request(at: now, timeZone: store.journal.clock.timeZone)
        let transferMessage = try await store.journal.mutate(
            "RequestInterAccountTransfer", request, requestID: request.requestId, now: now, actor: context.caller.actor, clearing: { $0.requestId = "" }
        ) { transaction in
            let source = try TransferMessages.sourceSubaccount(of: selections, organization: from, &transaction)
            try context.authorize(.manageCertificates, on: AccessTarget(organizationID: from, subaccountID: source.description))
            guard let destinationText = try transaction.defaultActiveSubaccount(of: to) else {
                throw ServiceErrors.notFound("an Active subaccount of organization \(to)", field: "to_organization_id")
            }
            let destination = try TransferMessages.subaccount(destinationText, field: "to_organization_id")
            let operation = try TransferMessages.prepare { () throws(LedgerError) in
                try store.ledger.freezingForTransfer(
                    requestID: requestID, hold: try HoldID(requestID.description), selections: selections, from: source, to: destination,
                    at: now)
            }
            let change = try TransferMessages.apply(operation, &transaction)
            let requestedAt = TransferStore.milliseconds(change.at)
            let record = TransferRecord(
                id: requestID.description, state: .pending, fromOrganization: from, fromSubaccount: source.description,
                toOrganization: to, toSubaccount: destination.description, serials: change.serials, quantity: change.quantity,
                requestedAtMilliseconds: requestedAt, expiresAtMilliseconds: TransferStore.milliseconds(transfer.expiresAt),
                answeredAtMilliseconds: nil, notes: request.notes, reason: "")
            try transaction.saveTransfer(record)
            let message = TransferMessages.transferMessage(record)
            try transaction.appendTransferEvent(action: "RequestInterAccountTransfer", actor: actor, .transfer(message))
            return message
        }
        var response = Recs_Transfer_V1_RequestInterAccountTransferResponse()
        response.transfer = TransferMessages.visible(transferMessage, for: context)
        return response
    }
}
