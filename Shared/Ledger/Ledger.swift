import Domain
import Foundation
import Storage

/// The transfer service's ledger of holdings: which subaccount holds which serial numbers, with which
/// status.
///
/// Certificates are kept as ranges (`holdings`), never one row per certificate: a batch of a million
/// certificates is one row until someone moves part of it. Every mutating operation is one database
/// transaction that reads the holdings it needs, splits them with the domain's range arithmetic
/// (``CertificateNumberRange/removing(_:)``), decides the new status with the domain's state machine
/// (``CertificateLifecycle``) and the allowed flow with ``SubaccountFlow``, and writes the pieces
/// back; adjacent pieces with identical attributes are merged again. The schema makes overlapping
/// ranges and ranges outside their batch impossible; ``checkConservation()`` verifies that the
/// holdings of every batch cover it exactly.
///
/// Every mutating operation takes a client-supplied ``RequestID``: a retry with the same id and the
/// same request returns the first outcome without changing anything; the same id with a different
/// request is refused (`requestIDReused`). Refused requests (rule violations) are not recorded, so a
/// retry of one is evaluated again.
public struct Ledger: Sendable {
    /// Extra writes a caller makes in the same transaction as a change, e.g. the owning service's
    /// event for it, so the change and its record commit or fail together. Not called when a
    /// retried request id replays its first outcome.
    public typealias ChangeHook = @Sendable (inout SQLTransaction, LedgerChange) throws -> Void

    public let database: any Database
    /// Merge adjacent holdings with identical attributes after each change, so that a range moved
    /// piece by piece ends up as one row again.
    public let mergesAdjacentHoldings: Bool

    public static var migrations: [Migration] { LedgerSchema.migrations }
    /// For a service that embeds the ledger: the ledger's first migrations, which come before the
    /// service's own, and the later ones it appends after them (``LedgerSchema``).
    public static var baseMigrations: [Migration] { LedgerSchema.baseMigrations }
    public static var laterMigrations: [Migration] { [LedgerSchema.requestsRename] }
    /// Ledger migrations written after the embedding service's own list had grown past
    /// ``laterMigrations``: it appends these at its end.
    public static var seekMigrations: [Migration] { [LedgerSchema.neighbourSeeks] }

    public init(database: any Database, mergesAdjacentHoldings: Bool = true) {
        self.database = database
        self.mergesAdjacentHoldings = mergesAdjacentHoldings
    }

    /// A ledger on `database`, whose schema is brought up to date first.
    public static func open(database: any Database, mergesAdjacentHoldings: Bool = true) async throws(LedgerError) -> Ledger {
        let ledger = Ledger(database: database, mergesAdjacentHoldings: mergesAdjacentHoldings)
        try await ledger.migrate()
        return ledger
    }

    public func migrate() async throws(LedgerError) {
        do {
            try await database.migrate(Self.migrations)
        } catch {
            throw LedgerError(wrapping: error)
        }
    }

    // MARK: Subaccounts

    /// Records a subaccount the registry created (§6). Registering the same subaccount again is a
    /// no-op; registering an id with another organization or kind is refused.
    public func register(_ subaccount: LedgerSubaccount, at: Date) async throws(LedgerError) {
        try await run { transaction in try Self.register(subaccount, at: at, in: &transaction) }
    }

    /// ``register(_:at:)`` inside a caller's transaction (a consumer of the registry's event feed
    /// records the subaccount and its feed position together).
    public static func register(_ subaccount: LedgerSubaccount, at: Date, in transaction: inout SQLTransaction) throws {
        try transaction.execute(
            """
            INSERT INTO subaccounts (subaccount_id, organization_id, kind, registered_at_unix_ms)
            VALUES ($1, $2, $3, $4) ON CONFLICT (subaccount_id) DO NOTHING
            """,
            .text(subaccount.id.description), .text(subaccount.organization.description), .text(subaccount.kind.rawValue),
            .int64(milliseconds(at)))
        let stored = try loadSubaccount(&transaction, subaccount.id)
        guard stored == subaccount else {
            throw LedgerError(
                .alreadyExists, "subaccount \(subaccount.id) is already registered for \(stored.organization) as a \(stored.kind) subaccount")
        }
    }

    // MARK: Issuance

    /// Deposits a newly issued batch into an Active subaccount (§14.2), exactly once per batch.
    public func deposit(
        requestID: RequestID, batch: CertificateBatch, into destination: SubaccountID, at: Date, also: ChangeHook? = nil
    ) async throws(LedgerError) -> LedgerChange {
        try await perform(try depositing(requestID: requestID, batch: batch, into: destination, at: at), also: also)
    }

    /// The deposit as an operation to apply in the caller's transaction (``LedgerOperation``).
    public func depositing(
        requestID: RequestID, batch: CertificateBatch, into destination: SubaccountID, at: Date
    ) throws(LedgerError) -> LedgerOperation {
        struct Request: Codable, Sendable {
            let batch: CertificateBatch
            let destination: SubaccountID
        }
        let at = Self.normalized(at)
        return try operation("deposit", requestID, Request(batch: batch, destination: destination)) { transaction in
            let subaccount = try Self.loadSubaccount(&transaction, destination)
            guard subaccount.kind == .active else {
                throw RuleViolation(
                    .destinationNotActive,
                    "new certificates are deposited into an Active subaccount; \(destination) is a \(subaccount.kind) subaccount",
                    section: RuleSection.deposit)
            }
            let numbers = batch.certificates
            do {
                try transaction.execute(
                    """
                    INSERT INTO batches (batch_number, generating_unit_id, location, vintage_year, vintage_month, fuel_type,
                        created_on_days, first_number, last_number, issued_quantity, issued_at_unix_ms)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                    """,
                    .int64(batch.identity.batchNumber), .text(batch.identity.generatingUnit.description),
                    .text(batch.identity.location.description), .int64(Int64(batch.vintage.year)),
                    .int64(Int64(batch.vintage.month)), .text(batch.fuelType.code), .int64(Int64(batch.createdOn.daysSince1970)),
                    .int64(numbers.first), .int64(numbers.last), .int64(numbers.quantity), .int64(Self.milliseconds(at)))
            } catch let error as StorageError where error.code == .uniqueViolation {
                throw LedgerError(
                    .alreadyExists, "batch \(batch.identity.batchNumber) was already issued; serial numbers are unique (§12.1)",
                    cause: error)
            }
            let attributes = HoldingAttributes(
                subaccount: destination.description, subaccountKind: .active, status: .active, statusSinceMilliseconds: nil,
                hold: nil, reason: nil)
            try Self.insertHolding(
                &transaction, batchNumber: batch.identity.batchNumber, batchLastNumber: numbers.last, numbers: numbers,
                attributes: attributes, at: at)
            return LedgerChange(
                requestID: requestID, serials: [batch.serialRange], subaccount: destination, status: .active, hold: nil,
                programsToNotify: [], at: at)
        }
    }

    // MARK: Moves between subaccounts

    /// Moves active certificates to another Active subaccount of the same organization at once
    /// (intra-account transfer, §15.1).
    public func move(
        requestID: RequestID, selections: [CertificateSelection], from source: SubaccountID, to destination: SubaccountID,
        at: Date
    ) async throws(LedgerError) -> LedgerChange {
        try await relocate(
            "move", requestID, selections, from: source, to: destination, initiator: .accountHolder,
            expectedFlow: .intraAccountTransfer, event: nil, at: at)
    }

    /// Retires certificates into a Retirement subaccount with a reason (§16.1). Irreversible for the
    /// holder: nothing leaves a Retirement subaccount except an administrator withdrawal (§16.2).
    public func retire(
        requestID: RequestID, selections: [CertificateSelection], from source: SubaccountID, to destination: SubaccountID,
        reason: RetirementReason, at: Date, also: ChangeHook? = nil
    ) async throws(LedgerError) -> LedgerChange {
        let at = Self.normalized(at)
        return try await relocate(
            "retire", requestID, selections, from: source, to: destination, initiator: .accountHolder,
            expectedFlow: .retirement, event: .retire(at: at, reason: reason), at: at, requestDetails: .retirement(reason),
            also: also)
    }

    /// The retirement as an operation to apply in the caller's transaction (``LedgerOperation``).
    public func retiring(
        requestID: RequestID, selections: [CertificateSelection], from source: SubaccountID, to destination: SubaccountID,
        reason: RetirementReason, at: Date
    ) throws(LedgerError) -> LedgerOperation {
        let at = Self.normalized(at)
        return try relocation(
            "retire", requestID, selections, from: source, to: destination, initiator: .accountHolder,
            expectedFlow: .retirement, event: .retire(at: at, reason: reason), at: at, requestDetails: .retirement(reason))
    }

    /// Reserves certificates into a Reserve subaccount, with an optional reason (§18).
    public func reserve(
        requestID: RequestID, selections: [CertificateSelection], from source: SubaccountID, to destination: SubaccountID,
        reason: ReserveReason?, at: Date
    ) async throws(LedgerError) -> LedgerChange {
        let at = Self.normalized(at)
        return try await relocate(
            "reserve", requestID, selections, from: source, to: destination, initiator: .accountHolder,
            expectedFlow: .reserve, event: .reserve(at: at, reason: reason), at: at, requestDetails: .reserve(reason))
    }

    /// An administrator withdrawal from a Retirement, Reserve or Export subaccount back to the
    /// holder's Active subaccount (§16.2, §18.3, §6.3.2); the domain checks who asks and the windows.
    public func withdraw(
        requestID: RequestID, selections: [CertificateSelection], from source: SubaccountID, to destination: SubaccountID,
        initiator: Initiator, requestedAt: Date, at: Date
    ) async throws(LedgerError) -> LedgerChange {
        let at = Self.normalized(at)
        let requestedAt = Self.normalized(requestedAt)
        return try await relocate(
            "withdraw", requestID, selections, from: source, to: destination, initiator: initiator,
            expectedFlow: .administratorWithdrawal, event: .withdraw(by: initiator, requestedAt: requestedAt, at: at),
            eligible: [.retired, .reserved, .exported], at: at,
            requestDetails: .withdrawal(requestedAtMilliseconds: Self.milliseconds(requestedAt)))
    }

    // MARK: Holds: pending transfers and exports

    /// Freezes active certificates for a one-time inter-account transfer to another organization's
    /// Active subaccount (§15.2, footnote 16; M-RETS §4.6.1). They stay in the source subaccount as
    /// `pendingTransfer` until ``completeTransfer(requestID:hold:at:)`` or
    /// ``releaseTransfer(requestID:hold:at:)``.
    public func freezeForTransfer(
        requestID: RequestID, hold: HoldID, selections: [CertificateSelection], from source: SubaccountID,
        to destination: SubaccountID, at: Date, also: ChangeHook? = nil
    ) async throws(LedgerError) -> LedgerChange {
        let at = Self.normalized(at)
        return try await relocate(
            "freezeForTransfer", requestID, selections, from: source, to: destination, initiator: .accountHolder,
            expectedFlow: .interAccountTransfer, event: .transferRequested(at: at), hold: (hold, .transfer), at: at,
            also: also)
    }

    /// The freeze as an operation to apply in the caller's transaction (``LedgerOperation``).
    public func freezingForTransfer(
        requestID: RequestID, hold: HoldID, selections: [CertificateSelection], from source: SubaccountID,
        to destination: SubaccountID, at: Date
    ) throws(LedgerError) -> LedgerOperation {
        let at = Self.normalized(at)
        return try relocation(
            "freezeForTransfer", requestID, selections, from: source, to: destination, initiator: .accountHolder,
            expectedFlow: .interAccountTransfer, event: .transferRequested(at: at), hold: (hold, .transfer), at: at)
    }

    /// Completing (`completes`) or releasing a transfer's hold as an operation to apply in the
    /// caller's transaction (``LedgerOperation``).
    public func settlingTransfer(requestID: RequestID, hold: HoldID, completes: Bool, at: Date) throws(LedgerError) -> LedgerOperation {
        let at = Self.normalized(at)
        return completes
            ? try settlement(
                "completeTransfer", requestID, hold, purpose: .transfer, event: .transferCompleted(at: at), completes: true, at: at)
            : try settlement(
                "releaseTransfer", requestID, hold, purpose: .transfer, event: .transferReleased(at: at), completes: false, at: at)
    }

    /// The recipient accepted: the frozen certificates go to its Active subaccount, active again.
    public func completeTransfer(requestID: RequestID, hold: HoldID, at: Date, also: ChangeHook? = nil) async throws(LedgerError)
        -> LedgerChange
    {
        let at = Self.normalized(at)
        return try await settle(
            "completeTransfer", requestID, hold, purpose: .transfer, event: .transferCompleted(at: at), completes: true, at: at,
            also: also)
    }

    /// The transfer was rejected, withdrawn or expired (§15.2, §15.3): the certificates stay with the
    /// transferor, active again.
    public func releaseTransfer(requestID: RequestID, hold: HoldID, at: Date, also: ChangeHook? = nil) async throws(LedgerError)
        -> LedgerChange
    {
        let at = Self.normalized(at)
        return try await settle(
            "releaseTransfer", requestID, hold, purpose: .transfer, event: .transferReleased(at: at), completes: false, at: at,
            also: also)
    }

    /// Freezes active certificates as `exportPending` for an export to a compatible tracking system,
    /// destined for the holder's Export subaccount (§17.1; M-RETS §4.6.5).
    public func requestExport(
        requestID: RequestID, hold: HoldID, selections: [CertificateSelection], from source: SubaccountID,
        to destination: SubaccountID, at: Date
    ) async throws(LedgerError) -> LedgerChange {
        let at = Self.normalized(at)
        return try await relocate(
            "requestExport", requestID, selections, from: source, to: destination, initiator: .accountHolder,
            expectedFlow: .export, event: .exportRequested(at: at), hold: (hold, .export), at: at)
    }

    /// The partner system accepted the export: the certificates move to the Export subaccount.
    public func completeExport(requestID: RequestID, hold: HoldID, at: Date) async throws(LedgerError) -> LedgerChange {
        let at = Self.normalized(at)
        return try await settle(
            "completeExport", requestID, hold, purpose: .export, event: .exportAccepted(at: at), completes: true, at: at)
    }

    /// The partner rejected the export, or it expired after 14 days (§17.1): back to active.
    public func releaseExport(requestID: RequestID, hold: HoldID, expired: Bool, at: Date) async throws(LedgerError) -> LedgerChange {
        let at = Self.normalized(at)
        let event: CertificateLifecycle.Event = expired ? .exportExpired(at: at) : .exportRejected(at: at)
        return try await settle(
            expired ? "expireExport" : "rejectExport", requestID, hold, purpose: .export, event: event, completes: false, at: at)
    }

    // MARK: Reading

    /// The holdings of one batch, in serial order.
    public func holdings(batchNumber: Int64) async throws(LedgerError) -> [Holding] {
        try await runReading { transaction in
            try Self.readHoldings(&transaction, where: "h.batch_number = $1", .int64(batchNumber))
        }
    }

    /// The holdings in one subaccount, by batch and serial.
    public func holdings(in subaccount: SubaccountID) async throws(LedgerError) -> [Holding] {
        try await runReading { transaction in
            try Self.readHoldings(&transaction, where: "h.subaccount_id = $1", .text(subaccount.description))
        }
    }

    /// Every holding, by batch and serial (tests and audits; bounded by
    /// ``LedgerLimits/holdingsPerListingMax``).
    public func allHoldings() async throws(LedgerError) -> [Holding] {
        try await runReading { transaction in try Self.readHoldings(&transaction, where: "1 = 1") }
    }

    /// The batch with this number, as issued.
    public func batch(number: Int64) async throws(LedgerError) -> CertificateBatch? {
        try await runReading { transaction in try Self.loadBatchIfPresent(&transaction, number)?.batch }
    }

    /// The holdings of one batch, in serial order, read in the caller's transaction.
    public static func holdings(batchNumber: Int64, in transaction: inout SQLTransaction) throws -> [Holding] {
        try readHoldings(&transaction, where: "h.batch_number = $1", .int64(batchNumber))
    }

    /// The holdings of a batch that overlap `numbers`, in serial order, read in the caller's
    /// transaction by index seeks (the cost does not grow with the batch's history).
    public static func holdings(
        batchNumber: Int64, overlapping numbers: CertificateNumberRange, in transaction: inout SQLTransaction
    ) throws -> [Holding] {
        try readHoldings(
            &transaction,
            where: """
                h.batch_number = $1 AND h.first_number <= $3 AND h.first_number >= COALESCE(
                    (SELECT before.first_number FROM holdings AS before
                     WHERE before.batch_number = $1 AND before.first_number <= $2
                     ORDER BY before.first_number DESC LIMIT 1), $2)
                """,
            .int64(batchNumber), .int64(numbers.first), .int64(numbers.last)
        ).filter { $0.serials.numbers.overlaps(numbers) }
    }

    /// The holdings in one subaccount, read in the caller's transaction.
    public static func holdings(in subaccount: SubaccountID, in transaction: inout SQLTransaction) throws -> [Holding] {
        try readHoldings(&transaction, where: "h.subaccount_id = $1", .text(subaccount.description))
    }

    /// How many certificates one subaccount holds in each status, summed by the database over its
    /// index: however fragmented the subaccount (its holdings can outnumber what a listing may
    /// return, ``LedgerLimits/holdingsPerListingMax``), no holding is read into memory. Statuses it
    /// holds none of are absent.
    public static func totals(
        in subaccount: SubaccountID, in transaction: inout SQLTransaction
    ) throws -> [CertificateLifecycle.Kind: Int64] {
        var totals: [CertificateLifecycle.Kind: Int64] = [:]
        for row in try transaction.query(
            "SELECT status, SUM(last_number - first_number + 1) AS quantity FROM holdings WHERE subaccount_id = $1 GROUP BY status",
            .text(subaccount.description))
        {
            guard let status = CertificateLifecycle.Kind(rawValue: try row.string("status")) else {
                throw LedgerError(.internalFailure, "a holding has an unknown status")
            }
            totals[status] = try row.int64("quantity")
        }
        return totals
    }

    /// ``totals(in:in:)`` in a read transaction of its own.
    public func totals(in subaccount: SubaccountID) async throws(LedgerError) -> [CertificateLifecycle.Kind: Int64] {
        try await runReading { transaction in try Self.totals(in: subaccount, in: &transaction) }
    }

    /// The batch with this number, as issued, read in the caller's transaction.
    public static func batch(number: Int64, in transaction: inout SQLTransaction) throws -> CertificateBatch? {
        try loadBatchIfPresent(&transaction, number)?.batch
    }

    // MARK: The invariant

    /// Verifies, in one consistent snapshot, that for every batch the holdings are disjoint, lie inside
    /// the batch, and add up to the issued quantity: no certificate appeared, vanished or is in two
    /// places (§12.1: unique serial numbers; the DOMAIN brief: "a serial number is in exactly one
    /// place at a time"). Throws `conservationBroken` with every problem found (up to a bound).
    @discardableResult
    public func checkConservation() async throws(LedgerError) -> ConservationReport {
        try await runReading { transaction in
            let batches = try transaction.query(
                "SELECT batch_number, first_number, last_number, issued_quantity FROM batches ORDER BY batch_number")
            let holdings = try transaction.query(
                "SELECT batch_number, first_number, last_number FROM holdings ORDER BY batch_number, first_number")
            var problems: [String] = []
            var certificates: Int64 = 0
            var holdingIndex = 0
            var issued: [Int64: (first: Int64, last: Int64, quantity: Int64)] = [:]
            for row in batches {
                issued[try row.int64("batch_number")] = (
                    try row.int64("first_number"), try row.int64("last_number"), try row.int64("issued_quantity")
                )
            }
            // Walk holdings grouped by batch (both lists are sorted).
            var held: [Int64: Int64] = [:]
            var previous: (batch: Int64, last: Int64)?
            while holdingIndex < holdings.count {
                let row = holdings[holdingIndex]
                holdingIndex += 1
                let batch = try row.int64("batch_number")
                let first = try row.int64("first_number")
                let last = try row.int64("last_number")
                guard let bounds = issued[batch] else {
                    problems.append("holding \(batch)-\(first)-\(last) belongs to no issued batch")
                    continue
                }
                if first > last || first < bounds.first || last > bounds.last {
                    problems.append("holding \(first)-\(last) of batch \(batch) lies outside the batch \(bounds.first)-\(bounds.last)")
                }
                if let previous, previous.batch == batch, first <= previous.last {
                    problems.append("holdings of batch \(batch) overlap at \(first)-\(min(last, previous.last))")
                }
                previous = (batch, last)
                held[batch, default: 0] += last - first + 1
                certificates += last - first + 1
            }
            for (batch, bounds) in issued.sorted(by: { $0.key < $1.key }) where held[batch, default: 0] != bounds.quantity {
                problems.append("batch \(batch) issued \(bounds.quantity) certificates but its holdings add up to \(held[batch, default: 0])")
            }
            guard problems.isEmpty else {
                let shown = problems.prefix(20).joined(separator: "; ")
                throw LedgerError(
                    .conservationBroken,
                    "the ledger's invariant is broken (\(problems.count) problem(s)): \(shown)")
            }
            return ConservationReport(batches: batches.count, holdings: holdings.count, certificates: certificates)
        }
    }
}

/// Rule citations for violations the ledger raises itself (the domain's own carry theirs).
enum RuleSection {
    static let deposit = "Operating Rules §14.2"
    static let serials = "Operating Rules §12.1; MCT Data File Specifications, serial_number"
    static let intraAccount = "Operating Rules §15.1"
    static let frozen = "Operating Rules §15.2, §17.1; M-RETS §4.6.1"
    static let transfer = "Operating Rules §15.2"
    static let export = "Operating Rules §17.1"
    static let retirement = "Operating Rules §16.1"
    static let reserve = "Operating Rules §18"
    static let withdrawal = "Operating Rules §6.3.2, §16.2, §18.3"
}
