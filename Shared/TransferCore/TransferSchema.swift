import Ledger
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

    /// Every migration of the service's database: the ledger's first, then ours.
    static var all: [Migration] { Ledger.migrations + migrations + feedMigrations + principalMigrations }
}
