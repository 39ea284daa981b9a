import Domain
import Foundation
import Ledger
import ProtoMessages
import ServiceKit
import Storage

/// The transfer service's own tables, migrated after the ledger's (one `schema_migrations` list):
/// the one-time inter-account transfers (§15.2) and the event feed (docs/API.md, event-feed
/// contract). Both dialects share the statements; the types used mean the same on both.
enum TransferSchema {
    static var migrations: [Migration] {
        [
            Migration(
                name: "transfer-0001-transfers-and-events",
                statements: [
                    """
                    CREATE TABLE transfers (
                        transfer_id TEXT NOT NULL PRIMARY KEY,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'completed', 'rejected', 'withdrawn', 'expired')),
                        from_organization_id TEXT NOT NULL,
                        from_subaccount_id TEXT NOT NULL,
                        to_organization_id TEXT NOT NULL,
                        to_subaccount_id TEXT NOT NULL,
                        serial_ranges TEXT NOT NULL,
                        quantity BIGINT NOT NULL CHECK (quantity > 0),
                        requested_at_unix_ms BIGINT NOT NULL,
                        expires_at_unix_ms BIGINT NOT NULL,
                        answered_at_unix_ms BIGINT,
                        notes TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        ended_by_request_id TEXT
                    )
                    """,
                    "CREATE INDEX transfers_pending_expiry ON transfers (state, expires_at_unix_ms)",
                    """
                    CREATE TABLE transfer_events (
                        sequence BIGINT NOT NULL PRIMARY KEY CHECK (sequence > 0),
                        at_unix_ms BIGINT NOT NULL,
                        action TEXT NOT NULL,
                        request_id TEXT NOT NULL,
                        payload_kind TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        UNIQUE (action, request_id)
                    )
                    """,
                ])
        ]
    }

    /// Where the transfer service stands in the registry's feed (ServiceKit's FeedFollower).
    static var feedMigrations: [Migration] {
        [ServiceSchema.migration("transfer-0002-feed-positions") { t in [ServiceSchema.feedPositions(t)] }]
    }

    /// Who may call the service, as the registry publishes it (ADR 0006).
    static var principalMigrations: [Migration] { [Principals.migration("transfer-0003-principals")] }

    /// The one pipeline (ADR 0006): the service's request journal, its event feed as every service
    /// keeps it (the encoded `recs.transfer.v1.Event`), and its counters. The ledger's own request
    /// records move to `ledger_requests` first; the events recorded as JSON until now are
    /// re-encoded into the new feed with the same sequences, then their table goes.
    static var journalMigrations: [Migration] {
        Ledger.laterMigrations + [
            Migration(
                name: "transfer-0004-request-journal",
                overrides: [
                    .sqlite: journalTables(.sqlite), .postgres: journalTables(.postgres),
                ],
                transform: LegacyEvents.convert),
            Migration(name: "transfer-0005-drop-json-events", statements: ["DROP TABLE transfer_events"]),
            ServiceSchema.chainMigration("transfer-0006-audit-chain"),
        ] + Ledger.seekMigrations
    }

    static func journalTables(_ t: ServiceSchema.Types) -> [String] {
        [ServiceSchema.idempotencyKeys(t), ServiceSchema.events(t)] + ServiceSchema.counters([], t)
    }

    /// Every migration of the service's database: the ledger's first, then ours.
    static var all: [Migration] {
        Ledger.baseMigrations + migrations + feedMigrations + principalMigrations + journalMigrations
            + [Principals.recordsMigration("transfer-0007-principal-user-records"), Principals.programAccessMigration("transfer-0008-program-access")]
    }
}

/// The events the transfer service stored as JSON before it moved onto the request journal
/// (transfer-0001 … 0003), re-encoded as the `recs.transfer.v1.Event`s its feed always served.
enum LegacyEvents {
    struct Payload: Decodable {
        enum Kind: String, Decodable { case deposit, transfer, retirement }
        var kind: Kind
        var transfer: TransferRecord?
        var change: LedgerChange?
        var batch: CertificateBatch?
        var fromOrganization: String?
        var fromSubaccount: String?
        var reason: RetirementReason?
        var organization: String?
    }

    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        var last: Int64 = 0
        for row in try sql.query("SELECT sequence, at_unix_ms, action, request_id, payload FROM transfer_events ORDER BY sequence") {
            let sequence = try row.int64("sequence")
            let at = try row.int64("at_unix_ms")
            let stored = try TransferMessages.decode(Payload.self, try row.string("payload"))
            var event = Recs_Transfer_V1_Event()
            event.sequence = sequence
            event.at = TransferMessages.timestamp(milliseconds: at)
            event.action = try row.string("action")
            event.requestId = try row.string("request_id")
            switch stored.kind {
            case .transfer:
                if let transfer = stored.transfer { event.transfer = TransferMessages.transferMessage(transfer) }
            case .retirement:
                if let change = stored.change {
                    event.ledgerTransaction = TransferMessages.ledgerTransaction(
                        change, fromOrganization: stored.fromOrganization ?? "", fromSubaccount: stored.fromSubaccount ?? "",
                        reason: stored.reason.map(TransferMessages.retirementReason))
                }
            case .deposit:
                if let batch = stored.batch, let change = stored.change {
                    event.certificatesDeposited = TransferMessages.deposited(
                        batch, organization: stored.organization ?? "", subaccount: change.subaccount.description)
                }
            }
            try sql.execute(
                "INSERT INTO events (sequence, at_unix_ms, action, request_id, payload) VALUES ($1, $2, $3, $4, $5)",
                .int64(sequence), .int64(at), .text(event.action), .text(event.requestId), .bytes(event.protobufBytes()))
            last = sequence
        }
        try sql.execute("UPDATE counters SET value = $1 WHERE name = 'event'", .int64(last))
    }
}
