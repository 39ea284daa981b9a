import Domain
import Foundation
import Ledger
import ProtoMessages
import ServiceKit
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

    /// The domain's state machine for this transfer (no execution dates yet), counting days in
    /// the registry's time zone.
    func machine(in timeZone: TimeZone) -> InterAccountTransfer {
        let state: InterAccountTransfer.State =
            switch self.state {
            case .pending: .pending
            case .completed: .completed
            case .rejected: .rejected
            case .withdrawn: .withdrawn
            case .expired: .expired
            }
        return InterAccountTransfer(
            requestedAt: TransferStore.date(requestedAtMilliseconds), executionAt: nil, state: state, timeZone: timeZone)
    }
}

/// The transfer service's database: the ledger's tables and the service's own, one transaction
/// per request through the ``RequestJournal`` (the one pipeline of ADR 0006): the request's
/// outcome, a refusal included, its ledger change, its transfer record and its event commit
/// together or not at all.
public struct TransferStore: Sendable {
    public let database: any Database
    public let ledger: Ledger
    public let journal: RequestJournal

    public init(database: any Database, clock: ServiceClock = ServiceClock()) {
        self.database = database
        self.ledger = Ledger(database: database)
        self.journal = RequestJournal(database: database, service: "transfer", clock: clock)
    }

    @discardableResult
    public func migrate() async throws -> [String] {
        try await database.migrate(TransferSchema.all)
    }

    /// The schema as it was before the request journal (tests of the migration).
    public static var migrationsBeforeJournal: [Migration] {
        Ledger.baseMigrations + TransferSchema.migrations + TransferSchema.feedMigrations + TransferSchema.principalMigrations
    }

    public func close() async { await database.close() }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1_000) }
}

extension JournalTransaction {
    /// Appends the transfer service's event for this request, with its actor.
    mutating func appendTransferEvent(action: String, actor: Recs_Common_V1_Actor, _ payload: Recs_Transfer_V1_Event.OneOf_Payload) throws {
        try appendEvent(Recs_Transfer_V1_Event.self, action: action, actor: actor) { $0.payload = payload }
    }

    // MARK: Transfers

    mutating func saveTransfer(_ transfer: TransferRecord) throws {
        let answered: SQLValue = transfer.answeredAtMilliseconds.map { .int64($0) } ?? .null
        try sql.execute(
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
            .text(transfer.fromSubaccount), .text(transfer.toOrganization), .text(transfer.toSubaccount),
            .text(try TransferMessages.json(transfer.serials)), .int64(transfer.quantity), .int64(transfer.requestedAtMilliseconds),
            .int64(transfer.expiresAtMilliseconds), answered, .text(transfer.notes), .text(transfer.reason),
            transfer.endedBy.map { .text($0) } ?? .null)
    }

    mutating func transfer(id: String) throws -> TransferRecord? {
        try sql.queryFirst("SELECT * FROM transfers WHERE transfer_id = $1", .text(id)).map(TransferMessages.transfer)
    }

    /// Pending transfers whose 14 days are over at `now` (§15.2, §15.3).
    mutating func expiredTransfers(at now: Date) throws -> [TransferRecord] {
        try sql.query(
            "SELECT * FROM transfers WHERE state = 'pending' AND expires_at_unix_ms <= $1 ORDER BY transfer_id",
            .int64(TransferStore.milliseconds(now))
        ).map(TransferMessages.transfer)
    }

    /// Pending transfers from or to an organization.
    mutating func pendingTransferCount(of organization: String) throws -> Int64 {
        try sql.queryFirst(
            """
            SELECT COUNT(*) AS n FROM transfers
            WHERE state = 'pending' AND (from_organization_id = $1 OR to_organization_id = $1)
            """, .text(organization)
        )?.int64("n") ?? 0
    }

    // MARK: Subaccounts (from the registry's feed)

    /// The first Active subaccount registered for an organization (the recipient's default, §15.2).
    mutating func defaultActiveSubaccount(of organization: String) throws -> String? {
        try sql.queryFirst(
            """
            SELECT subaccount_id FROM subaccounts WHERE organization_id = $1 AND kind = 'active'
            ORDER BY registered_at_unix_ms, subaccount_id LIMIT 1
            """, .text(organization)
        ).map { try $0.string("subaccount_id") }
    }

    /// The subaccounts of an organization the ledger knows, with their kinds.
    mutating func subaccounts(of organization: String) throws -> [(id: String, kind: String)] {
        try sql.query("SELECT subaccount_id, kind FROM subaccounts WHERE organization_id = $1 ORDER BY subaccount_id", .text(organization))
            .map { (try $0.string("subaccount_id"), try $0.string("kind")) }
    }

    /// The organization and kind of a subaccount the ledger knows.
    mutating func subaccount(_ id: String) throws -> (organization: String, kind: String)? {
        try sql.queryFirst("SELECT organization_id, kind FROM subaccounts WHERE subaccount_id = $1", .text(id)).map {
            (try $0.string("organization_id"), try $0.string("kind"))
        }
    }
}
