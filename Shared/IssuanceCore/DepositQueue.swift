import Foundation
import GRPCWire
import Logging
import ProtoMessages
import RPC
import Storage
import Synchronization

/// Deposits issued batches through transfer (§14.2), exactly once in effect: each batch is sent with
/// a request id derived from its number (`deposit:<batch>`, docs/API.md idempotency rule 7) and
/// transfer takes a batch number once whatever the id, so a deposit repeated after a crash or a lost
/// answer changes nothing. A batch is marked deposited only after transfer has confirmed it.
///
/// Runs after every RunIssuanceCycle and, in the executable, every few seconds, so a batch issued
/// while transfer was down is deposited once it is back.
public final class DepositQueue: Sendable {
    let store: IssuanceStore
    let depositor: any CertificateDepositor
    let logger: Logger
    let clock: @Sendable () -> Date
    /// One pass at a time in this process: a second caller does not send the same batches again.
    private let running = Mutex(false)
    /// Batches read per page of a pass.
    static let batchesPerPageMax = 100

    init(store: IssuanceStore, depositor: any CertificateDepositor, logger: Logger, clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.depositor = depositor
        self.logger = logger
        self.clock = clock
    }

    /// The request id of a batch's deposit: the same on every attempt.
    public static func requestID(batchNumber: Int64) -> String { "deposit:\(batchNumber)" }

    /// Deposits every batch not yet deposited, oldest first. Stops at the first batch transfer does
    /// not take (it is down, or refuses it): the rest wait for the next pass. Returns whether
    /// nothing is left outstanding.
    @discardableResult
    public func depositOutstanding() async -> Bool {
        guard running.withLock({ running in
            defer { running = true }
            return !running
        }) else { return false }
        defer { running.withLock { $0 = false } }
        do {
            // Each pass moves past every batch it sends, so it ends even if a batch stays outstanding.
            var after: Int64 = 0
            while true {
                try Task.checkCancellation()
                let start = after
                let page = try await store.write { sql in
                    try sql.pendingDeposits(after: start, limit: Self.batchesPerPageMax)
                }
                guard let last = page.last else { break }
                for pending in page {
                    try await deposit(pending)
                }
                after = last.batch.number
            }
            return try await store.write { sql in try sql.pendingDeposits(after: 0, limit: 1).isEmpty }
        } catch is CancellationError {
            return false
        } catch {
            logger.warning("depositing certificates failed; retrying later", metadata: ["error": "\(error)"])
            return false
        }
    }

    func deposit(_ pending: PendingDeposit) async throws {
        var request = Recs_Transfer_V1_DepositCertificatesRequest()
        request.requestId = Self.requestID(batchNumber: pending.batch.number)
        request.batch = pending.batch.wire
        request.organizationId = pending.organizationID
        request.depositSubaccountId = pending.subaccountID
        request.sourceId = pending.cycleID
        try await depositor.deposit(request)
        let number = pending.batch.number
        let now = Int64((clock().timeIntervalSince1970 * 1_000).rounded(.down))
        try await store.write { sql in try sql.markDeposited(batchNumber: number, at: now) }
        logger.info("batch deposited", metadata: ["batch": "\(number)", "cycle": "\(pending.cycleID)"])
    }
}
