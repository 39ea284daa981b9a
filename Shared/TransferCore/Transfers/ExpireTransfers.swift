import GRPCWire
import Foundation
import ProtoMessages
import RPC
import ServiceKit

/// §15.2, §15.3; M-RETS §4.6.1: pending transfers unanswered 14 days after their request expire,
/// and the certificates go back to the sender, active. Each expiry is a request of its own
/// (`expire:<transfer id>`) through the journal, by the scheduler.
struct ExpireTransfers {
    let store: TransferStore

    static var scheduler: Recs_Common_V1_Actor {
        var actor = Recs_Common_V1_Actor()
        actor.kind = .scheduler
        actor.id = "transfer expiry"
        return actor
    }

    /// Expires what is due at `now`; returns the transfers it expired.
    func run(now: Date) async throws -> [Recs_Transfer_V1_Transfer] {
        let due = try await store.journal.read { transaction in try transaction.expiredTransfers(at: now) }
        var expired: [Recs_Transfer_V1_Transfer] = []
        for record in due {
            var request = Recs_Transfer_V1_GetTransferRequest()
            request.transferId = record.id
            do {
                expired.append(
                    try await EndTransfer(store: store).run(
                        .expire, transferID: record.id, request: request, requestID: "expire:\(record.id)", context: nil,
                        actor: Self.scheduler, now: now, clearing: { _ in }))
            } catch let error as RPCError where error.code == .failedPrecondition {
                continue  // answered meanwhile, or recorded as not due
            }
        }
        return expired
    }
}
