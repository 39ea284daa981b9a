import Domain
import Foundation
import Storage

/// What a holding row says besides its range; two adjacent rows with equal attributes can merge.
struct HoldingAttributes: Hashable {
    var subaccount: String
    var subaccountKind: SubaccountKind
    var status: CertificateLifecycle.Kind
    var statusSinceMilliseconds: Int64?
    var hold: String?
    /// JSON of the retirement or reserve reason.
    var reason: String?
}

struct HoldingRow {
    let id: Int64
    let batchNumber: Int64
    let batchLastNumber: Int64
    let numbers: CertificateNumberRange
    let attributes: HoldingAttributes
}

/// An issued batch as stored.
struct BatchRecord {
    let batch: CertificateBatch
    var identity: CertificateBatchIdentity { batch.identity }
}

enum HoldPurpose: String, Sendable {
    case transfer
    case export
}

extension Ledger {
    // MARK: Running transactions

    /// A transaction whose errors come out in the ledger's shape.
    func run<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await database.transaction(body)
        } catch {
            throw LedgerError(wrapping: error)
        }
    }

    /// A read-only transaction (one snapshot, not waiting behind writers) whose errors come out in
    /// the ledger's shape.
    func runReading<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await database.read(body)
        } catch {
            throw LedgerError(wrapping: error)
        }
    }

    /// An operation prepared for a transaction.
    func operation(
        _ name: String, _ requestID: RequestID, _ request: some Encodable & Sendable,
        _ body: @escaping @Sendable (inout SQLTransaction) throws -> LedgerChange
    ) throws(LedgerError) -> LedgerOperation {
        let fingerprint: [UInt8]
        do {
            fingerprint = SHA256.hash(Array(name.utf8) + [0] + (try Self.canonicalJSON(request)))
        } catch {
            throw LedgerError(.internalFailure, "the request cannot be encoded: \(error)")
        }
        return LedgerOperation(name: name, requestID: requestID, fingerprint: fingerprint, body: body)
    }

    /// Runs a mutating operation once per request id, in one transaction with its idempotency record.
    func perform(_ operation: LedgerOperation, also: ChangeHook? = nil) async throws(LedgerError) -> LedgerChange {
        let (requestID, fingerprint, body) = (operation.requestID, operation.fingerprint, operation.body)
        let name = operation.name
        return try await run { transaction in
            if let row = try transaction.queryFirst(
                "SELECT operation, request_hash, outcome FROM ledger_requests WHERE request_id = $1", .text(requestID.description))
            {
                guard try row.string("operation") == name, try row.bytes("request_hash") == fingerprint else {
                    throw LedgerError(
                        .requestIDReused, "request id \(requestID) was already used for a different request; use a new id")
                }
                return try JSONDecoder().decode(LedgerChange.self, from: Data(try row.string("outcome").utf8))
            }
            let change = try body(&transaction)
            try also?(&transaction, change)
            let outcome = String(decoding: try Self.canonicalJSON(change), as: UTF8.self)
            do {
                try transaction.execute(
                    """
                    INSERT INTO ledger_requests (request_id, operation, request_hash, outcome, recorded_at_unix_ms)
                    VALUES ($1, $2, $3, $4, $5)
                    """,
                    .text(requestID.description), .text(name), .bytes(fingerprint), .text(outcome),
                    .int64(Self.milliseconds(change.at)))
            } catch let error as StorageError where error.code == .uniqueViolation {
                // A concurrent request with the same id committed first: run again to return its outcome.
                throw StorageError(.serializationFailure, error.message, cause: error.cause)
            }
            return change
        }
    }

    static func canonicalJSON(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    // MARK: Operations on selections

    /// What a request says besides its selections, for the idempotency fingerprint. The instant of
    /// the operation is not part of it: a retry happens later than the first attempt.
    enum RequestDetails: Codable, Sendable {
        case retirement(RetirementReason)
        case reserve(ReserveReason?)
        case withdrawal(requestedAtMilliseconds: Int64)
    }

    struct RelocateRequest: Codable, Sendable {
        let selections: [CertificateSelection]
        let source: SubaccountID
        let destination: SubaccountID
        let initiator: String
        let hold: HoldID?
        let details: RequestDetails?
    }

    /// Applies `event` (or, with no event, a plain intra-account move) to the selected certificates
    /// of `source`, after checking that the flow from `source` to `destination` is `expectedFlow`.
    func relocate(
        _ operation: String, _ requestID: RequestID, _ selections: [CertificateSelection], from source: SubaccountID,
        to destination: SubaccountID, initiator: Initiator, expectedFlow: SubaccountFlow.Kind,
        event: CertificateLifecycle.Event?, eligible: Set<CertificateLifecycle.Kind> = [.active],
        hold: (id: HoldID, purpose: HoldPurpose)? = nil, at: Date, requestDetails: RequestDetails? = nil,
        also: ChangeHook? = nil
    ) async throws(LedgerError) -> LedgerChange {
        try await perform(
            try relocation(
                operation, requestID, selections, from: source, to: destination, initiator: initiator, expectedFlow: expectedFlow,
                event: event, eligible: eligible, hold: hold, at: at, requestDetails: requestDetails),
            also: also)
    }

    /// The operation ``relocate(_:_:_:from:to:initiator:expectedFlow:event:eligible:hold:at:requestDetails:also:)`` runs.
    func relocation(
        _ operation: String, _ requestID: RequestID, _ selections: [CertificateSelection], from source: SubaccountID,
        to destination: SubaccountID, initiator: Initiator, expectedFlow: SubaccountFlow.Kind,
        event: CertificateLifecycle.Event?, eligible: Set<CertificateLifecycle.Kind> = [.active],
        hold: (id: HoldID, purpose: HoldPurpose)? = nil, at: Date, requestDetails: RequestDetails? = nil
    ) throws(LedgerError) -> LedgerOperation {
        guard !selections.isEmpty, selections.count <= LedgerLimits.selectionsPerRequestMax else {
            throw LedgerError(
                .invalidRequest, "a request names 1 to \(LedgerLimits.selectionsPerRequestMax) batches or serial ranges")
        }
        let at = Self.normalized(at)
        let request = RelocateRequest(
            selections: selections, source: source, destination: destination, initiator: initiator.rawValue, hold: hold?.id,
            details: requestDetails)
        let merges = mergesAdjacentHoldings
        return try self.operation(operation, requestID, request) { transaction in
            let from = try Self.loadSubaccount(&transaction, source)
            let to = try Self.loadSubaccount(&transaction, destination)
            let flow = try SubaccountFlow.allowedFlow(
                from: from.kind, to: to.kind, sameOrganization: from.organization == to.organization, initiatedBy: initiator)
            guard source != destination else {
                throw RuleViolation(
                    .flowNotAllowed, "the source and destination subaccounts are the same", section: RuleSection.intraAccount)
            }
            guard flow == expectedFlow else {
                throw Self.wrongFlow(operation, expected: expectedFlow, actual: flow, destination: to)
            }
            if let hold {
                do {
                    try transaction.execute(
                        """
                        INSERT INTO holds (hold_id, purpose, source_subaccount_id, destination_subaccount_id, state,
                            created_at_unix_ms, updated_at_unix_ms)
                        VALUES ($1, $2, $3, $4, 'pending', $5, $5)
                        """,
                        .text(hold.id.description), .text(hold.purpose.rawValue), .text(source.description),
                        .text(destination.description), .int64(Self.milliseconds(at)))
                } catch let error as StorageError where error.code == .uniqueViolation {
                    throw LedgerError(.alreadyExists, "hold \(hold.id) already exists; a transfer or export has one hold", cause: error)
                }
            }
            var changed: [CertificateSerialRange] = []
            var programs: [EligibilityProgram] = []
            for selection in selections {
                let record = try Self.loadBatch(&transaction, selection.batch.batchNumber)
                let picks = try Self.pick(&transaction, selection, record, from: from, eligible: eligible)
                for (row, taken) in picks {
                    let (next, notify) = try Self.transition(row, taken, event: event, destination: to, hold: hold?.id)
                    try Self.replace(&transaction, row, taking: taken, with: next, at: at)
                    changed.append(CertificateSerialRange(batch: record.identity, numbers: taken))
                    programs += notify
                }
            }
            if merges { try Self.mergeAround(&transaction, changed, at: at) }
            // Frozen certificates stay where they are until the hold is settled.
            let frozen = hold != nil
            return LedgerChange(
                requestID: requestID, serials: changed, subaccount: frozen ? source : destination,
                status: event.map(Self.statusAfter) ?? .active,
                hold: hold?.id, programsToNotify: Array(Set(programs)).sorted { $0.rawValue < $1.rawValue }, at: at)
        }
    }

    /// Completes or releases a hold: applies `event` to every holding frozen by it.
    func settle(
        _ operation: String, _ requestID: RequestID, _ hold: HoldID, purpose: HoldPurpose, event: CertificateLifecycle.Event,
        completes: Bool, at: Date, also: ChangeHook? = nil
    ) async throws(LedgerError) -> LedgerChange {
        try await perform(
            try settlement(operation, requestID, hold, purpose: purpose, event: event, completes: completes, at: at), also: also)
    }

    /// The operation ``settle(_:_:_:purpose:event:completes:at:also:)`` runs.
    func settlement(
        _ operation: String, _ requestID: RequestID, _ hold: HoldID, purpose: HoldPurpose, event: CertificateLifecycle.Event,
        completes: Bool, at: Date
    ) throws(LedgerError) -> LedgerOperation {
        struct Request: Codable, Sendable { let hold: HoldID }
        let merges = mergesAdjacentHoldings
        return try self.operation(operation, requestID, Request(hold: hold)) { transaction in
            guard let row = try transaction.queryFirst(
                """
                SELECT purpose, source_subaccount_id, destination_subaccount_id, state FROM holds WHERE hold_id = $1
                """, .text(hold.description))
            else {
                throw LedgerError(.notFound, "there is no hold \(hold)")
            }
            guard try row.string("purpose") == purpose.rawValue else {
                throw LedgerError(.invalidRequest, "hold \(hold) is not for \(purpose == .transfer ? "a transfer" : "an export")")
            }
            let state = try row.string("state")
            guard state == "pending" else {
                throw RuleViolation(
                    .transitionNotAllowed, "hold \(hold) was already \(state)",
                    section: purpose == .transfer ? RuleSection.transfer : RuleSection.export)
            }
            let source = try Self.loadSubaccount(&transaction, try SubaccountID(parsing: row.string("source_subaccount_id")))
            let destination = try Self.loadSubaccount(&transaction, try SubaccountID(parsing: row.string("destination_subaccount_id")))
            let rows = try Self.readHoldingRows(&transaction, where: "hold_id = $1", .text(hold.description))
            var changed: [CertificateSerialRange] = []
            var programs: [EligibilityProgram] = []
            for row in rows {
                let record = try Self.loadBatch(&transaction, row.batchNumber)
                let (next, notify) = try Self.transition(row, row.numbers, event: event, destination: destination, hold: nil)
                try Self.replace(&transaction, row, taking: row.numbers, with: next, at: at)
                changed.append(CertificateSerialRange(batch: record.identity, numbers: row.numbers))
                programs += notify
            }
            let newState = completes ? "completed" : "released"
            try transaction.execute(
                "UPDATE holds SET state = $1, updated_at_unix_ms = $2 WHERE hold_id = $3",
                .text(newState), .int64(Self.milliseconds(at)), .text(hold.description))
            if merges { try Self.mergeAround(&transaction, changed, at: at) }
            return LedgerChange(
                requestID: requestID, serials: changed, subaccount: completes ? destination.id : source.id,
                status: Self.statusAfter(event), hold: nil,
                programsToNotify: Array(Set(programs)).sorted { $0.rawValue < $1.rawValue }, at: at)
        }
    }

    /// The status an event leads to, as the domain's state machine says.
    static func statusAfter(_ event: CertificateLifecycle.Event) -> CertificateLifecycle.Kind {
        switch event {
        case .transferRequested: .pendingTransfer
        case .transferCompleted, .transferReleased, .exportRejected, .exportExpired, .withdraw: .active
        case .retire: .retired
        case .reserve: .reserved
        case .exportRequested: .exportPending
        case .exportAccepted: .exported
        }
    }

    static func wrongFlow(
        _ operation: String, expected: SubaccountFlow.Kind, actual: SubaccountFlow.Kind, destination: LedgerSubaccount
    ) -> RuleViolation {
        let (what, section): (String, String) =
            switch expected {
            case .intraAccountTransfer: ("an immediate move goes to another Active subaccount of the same account holder", RuleSection.intraAccount)
            case .interAccountTransfer: ("a transfer awaiting acceptance goes to another account holder's Active subaccount", RuleSection.transfer)
            case .retirement: ("retired certificates go to a Retirement subaccount of the holder", RuleSection.retirement)
            case .reserve: ("reserved certificates go to a Reserve subaccount of the holder", RuleSection.reserve)
            case .export: ("exported certificates go to an Export subaccount of the holder", RuleSection.export)
            case .administratorWithdrawal: ("a withdrawal returns certificates to the holder's Active subaccount", RuleSection.withdrawal)
            }
        return RuleViolation(
            .flowNotAllowed, "\(what); \(destination.id) is a \(destination.kind) subaccount (this would be: \(actual.rawValue))",
            section: section)
    }

    // MARK: Reading rows

    static func loadSubaccount(_ transaction: inout SQLTransaction, _ id: SubaccountID) throws -> LedgerSubaccount {
        guard let row = try transaction.queryFirst(
            "SELECT organization_id, kind FROM subaccounts WHERE subaccount_id = $1", .text(id.description))
        else {
            throw LedgerError(.notFound, "subaccount \(id) is not known to the ledger")
        }
        guard let kind = SubaccountKind(rawValue: try row.string("kind")) else {
            throw LedgerError(.internalFailure, "subaccount \(id) has an unknown kind")
        }
        return LedgerSubaccount(id: id, organization: try OrganizationID(parsing: row.string("organization_id")), kind: kind)
    }

    static func loadBatchIfPresent(_ transaction: inout SQLTransaction, _ number: Int64) throws -> BatchRecord? {
        guard let row = try transaction.queryFirst(
            """
            SELECT generating_unit_id, location, vintage_year, vintage_month, fuel_type, created_on_days, issued_quantity
            FROM batches WHERE batch_number = $1
            """, .int64(number))
        else { return nil }
        let identity = try CertificateBatchIdentity(
            generatingUnit: GeneratingUnitID(parsing: row.string("generating_unit_id")),
            location: StateOrProvinceCode(parsing: row.string("location")), batchNumber: number)
        guard let fuelType = FuelType(rawValue: try row.string("fuel_type")) else {
            throw LedgerError(.internalFailure, "batch \(number) has an unknown fuel type")
        }
        let batch = try CertificateBatch(
            identity: identity,
            vintage: Vintage(year: Int(row.int64("vintage_year")), month: Int(row.int64("vintage_month"))),
            fuelType: fuelType, quantity: row.int64("issued_quantity"),
            createdOn: CalendarDate(daysSince1970: Int(row.int64("created_on_days"))))
        return BatchRecord(batch: batch)
    }

    static func loadBatch(_ transaction: inout SQLTransaction, _ number: Int64) throws -> BatchRecord {
        guard let record = try loadBatchIfPresent(&transaction, number) else {
            throw LedgerError(.notFound, "there is no batch \(number)")
        }
        return record
    }

    static let holdingColumns = """
        holding_id, batch_number, batch_last_number, first_number, last_number, subaccount_id, subaccount_kind, status,
        status_since_unix_ms, hold_id, reason
        """

    static func readHoldingRows(
        _ transaction: inout SQLTransaction, where condition: String, orderedBy order: String = "batch_number, first_number",
        limit: Int? = nil, _ binds: SQLValue...
    ) throws -> [HoldingRow] {
        try transaction.query(
            "SELECT \(holdingColumns) FROM holdings WHERE \(condition) ORDER BY \(order)\(limit.map { " LIMIT \($0)" } ?? "")",
            binds: binds
        ).map { row in
            guard let kind = SubaccountKind(rawValue: try row.string("subaccount_kind")),
                let status = CertificateLifecycle.Kind(rawValue: try row.string("status"))
            else { throw LedgerError(.internalFailure, "a holding has an unknown status or subaccount kind") }
            return HoldingRow(
                id: try row.int64("holding_id"), batchNumber: try row.int64("batch_number"),
                batchLastNumber: try row.int64("batch_last_number"),
                numbers: try CertificateNumberRange(first: row.int64("first_number"), last: row.int64("last_number")),
                attributes: HoldingAttributes(
                    subaccount: try row.string("subaccount_id"), subaccountKind: kind, status: status,
                    statusSinceMilliseconds: try row.optionalInt64("status_since_unix_ms"), hold: try row.optionalString("hold_id"),
                    reason: try row.optionalString("reason")))
        }
    }

    static func readHoldings(_ transaction: inout SQLTransaction, where condition: String, _ binds: SQLValue...) throws -> [Holding] {
        let rows = try transaction.query(
            """
            SELECT h.batch_number AS batch_number, h.first_number AS first_number, h.last_number AS last_number,
                h.subaccount_id AS subaccount_id, h.status AS status, h.status_since_unix_ms AS status_since_unix_ms,
                h.hold_id AS hold_id, b.generating_unit_id AS generating_unit_id, b.location AS location
            FROM holdings AS h JOIN batches AS b ON b.batch_number = h.batch_number
            WHERE \(condition) ORDER BY h.batch_number, h.first_number
            """, binds: binds)
        guard rows.count <= LedgerLimits.holdingsPerListingMax else {
            throw LedgerError(.invalidRequest, "more than \(LedgerLimits.holdingsPerListingMax) holdings; narrow the listing")
        }
        return try rows.map { row in
            guard let status = CertificateLifecycle.Kind(rawValue: try row.string("status")) else {
                throw LedgerError(.internalFailure, "a holding has an unknown status")
            }
            let identity = try CertificateBatchIdentity(
                generatingUnit: GeneratingUnitID(parsing: row.string("generating_unit_id")),
                location: StateOrProvinceCode(parsing: row.string("location")), batchNumber: row.int64("batch_number"))
            return Holding(
                serials: CertificateSerialRange(
                    batch: identity, numbers: try CertificateNumberRange(first: row.int64("first_number"), last: row.int64("last_number"))),
                subaccount: try SubaccountID(parsing: row.string("subaccount_id")), status: status,
                statusSince: try row.optionalInt64("status_since_unix_ms").map(date), hold: try row.optionalString("hold_id").map(HoldID.init))
        }
    }

    // MARK: Choosing and rewriting ranges

    /// The holdings of `selection` in `source` and the part of each that the selection takes.
    ///
    /// Reads only what the selection touches, by index seeks: a serial range reads the holdings that
    /// overlap it (``overlapping(_:batchNumber:numbers:)``); a quantity reads the source's holdings of
    /// the batch in serial order, a page at a time, until it has enough. So the cost does not grow
    /// with the number of holdings a batch has been cut into.
    static func pick(
        _ transaction: inout SQLTransaction, _ selection: CertificateSelection, _ record: BatchRecord, from source: LedgerSubaccount,
        eligible: Set<CertificateLifecycle.Kind>
    ) throws -> [(HoldingRow, CertificateNumberRange)] {
        let batchNumber = record.identity.batchNumber
        switch selection {
        case .quantity(let batch, let count):
            // The unit and location must be the batch's (§12.1).
            try record.batch.checkBelongs(CertificateSerialRange(batch: batch, numbers: record.batch.certificates))
            var remaining = count
            var available: Int64 = 0
            var picks: [(HoldingRow, CertificateNumberRange)] = []
            var after: Int64 = 0
            while count >= 1, remaining > 0 {
                // No more rows than certificates still wanted: each eligible row gives at least one.
                let limit = Int(min(Int64(LedgerLimits.holdingsPerPickPage), remaining))
                let page = try readHoldingRows(
                    &transaction, where: "subaccount_id = $1 AND batch_number = $2 AND first_number > $3",
                    limit: limit, .text(source.id.description), .int64(batchNumber), .int64(after))
                for row in page where eligible.contains(row.attributes.status) {
                    available += row.numbers.quantity
                    guard remaining > 0 else { continue }
                    let (taken, _) = try row.numbers.splitting(takingFromStart: min(remaining, row.numbers.quantity))
                    picks.append((row, taken))
                    remaining -= taken.quantity
                }
                guard let last = page.last, page.count == limit else { break }
                after = last.numbers.first
            }
            guard count >= 1, remaining == 0 else {
                throw RuleViolation(
                    .quantityOutOfRange,
                    "subaccount \(source.id) has \(available) \(eligible.map(\.rawValue).sorted().joined(separator: " or ")) certificates of batch \(record.identity); \(count) requested",
                    section: RuleSection.transfer)
            }
            return picks
        case .serials(let range):
            try record.batch.checkBelongs(range)
            let rows = try overlapping(&transaction, batchNumber: batchNumber, numbers: range.numbers)
            let picks = rows.filter { $0.attributes.subaccount == source.id.description }.compactMap { row in
                row.numbers.intersection(range.numbers).map { (row, $0) }
            }
            let covered = picks.reduce(Int64(0)) { $0 + $1.1.quantity }
            guard covered == range.quantity else {
                throw RuleViolation(
                    .rangeNotContained, "certificates \(range) are not all held in subaccount \(source.id)",
                    section: RuleSection.serials)
            }
            return picks
        }
    }

    /// The holdings of a batch that overlap `numbers`, in serial order: the one that contains the
    /// first serial (the last to start at or before it; holdings are disjoint) and those that start
    /// inside the range. Two seeks on `holdings_by_batch`, whatever the batch's history.
    static func overlapping(_ transaction: inout SQLTransaction, batchNumber: Int64, numbers: CertificateNumberRange) throws -> [HoldingRow] {
        try readHoldingRows(
            &transaction,
            where: """
                batch_number = $1 AND first_number <= $3 AND first_number >= COALESCE(
                    (SELECT before.first_number FROM holdings AS before
                     WHERE before.batch_number = $1 AND before.first_number <= $2
                     ORDER BY before.first_number DESC LIMIT 1), $2)
                """,
            .int64(batchNumber), .int64(numbers.first), .int64(numbers.last)
        ).filter { $0.numbers.overlaps(numbers) }
    }

    /// The attributes `taken` gets: the domain's state machine decides the status and whether the
    /// certificates move; `destination` is where a move sends them.
    static func transition(
        _ row: HoldingRow, _ taken: CertificateNumberRange, event: CertificateLifecycle.Event?, destination: LedgerSubaccount,
        hold: HoldID?
    ) throws -> (HoldingAttributes, [EligibilityProgram]) {
        var next = row.attributes
        guard let event else {
            // An intra-account move (§15.1) changes no status: only active certificates may move.
            guard row.attributes.status == .active else {
                throw RuleViolation(
                    .transitionNotAllowed,
                    "certificates \(taken) of batch \(row.batchNumber) are \(row.attributes.status.rawValue); only active certificates move",
                    section: RuleSection.frozen)
            }
            next.subaccount = destination.id.description
            next.subaccountKind = destination.kind
            return (next, [])
        }
        var lifecycle = CertificateLifecycle(status: try lifecycleStatus(row.attributes))
        let actions = try lifecycle.apply(event)
        var programs: [EligibilityProgram] = []
        for action in actions {
            switch action {
            case .moveToTransferee:
                try move(&next, to: destination, expecting: .active)
            case .moveToSubaccount(let kind):
                try move(&next, to: destination, expecting: kind)
            case .notifyProgramAdministrator(let program):
                programs.append(program)
            case .freeze, .unfreeze, .recordStatus:
                break
            }
        }
        let (status, since, reason) = try stored(lifecycle.status)
        next.status = status
        next.statusSinceMilliseconds = since
        next.reason = reason
        switch status {
        case .pendingTransfer, .exportPending:
            next.hold = hold?.description ?? row.attributes.hold
        default:
            next.hold = nil
        }
        return (next, programs)
    }

    private static func move(_ attributes: inout HoldingAttributes, to destination: LedgerSubaccount, expecting kind: SubaccountKind) throws {
        guard destination.kind == kind else {
            throw RuleViolation(
                .flowNotAllowed, "these certificates go to a \(kind) subaccount; \(destination.id) is a \(destination.kind) subaccount",
                section: RuleSection.transfer)
        }
        attributes.subaccount = destination.id.description
        attributes.subaccountKind = destination.kind
    }

    static func lifecycleStatus(_ attributes: HoldingAttributes) throws -> CertificateLifecycle.Status {
        func since() throws -> Date {
            guard let milliseconds = attributes.statusSinceMilliseconds else {
                throw LedgerError(.internalFailure, "a \(attributes.status.rawValue) holding has no status date")
            }
            return date(milliseconds)
        }
        let decoder = JSONDecoder()
        switch attributes.status {
        case .active:
            return .active
        case .pendingTransfer:
            return .pendingTransfer(since: try since())
        case .retired:
            guard let reason = attributes.reason else { throw LedgerError(.internalFailure, "a retired holding has no reason") }
            return .retired(at: try since(), reason: try decoder.decode(RetirementReason.self, from: Data(reason.utf8)))
        case .reserved:
            return .reserved(at: try since(), reason: try attributes.reason.map { try decoder.decode(ReserveReason.self, from: Data($0.utf8)) })
        case .exportPending:
            return .exportPending(since: try since())
        case .exported:
            return .exported(at: try since())
        }
    }

    static func stored(_ status: CertificateLifecycle.Status) throws -> (CertificateLifecycle.Kind, Int64?, String?) {
        func json(_ value: some Encodable) throws -> String { String(decoding: try canonicalJSON(value), as: UTF8.self) }
        switch status {
        case .active: return (.active, nil, nil)
        case .pendingTransfer(let since): return (.pendingTransfer, milliseconds(since), nil)
        case .retired(let at, let reason): return (.retired, milliseconds(at), try json(reason))
        case .reserved(let at, let reason): return (.reserved, milliseconds(at), try reason.map(json))
        case .exportPending(let since): return (.exportPending, milliseconds(since), nil)
        case .exported(let at): return (.exported, milliseconds(at), nil)
        }
    }

    /// Replaces `row` by the part that stays (up to two pieces, with the old attributes) and the
    /// taken part (with the new ones).
    static func replace(
        _ transaction: inout SQLTransaction, _ row: HoldingRow, taking taken: CertificateNumberRange, with attributes: HoldingAttributes,
        at: Date
    ) throws {
        let removal = try row.numbers.removing(taken)
        let deleted = try transaction.execute("DELETE FROM holdings WHERE holding_id = $1", .int64(row.id))
        guard deleted == 1 else {
            // Cannot happen inside a serializable transaction; if it does, let the transaction run again.
            throw StorageError(.serializationFailure, "the holding changed concurrently", cause: "holding \(row.id) vanished")
        }
        for piece in removal.remaining {
            try insertHolding(
                &transaction, batchNumber: row.batchNumber, batchLastNumber: row.batchLastNumber, numbers: piece,
                attributes: row.attributes, at: at)
        }
        try insertHolding(
            &transaction, batchNumber: row.batchNumber, batchLastNumber: row.batchLastNumber, numbers: taken, attributes: attributes,
            at: at)
    }

    static func insertHolding(
        _ transaction: inout SQLTransaction, batchNumber: Int64, batchLastNumber: Int64, numbers: CertificateNumberRange,
        attributes: HoldingAttributes, at: Date
    ) throws {
        try transaction.execute(
            """
            INSERT INTO holdings (batch_number, batch_last_number, first_number, last_number, subaccount_id, subaccount_kind,
                status, status_since_unix_ms, hold_id, reason, updated_at_unix_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            .int64(batchNumber), .int64(batchLastNumber), .int64(numbers.first), .int64(numbers.last), .text(attributes.subaccount),
            .text(attributes.subaccountKind.rawValue), .text(attributes.status.rawValue), .optional(attributes.statusSinceMilliseconds),
            .optional(attributes.hold), .optional(attributes.reason), .int64(milliseconds(at)))
    }

    /// Joins the holding that contains `serial` with its neighbours when their attributes are
    /// identical, so a range moved piece by piece ends up as one row again. Looks only at the two
    /// neighbours (index seeks): holdings elsewhere in the batch were merged when they changed.
    static func mergeAround(_ transaction: inout SQLTransaction, batchNumber: Int64, serial: Int64, at: Date) throws {
        guard
            let row = try readHoldingRows(
                &transaction, where: "batch_number = $1 AND first_number <= $2", orderedBy: "batch_number DESC, first_number DESC",
                limit: 1, .int64(batchNumber), .int64(serial)
            ).first, row.numbers.contains(serial)
        else { return }
        var merged = row.numbers
        var absorbed: [Int64] = []
        if row.numbers.first > 1,
            let left = try readHoldingRows(
                &transaction, where: "batch_number = $1 AND first_number < $2", orderedBy: "batch_number DESC, first_number DESC",
                limit: 1, .int64(batchNumber), .int64(row.numbers.first)
            ).first, left.numbers.last + 1 == row.numbers.first, left.attributes == row.attributes
        {
            absorbed.append(left.id)
            merged = try CertificateNumberRange(first: left.numbers.first, last: merged.last)
        }
        if row.numbers.last < row.batchLastNumber,
            let right = try readHoldingRows(
                &transaction, where: "batch_number = $1 AND first_number = $2", .int64(batchNumber), .int64(row.numbers.last + 1)
            ).first, right.attributes == row.attributes
        {
            absorbed.append(right.id)
            merged = try CertificateNumberRange(first: merged.first, last: right.numbers.last)
        }
        guard !absorbed.isEmpty else { return }
        for id in absorbed {
            try transaction.execute("DELETE FROM holdings WHERE holding_id = $1", .int64(id))
        }
        try transaction.execute(
            "UPDATE holdings SET first_number = $1, last_number = $2, updated_at_unix_ms = $3 WHERE holding_id = $4",
            .int64(merged.first), .int64(merged.last), .int64(milliseconds(at)), .int64(row.id))
    }

    /// Merges around every changed range (its first serial; a merge that already swallowed it is
    /// found again by the seek).
    static func mergeAround(_ transaction: inout SQLTransaction, _ changed: [CertificateSerialRange], at: Date) throws {
        for range in changed {
            try mergeAround(&transaction, batchNumber: range.batch.batchNumber, serial: range.numbers.first, at: at)
        }
    }

    // MARK: Time

    /// Instants are stored as whole milliseconds since 1970.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1_000) }

    /// `date` rounded to what storage keeps, so that a first outcome and its replay are equal.
    static func normalized(_ date: Date) -> Date { Self.date(milliseconds(date)) }
}
