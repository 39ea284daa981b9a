import GRPCWire
import Domain
import Foundation
import Ledger
import ProtoMessages
import RPC
import ServiceKit

/// Ends a pending one-time transfer through the domain's ``InterAccountTransfer`` state machine
/// (§15.2, §15.3; M-RETS §4.6.1): the recipient accepts or rejects, the sender withdraws, the
/// clock expires it after 14 days. An answer after the expiry instant is refused by the machine
/// even before the sweep ran. The ledger completes or releases the hold in the same transaction as
/// the record, the event and the request's outcome.
struct EndTransfer {
    enum Ending: Sendable {
        case accept, reject(reason: String), withdraw, expire

        var method: String {
            switch self {
            case .accept: "AcceptTransfer"
            case .reject: "RejectTransfer"
            case .withdraw: "WithdrawTransfer"
            case .expire: "TransferExpired"
            }
        }

        func event(at now: Date) -> InterAccountTransfer.Event {
            switch self {
            case .accept: .accept(by: .transferee, at: now)
            case .reject: .reject(by: .transferee, at: now)
            case .withdraw: .withdraw(by: .transferor, at: now)
            case .expire: .timePassed(at: now)
            }
        }
    }

    let store: TransferStore

    /// Runs `ending` on transfer `transferID` under `requestID` (`request` is what the caller
    /// sent, for the idempotency fingerprint; the expiry sweep passes its own). Returns the ended
    /// transfer in full, as recorded for the request id (the caller shows each party its side).
    func run<Request: ProtoMessage>(
        _ ending: Ending, transferID: String, request: Request, requestID: String, context: ServerContext?,
        actor: Recs_Common_V1_Actor, now: Date, clearing: @escaping (inout Request) -> Void
    ) async throws -> Recs_Transfer_V1_Transfer {
        try await store.journal.mutate(ending.method, request, requestID: requestID, now: now, actor: actor, clearing: clearing) {
            transaction in
            guard var record = try transaction.transfer(id: transferID) else {
                throw ServiceErrors.notFound("transfer \(transferID)", field: "transfer_id")
            }
            if let context {
                switch ending {
                case .accept, .reject:
                    // §15.2: only the recipient answers, with Certificate Management over the receiving subaccount.
                    try context.authorize(
                        .manageCertificates, on: AccessTarget(organizationID: record.toOrganization, subaccountID: record.toSubaccount))
                case .withdraw:
                    try context.authorize(
                        .manageCertificates, on: AccessTarget(organizationID: record.fromOrganization, subaccountID: record.fromSubaccount))
                case .expire:
                    break
                }
            }
            var machine = record.machine(in: transaction.timeZone)
            let actions = try machine.apply(ending.event(at: now))
            let completes = actions.contains(.moveCertificatesToTransferee)
            guard completes || actions.contains(.releaseCertificates) else {
                // Time passed and nothing was due (the sweep saw a transfer answered meanwhile).
                throw ServiceErrors.failedPrecondition("transfer \(transferID) is not due to expire", reason: "NOT_DUE")
            }
            let operation = try TransferMessages.prepare { () throws(LedgerError) in
                try store.ledger.settlingTransfer(
                    requestID: try RequestID(transaction.requestID), hold: try HoldID(transferID), completes: completes, at: now)
            }
            let change = try TransferMessages.apply(operation, &transaction)
            record.state =
                switch machine.state {
                case .completed: .completed
                case .rejected: .rejected
                case .withdrawn: .withdrawn
                case .expired: .expired
                case .pending, .accepted: record.state
                }
            record.answeredAtMilliseconds = TransferStore.milliseconds(change.at)
            record.endedBy = transaction.requestID
            if case .reject(let reason) = ending { record.reason = reason }
            try transaction.saveTransfer(record)
            let message = TransferMessages.transferMessage(record)
            try transaction.appendTransferEvent(action: ending.method, actor: actor, .transfer(message))
            return message
        }
    }
}
