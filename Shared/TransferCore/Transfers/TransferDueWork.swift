import Foundation
import ServiceKit

/// §15.2, §15.3: what falls due in the transfer service as time passes: the expiry of each pending
/// transfer 14 days after its request (run by the sweep in production, by a simulated clock's
/// Advance in tests, ADR 0007).
struct TransferDueWork: DueWork {
    let service: TransferService

    func nextDue(until: Date) async throws -> Date? {
        let until = TransferStore.milliseconds(until)
        let earliest = try await service.store.journal.read { transaction in
            try transaction.sql.queryFirst(
                "SELECT MIN(expires_at_unix_ms) AS due FROM transfers WHERE state = 'pending' AND expires_at_unix_ms <= $1", .int64(until)
            )?.optionalInt64("due")
        }
        return earliest.map(TransferStore.date)
    }

    func run(at now: Date) async throws -> [String] {
        try await service.expirePendingTransfers(now: now).map { "TransferExpired \($0.transferId)" }
    }
}
