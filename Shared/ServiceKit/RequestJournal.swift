import Domain
import Foundation
import GRPCWire
import ProtoMessages
import Storage

/// A service's database seen through its request journal: every read is one transaction, and every
/// mutating request runs once per request id (docs/API.md, idempotency) in one transaction with the
/// record of its outcome and the events it appends.
///
/// Needs ``ServiceSchema/idempotencyKeys(_:)``, ``ServiceSchema/events(_:)`` and
/// ``ServiceSchema/counters(_:_:)`` in the service's schema.
public struct RequestJournal: Sendable {
    public let database: any Database
    /// Named in error messages ("the issuance service's database is unavailable").
    public let service: String
    /// The service's one clock (ADR 0007): every transaction's `now` and `today`.
    public let clock: ServiceClock

    public init(database: any Database, service: String, clock: ServiceClock = ServiceClock()) {
        self.database = database
        self.service = service
        self.clock = clock
    }

    /// A read-only transaction: one snapshot, which does not wait behind writers
    /// (``Database/read(_:)``). A write in it fails.
    public func read<T: Sendable>(_ body: @escaping @Sendable (inout JournalTransaction) throws -> T) async throws -> T {
        do {
            return try await database.read { sql in
                var transaction = JournalTransaction(sql: sql, requestID: "", now: clock.now(), timeZone: clock.timeZone)
                return try body(&transaction)
            }
        } catch {
            throw mapped(error)
        }
    }

    /// Runs a mutating request once per request id. Returns the encoded response: the one just
    /// computed, or the one recorded for a retry. A recordable failure (``ServiceErrors/isRecordable(_:)``)
    /// undoes the change (a savepoint) and is itself recorded in the same transaction, so a retry
    /// answers the same; another request under a used id is ALREADY_EXISTS (REQUEST_ID_REUSED).
    /// One transaction per request, refusals included (issue 8).
    ///
    /// `fingerprintInput` is the encoded request with `request_id` cleared; the same decoded request
    /// always encodes to the same bytes (protobuf-c writes fields in number order).
    public func perform(
        method: String, requestID: String, fingerprintInput: [UInt8], now: Date? = nil, actor: Recs_Common_V1_Actor? = nil,
        _ body: @escaping @Sendable (inout JournalTransaction) throws -> [UInt8]
    ) async throws -> [UInt8] {
        let now = now ?? clock.now()
        let timeZone = clock.timeZone
        let fingerprint = SHA256.hash(Array(method.utf8) + [0] + fingerprintInput)
        let outcome: Result<[UInt8], RPCError>
        do {
            outcome = try await database.transaction { sql in
                if let replay = try Self.recordedOutcome(&sql, requestID: requestID, method: method, fingerprint: fingerprint) {
                    return replay.mapError(\.error)
                }
                var transaction = JournalTransaction(sql: sql, requestID: requestID, now: now, timeZone: timeZone)
                transaction.actor = actor
                try transaction.sql.savepoint("request_body")
                do {
                    let response = try body(&transaction)
                    try transaction.sql.release(savepoint: "request_body")
                    try Self.record(
                        &transaction.sql, requestID: requestID, method: method, fingerprint: fingerprint, code: 0, message: "",
                        details: [], response: response, at: now)
                    return .success(response)
                } catch let error as RPCError where ServiceErrors.isRecordable(error.code) {
                    // A completed rule failure: undo the change, keep the outcome.
                    try transaction.sql.rollback(toSavepoint: "request_body")
                    try Self.record(
                        &transaction.sql, requestID: requestID, method: method, fingerprint: fingerprint,
                        code: Int64(error.code.rawValue), message: error.message,
                        details: error.metadata.binary(ServiceErrors.detailsKey) ?? [], response: [], at: now)
                    return .failure(error)
                } catch let refusal as RefusalWithReport {
                    // Undone like any refusal, then its report is kept beside the outcome.
                    try transaction.sql.rollback(toSavepoint: "request_body")
                    let error = try refusal.keep(&transaction)
                    precondition(ServiceErrors.isRecordable(error.code), "a refusal with a report is a recordable rule failure")
                    try Self.record(
                        &transaction.sql, requestID: requestID, method: method, fingerprint: fingerprint,
                        code: Int64(error.code.rawValue), message: error.message,
                        details: error.metadata.binary(ServiceErrors.detailsKey) ?? [], response: [], at: now)
                    return .failure(error)
                }
            }
        } catch {
            throw mapped(error)
        }
        return try outcome.get()
    }

    /// A refusal too long for trailers (a generation file rejected with thousands of bad lines,
    /// issue 8): the request's change is undone like any refusal's, then `keep` stores its whole
    /// report in the same transaction and returns the status to answer, which names the report and
    /// is recorded for the request id like any other outcome. Nothing of the request is
    /// half-applied: only the report stays.
    public struct RefusalWithReport: Error {
        public let keep: @Sendable (inout JournalTransaction) throws -> RPCError

        public init(keep: @escaping @Sendable (inout JournalTransaction) throws -> RPCError) {
            self.keep = keep
        }
    }

    /// An outcome read from the idempotency table, thrown through the transaction untouched.
    struct Settled: Error {
        var error: RPCError
    }

    private static func recordedOutcome(
        _ sql: inout SQLTransaction, requestID: String, method: String, fingerprint: [UInt8]
    ) throws -> Result<[UInt8], Settled>? {
        guard
            let row = try sql.queryFirst(
                """
                SELECT method, request_fingerprint, status_code, status_message, error_details, response
                FROM idempotency_keys WHERE request_id = $1
                """, .text(requestID))
        else { return nil }
        guard try row.string("method") == method, try row.bytes("request_fingerprint") == fingerprint else {
            return .failure(
                Settled(
                    error: ServiceErrors.status(
                        .alreadyExists,
                        "request_id \"\(requestID)\" was already used for a different request; use a new id "
                            + "(REQUEST_ID_REUSED, docs/API.md idempotency rule 5)",
                        reason: "REQUEST_ID_REUSED")))
        }
        let code = try row.int64("status_code")
        if code == 0 { return .success(try row.bytes("response")) }
        guard let statusCode = StatusCode(rawValue: Int(code)), statusCode != .ok else {
            throw StorageError(.typeMismatch, "the recorded outcome has an unknown status code \(code)")
        }
        var metadata = Metadata()
        let details = try row.bytes("error_details")
        if !details.isEmpty { metadata.add(ServiceErrors.detailsKey, binary: details) }
        return .failure(Settled(error: RPCError(statusCode, try row.string("status_message"), metadata: metadata)))
    }

    private static func record(
        _ sql: inout SQLTransaction, requestID: String, method: String, fingerprint: [UInt8], code: Int64, message: String,
        details: [UInt8], response: [UInt8], at: Date
    ) throws {
        do {
            try sql.execute(
                """
                INSERT INTO idempotency_keys
                    (request_id, method, request_fingerprint, status_code, status_message, error_details, response, recorded_at_unix_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                .text(requestID), .text(method), .bytes(fingerprint), .int64(code), .text(message), .bytes(details),
                .bytes(response), .int64(JournalTransaction.milliseconds(at)))
        } catch where error.code == .uniqueViolation {
            // A concurrent request with the same id committed first: run again to answer its outcome.
            throw StorageError(.serializationFailure, error.message, cause: error.cause)
        }
    }

    /// Database failures as statuses; their details never reach the message (docs/API.md, Errors).
    public func mapped(_ error: any Error) -> any Error {
        if error is RPCError { return error }
        if let settled = error as? Settled { return settled.error }
        if let storage = error as? StorageError {
            switch storage.code {
            case .connectionFailed, .timedOut, .serializationFailure:
                return RPCError(.unavailable, "the \(service) service's database is unavailable; retry with the same request_id")
            default:
                return RPCError(.internal, "the \(service) service failed to store or read its data")
            }
        }
        return RPCError(.internal, "the \(service) service failed: internal error")
    }
}

/// One transaction of a service, with the request it serves.
public struct JournalTransaction {
    public var sql: SQLTransaction
    public let requestID: String
    public let now: Date
    /// The registry's time zone (ADR 0007), in which ``today`` is counted.
    public let timeZone: TimeZone
    /// Who made the request (its events carry it): a user, a service, a partner, the scheduler.
    public var actor: Recs_Common_V1_Actor?

    public init(sql: SQLTransaction, requestID: String, now: Date, timeZone: TimeZone = ServiceClock.defaultTimeZone) {
        self.sql = sql
        self.requestID = requestID
        self.now = now
        self.timeZone = timeZone
    }

    /// The calendar day of ``now`` in the registry's time zone: the day day-based rules count from.
    public var today: CalendarDate { CalendarDate(now, in: timeZone) }

    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded(.down)) }

    public var nowMilliseconds: Int64 { Self.milliseconds(now) }
    public var nowSeconds: Int64 { Int64(now.timeIntervalSince1970.rounded(.down)) }

    /// Takes the next number of a counter; the row stays locked until commit.
    public mutating func nextNumber(_ counter: String) throws -> Int64 {
        guard let row = try sql.queryFirst("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value", .text(counter))
        else { throw StorageError(.typeMismatch, "counter \(counter) is missing") }
        return try row.int64("value")
    }

    /// Appends an event to the service's feed in this transaction: `encode` gets the event's
    /// sequence and returns the encoded `Event` message (without its link). The event is linked to
    /// the one before it in the service's audit chain (``EventChain``). Returns the sequence.
    @discardableResult
    public mutating func appendEvent(action: String, _ encode: (_ sequence: Int64) throws -> [UInt8]) throws -> Int64 {
        let sequence = try nextNumber("event")
        let payload = try encode(sequence)
        var previous = EventChain.genesis
        if sequence > 1 {
            // Sequences are consecutive (the counter's row lock orders the appends).
            guard let row = try sql.queryFirst("SELECT chain_hash FROM events WHERE sequence = $1", .int64(sequence - 1)),
                let link = try row.optionalBytes("chain_hash")
            else { throw StorageError(.typeMismatch, "event \(sequence - 1) has no link in the audit chain") }
            previous = link
        }
        try sql.execute(
            "INSERT INTO events (sequence, at_unix_ms, action, request_id, payload, chain_hash) VALUES ($1, $2, $3, $4, $5, $6)",
            .int64(sequence), .int64(nowMilliseconds), .text(action), .text(requestID), .bytes(payload),
            .bytes(EventChain.link(previous: previous, payload: payload)))
        return sequence
    }

    /// The newest sequence of the feed (0 when empty).
    public mutating func lastEventSequence() throws -> Int64 {
        try sql.queryFirst("SELECT COALESCE(MAX(sequence), 0) AS last FROM events")?.int64("last") ?? 0
    }
}

/// Paging of `ListEvents` (docs/API.md, event feeds): 0 means 100, more than 1000 is 1000.
public enum EventPaging {
    public static let defaultLimit = 100
    public static let maxLimit = 1000

    public static func limit(_ requested: Int32) throws -> Int {
        guard requested >= 0 else { throw ServiceErrors.invalid("limit", "must not be negative") }
        return requested == 0 ? defaultLimit : min(Int(requested), maxLimit)
    }

    public static func after(_ sequence: Int64) throws -> Int64 {
        guard sequence >= 0 else { throw ServiceErrors.invalid("after_sequence", "must not be negative") }
        return sequence
    }
}
