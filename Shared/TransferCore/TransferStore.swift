import Domain
import Foundation
import Ledger
import Storage

/// A one-time inter-account transfer as stored (§15.2; M-RETS §4.6.1).
public struct TransferRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case pending, completed, rejected, withdrawn, expired
    }

    public var id: String
    public var state: State
    public var fromOrganization: String
    public var fromSubaccount: String
    public var toOrganization: String
    public var toSubaccount: String
    public var serials: [CertificateSerialRange]
    public var quantity: Int64
    public var requestedAtMilliseconds: Int64
    public var expiresAtMilliseconds: Int64
    public var answeredAtMilliseconds: Int64?
    public var notes: String
    public var reason: String
    /// The request that accepted, rejected, withdrew or expired it.
    public var endedBy: String? = nil
}

/// What an event carries, stored as JSON next to its sequence.
struct EventPayload: Sendable, Codable {
    enum Kind: String, Codable { case deposit, transfer, retirement }
    var kind: Kind
    var transfer: TransferRecord?
    var change: LedgerChange?
    var batch: CertificateBatch?
    var fromOrganization: String?
    var fromSubaccount: String?
    var reason: RetirementReason?
    /// The organization holding the deposit subaccount (deposits).
    var organization: String? = nil
}

/// One event of the feed.
struct StoredEvent: Sendable {
    var sequence: Int64
    var atMilliseconds: Int64
    var action: String
    var requestID: String
    var payload: EventPayload
}

/// The transfer service's tables next to the ledger's, in the same database.
///
/// The ledger runs each change in its own transaction with its own idempotency record; the transfer
/// record and the event of that change are written by ``record(_:)`` right after, keyed by the
/// change's request id (`UNIQUE (action, request_id)`), so a retry of a request whose ledger change
/// committed but whose event did not writes the event then. (Same transaction as the ledger change
/// needs a ledger hook: see the report.)
public struct TransferStore: Sendable {
    public let database: any Database
    public let ledger: Ledger

    public init(database: any Database) {
        self.database = database
        self.ledger = Ledger(database: database)
    }

    @discardableResult
    public func migrate() async throws -> [String] {
        try await database.migrate(TransferSchema.all)
    }

    public func close() async { await database.close() }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// A ledger hook that writes the change's event (and the transfer record it carries) in the
    /// ledger's own transaction, so a change never commits without its event.
    static func eventHook(
        action: String, requestID: String,
        _ describe: @escaping @Sendable (LedgerChange) -> (payload: EventPayload, transfer: TransferRecord?)
    ) -> Ledger.ChangeHook {
        { transaction, change in
            let (payload, transfer) = describe(change)
            let event = try PendingEvent(action: action, requestID: requestID, at: change.at, payload: payload, transfer: transfer)
            try write(event, in: &transaction)
        }
    }

    /// An event ready to be written, its JSON encoded up front.
    struct PendingEvent: Sendable {
        let action: String
        let requestID: String
        let atMilliseconds: Int64
        let kind: String
        let payloadJSON: String
        let transfer: TransferRecord?
        let transferJSON: String?

        init(action: String, requestID: String, at: Date, payload: EventPayload, transfer: TransferRecord?) throws {
            self.action = action
            self.requestID = requestID
            self.atMilliseconds = TransferStore.milliseconds(at)
            self.kind = payload.kind.rawValue
            self.payloadJSON = try TransferStore.json(payload)
            self.transfer = transfer
            self.transferJSON = try transfer.map { try TransferStore.json($0.serials) }
        }
    }

    /// Appends the event (next consecutive sequence) unless this action for this request id was
    /// already recorded, and upserts the transfer it carries.
    private static func write(_ event: PendingEvent, in transaction: inout SQLTransaction) throws {
        if try transaction.queryFirst(
            "SELECT sequence FROM transfer_events WHERE action = $1 AND request_id = $2", .text(event.action), .text(event.requestID)) != nil
        {
            return
        }
        if let transfer = event.transfer, let transferJSON = event.transferJSON {
            let answered: SQLValue = transfer.answeredAtMilliseconds.map { .int64($0) } ?? .null
            try transaction.execute(
                """
                INSERT INTO transfers (transfer_id, state, from_organization_id, from_subaccount_id, to_organization_id,
                    to_subaccount_id, serial_ranges, quantity, requested_at_unix_ms, expires_at_unix_ms, answered_at_unix_ms,
                    notes, reason, ended_by_request_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                ON CONFLICT (transfer_id) DO UPDATE SET state = excluded.state,
                    answered_at_unix_ms = excluded.answered_at_unix_ms, reason = excluded.reason,
                    ended_by_request_id = excluded.ended_by_request_id
                """,
                .text(transfer.id), .text(transfer.state.rawValue), .text(transfer.fromOrganization),
                .text(transfer.fromSubaccount), .text(transfer.toOrganization), .text(transfer.toSubaccount), .text(transferJSON),
                .int64(transfer.quantity), .int64(transfer.requestedAtMilliseconds), .int64(transfer.expiresAtMilliseconds),
                answered, .text(transfer.notes), .text(transfer.reason), transfer.endedBy.map { .text($0) } ?? .null)
        }
        let last = try transaction.queryFirst("SELECT COALESCE(MAX(sequence), 0) AS last FROM transfer_events")
        let next = (try last?.int64("last") ?? 0) + 1
        try transaction.execute(
            """
            INSERT INTO transfer_events (sequence, at_unix_ms, action, request_id, payload_kind, payload)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            .int64(next), .int64(event.atMilliseconds), .text(event.action), .text(event.requestID), .text(event.kind),
            .text(event.payloadJSON))
    }

    /// The event an action with this request id wrote, if any (retries answer from it).
    func event(action: String, requestID: String) async throws -> StoredEvent? {
        try await database.transaction { transaction in
            try transaction.queryFirst(
                "SELECT * FROM transfer_events WHERE action = $1 AND request_id = $2", .text(action), .text(requestID)
            ).map { row in
                StoredEvent(
                    sequence: try row.int64("sequence"), atMilliseconds: try row.int64("at_unix_ms"), action: try row.string("action"),
                    requestID: try row.string("request_id"), payload: try Self.decode(EventPayload.self, try row.string("payload")))
            }
        }
    }

    public func transfer(id: String) async throws -> TransferRecord? {
        try await database.transaction { transaction in
            guard let row = try transaction.queryFirst("SELECT * FROM transfers WHERE transfer_id = $1", .text(id)) else {
                return nil
            }
            return try Self.transfer(row)
        }
    }

    /// Pending transfers whose 14 days are over at `now` (§15.2, §15.3).
    func expiredTransfers(at now: Date) async throws -> [TransferRecord] {
        let now = Self.milliseconds(now)
        return try await database.transaction { transaction in
            try transaction.query(
                "SELECT * FROM transfers WHERE state = 'pending' AND expires_at_unix_ms <= $1 ORDER BY transfer_id",
                .int64(now)
            ).map { try Self.transfer($0) }
        }
    }

    static func transfer(_ row: SQLRow) throws -> TransferRecord {
        guard let state = TransferRecord.State(rawValue: try row.string("state")) else {
            throw StorageError(.invalidValue, "unknown transfer state")
        }
        let answered = try row.optionalInt64("answered_at_unix_ms")
        return TransferRecord(
            id: try row.string("transfer_id"), state: state, fromOrganization: try row.string("from_organization_id"),
            fromSubaccount: try row.string("from_subaccount_id"), toOrganization: try row.string("to_organization_id"),
            toSubaccount: try row.string("to_subaccount_id"),
            serials: try decode([CertificateSerialRange].self, try row.string("serial_ranges")),
            quantity: try row.int64("quantity"), requestedAtMilliseconds: try row.int64("requested_at_unix_ms"),
            expiresAtMilliseconds: try row.int64("expires_at_unix_ms"), answeredAtMilliseconds: answered,
            notes: try row.string("notes"), reason: try row.string("reason"),
            endedBy: try row.optionalString("ended_by_request_id"))
    }

    func events(after sequence: Int64, limit: Int) async throws -> (events: [StoredEvent], last: Int64) {
        try await database.transaction { transaction in
            let rows = try transaction.query(
                "SELECT * FROM transfer_events WHERE sequence > $1 ORDER BY sequence LIMIT $2", .int64(sequence), .int64(Int64(limit)))
            let events = try rows.map { row in
                StoredEvent(
                    sequence: try row.int64("sequence"), atMilliseconds: try row.int64("at_unix_ms"), action: try row.string("action"),
                    requestID: try row.string("request_id"), payload: try Self.decode(EventPayload.self, try row.string("payload")))
            }
            let last = try transaction.queryFirst("SELECT COALESCE(MAX(sequence), 0) AS last FROM transfer_events")
            return (events, try last?.int64("last") ?? 0)
        }
    }

    /// The first Active subaccount registered for an organization (the recipient's default, §15.2).
    func defaultActiveSubaccount(of organization: String) async throws -> String? {
        try await database.transaction { transaction in
            try transaction.queryFirst(
                """
                SELECT subaccount_id FROM subaccounts WHERE organization_id = $1 AND kind = 'active'
                ORDER BY registered_at_unix_ms, subaccount_id LIMIT 1
                """, .text(organization)
            ).map { try $0.string("subaccount_id") }
        }
    }

    /// The subaccounts of an organization the ledger knows, with their kinds.
    func subaccounts(of organization: String) async throws -> [(id: String, kind: String)] {
        try await database.transaction { transaction in
            try transaction.query(
                "SELECT subaccount_id, kind FROM subaccounts WHERE organization_id = $1 ORDER BY subaccount_id", .text(organization)
            ).map { (try $0.string("subaccount_id"), try $0.string("kind")) }
        }
    }

    /// Pending transfers from or to an organization.
    func pendingTransferCount(of organization: String) async throws -> Int64 {
        try await database.transaction { transaction in
            try transaction.queryFirst(
                """
                SELECT COUNT(*) AS n FROM transfers
                WHERE state = 'pending' AND (from_organization_id = $1 OR to_organization_id = $1)
                """, .text(organization)
            )?.int64("n") ?? 0
        }
    }

    /// The organization and kind of a subaccount the ledger knows.
    func subaccount(_ id: String) async throws -> (organization: String, kind: String)? {
        try await database.transaction { transaction in
            try transaction.queryFirst("SELECT organization_id, kind FROM subaccounts WHERE subaccount_id = $1", .text(id)).map {
                (try $0.string("organization_id"), try $0.string("kind"))
            }
        }
    }
}
