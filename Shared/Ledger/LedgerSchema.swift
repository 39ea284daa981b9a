import Storage

/// The ledger's schema: forward-only migrations for both databases. The constraints carry the
/// invariants that a single row or a pair of rows can express, so a bug in the code cannot write a
/// holding that overlaps another, leaves its batch, or sits in the wrong kind of subaccount;
/// conservation across all holdings of a batch is checked by ``Ledger/checkConservation()``.
enum LedgerSchema {
    static let statuses = "'active', 'pendingTransfer', 'retired', 'reserved', 'exportPending', 'exported'"
    static let frozenStatuses = "'pendingTransfer', 'exportPending'"

    /// Checks shared by both dialects; kept in one place so the two CREATE TABLEs cannot drift.
    static let holdingChecks = """
        CONSTRAINT holdings_range CHECK (1 <= first_number AND first_number <= last_number AND last_number <= batch_last_number),
        CONSTRAINT holdings_status CHECK (status IN (\(statuses))),
        CONSTRAINT holdings_status_in_subaccount CHECK (
            (status IN ('active', 'pendingTransfer', 'exportPending') AND subaccount_kind = 'active')
            OR (status = 'retired' AND subaccount_kind = 'retirement')
            OR (status = 'reserved' AND subaccount_kind = 'reserve')
            OR (status = 'exported' AND subaccount_kind = 'export')),
        CONSTRAINT holdings_frozen_by_hold CHECK (
            (status IN (\(frozenStatuses)) AND hold_id IS NOT NULL)
            OR (status NOT IN (\(frozenStatuses)) AND hold_id IS NULL)),
        CONSTRAINT holdings_status_since CHECK (
            (status = 'active' AND status_since_unix_ms IS NULL)
            OR (status <> 'active' AND status_since_unix_ms IS NOT NULL)),
        CONSTRAINT holdings_retirement_reason CHECK (status <> 'retired' OR reason IS NOT NULL),
        FOREIGN KEY (batch_number, batch_last_number) REFERENCES batches (batch_number, last_number),
        FOREIGN KEY (subaccount_id, subaccount_kind) REFERENCES subaccounts (subaccount_id, kind)
        """

    static let batchChecks = """
        CONSTRAINT batches_number CHECK (batch_number BETWEEN 1 AND 999999999999),
        CONSTRAINT batches_location CHECK (length(location) = 2),
        CONSTRAINT batches_vintage CHECK (vintage_year BETWEEN 1000 AND 9999 AND vintage_month BETWEEN 1 AND 12),
        CONSTRAINT batches_range CHECK (first_number = 1 AND first_number <= last_number AND last_number <= 999999999999),
        CONSTRAINT batches_quantity CHECK (issued_quantity = last_number - first_number + 1),
        CONSTRAINT batches_last UNIQUE (batch_number, last_number)
        """

    /// A ledger on a database of its own: the first two, then the rename.
    static var migrations: [Migration] { baseMigrations + [requestsRename, neighbourSeeks] }

    /// The overlap guard that looks at neighbours only (SQLite triggers; PostgreSQL's exclusion
    /// constraint already seeks its gist index), for the insert and for the update.
    ///
    /// Holdings of a batch are disjoint before the change, so a new or changed range overlaps
    /// another exactly when another holding starts inside it, or the last holding to start before it
    /// reaches into it. Both are seeks on `holdings_by_batch`; the first guard scanned every holding
    /// of the batch that starts below the new range.
    static func disjointTrigger(_ name: String, on event: String) -> String {
        """
        CREATE TRIGGER \(name) AFTER \(event) ON holdings
        WHEN EXISTS (
                SELECT 1 FROM holdings AS other
                WHERE other.batch_number = NEW.batch_number
                  AND other.first_number BETWEEN NEW.first_number AND NEW.last_number
                  AND other.holding_id <> NEW.holding_id)
            OR (SELECT other.last_number FROM holdings AS other
                WHERE other.batch_number = NEW.batch_number AND other.first_number < NEW.first_number
                ORDER BY other.first_number DESC LIMIT 1) >= NEW.first_number
        BEGIN
            SELECT RAISE(ABORT, 'exclusion: holdings of one batch overlap');
        END
        """
    }

    /// Cost independent of a batch's history (issue 8): the overlap guard checks neighbours only,
    /// and a subaccount's holdings of a batch are read in serial order from an index, so a quantity
    /// is picked a page at a time without sorting.
    static let neighbourSeeks = Migration(
        name: "0004-ledger-neighbour-seeks",
        statements: [
            "CREATE INDEX holdings_by_subaccount_batch ON holdings (subaccount_id, batch_number, first_number)",
            "DROP INDEX holdings_by_subaccount",
        ],
        overrides: [
            .sqlite: [
                "DROP TRIGGER holdings_disjoint_insert",
                "DROP TRIGGER holdings_disjoint_update",
                disjointTrigger("holdings_disjoint_insert", on: "INSERT"),
                disjointTrigger("holdings_disjoint_update", on: "UPDATE OF batch_number, first_number, last_number"),
                "CREATE INDEX holdings_by_subaccount_batch ON holdings (subaccount_id, batch_number, first_number)",
                "DROP INDEX holdings_by_subaccount",
            ]
        ])

    /// The ledger's own idempotency records take the name `ledger_requests`, leaving
    /// `idempotency_keys` to the owning service's request journal. A service embedding the ledger
    /// appends this after its own migrations (its list is fixed from the first two on).
    static let requestsRename = Migration(
        name: "0003-ledger-requests", statements: ["ALTER TABLE idempotency_keys RENAME TO ledger_requests"])

    static let baseMigrations: [Migration] = [
        Migration(
            name: "0001-ledger-subaccounts-batches-holdings",
            statements: [],
            overrides: [
                .sqlite: [
                    """
                    CREATE TABLE subaccounts (
                        subaccount_id TEXT NOT NULL PRIMARY KEY,
                        organization_id TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('active', 'retirement', 'reserve', 'export')),
                        registered_at_unix_ms INTEGER NOT NULL,
                        CONSTRAINT subaccounts_kind UNIQUE (subaccount_id, kind)
                    ) STRICT
                    """,
                    """
                    CREATE TABLE batches (
                        batch_number INTEGER NOT NULL PRIMARY KEY,
                        generating_unit_id TEXT NOT NULL,
                        location TEXT NOT NULL,
                        vintage_year INTEGER NOT NULL,
                        vintage_month INTEGER NOT NULL,
                        fuel_type TEXT NOT NULL,
                        created_on_days INTEGER NOT NULL,
                        first_number INTEGER NOT NULL,
                        last_number INTEGER NOT NULL,
                        issued_quantity INTEGER NOT NULL,
                        issued_at_unix_ms INTEGER NOT NULL,
                        \(batchChecks)
                    ) STRICT
                    """,
                    """
                    CREATE TABLE holds (
                        hold_id TEXT NOT NULL PRIMARY KEY,
                        purpose TEXT NOT NULL CHECK (purpose IN ('transfer', 'export')),
                        source_subaccount_id TEXT NOT NULL REFERENCES subaccounts (subaccount_id),
                        destination_subaccount_id TEXT NOT NULL REFERENCES subaccounts (subaccount_id),
                        state TEXT NOT NULL CHECK (state IN ('pending', 'completed', 'released')),
                        created_at_unix_ms INTEGER NOT NULL,
                        updated_at_unix_ms INTEGER NOT NULL
                    ) STRICT
                    """,
                    """
                    CREATE TABLE holdings (
                        holding_id INTEGER NOT NULL PRIMARY KEY,
                        batch_number INTEGER NOT NULL,
                        batch_last_number INTEGER NOT NULL,
                        first_number INTEGER NOT NULL,
                        last_number INTEGER NOT NULL,
                        subaccount_id TEXT NOT NULL,
                        subaccount_kind TEXT NOT NULL,
                        status TEXT NOT NULL,
                        status_since_unix_ms INTEGER,
                        hold_id TEXT REFERENCES holds (hold_id),
                        reason TEXT,
                        updated_at_unix_ms INTEGER NOT NULL,
                        \(holdingChecks)
                    ) STRICT
                    """,
                    // SQLite has no exclusion constraints: these triggers make overlapping ranges of
                    // one batch impossible, as EXCLUDE USING gist does on PostgreSQL. They run AFTER
                    // the row is written, so CHECK constraints are reported first, as on PostgreSQL.
                    """
                    CREATE TRIGGER holdings_disjoint_insert AFTER INSERT ON holdings
                    WHEN EXISTS (
                        SELECT 1 FROM holdings AS other
                        WHERE other.holding_id <> NEW.holding_id
                          AND other.batch_number = NEW.batch_number
                          AND other.first_number <= NEW.last_number AND NEW.first_number <= other.last_number)
                    BEGIN
                        SELECT RAISE(ABORT, 'exclusion: holdings of one batch overlap');
                    END
                    """,
                    """
                    CREATE TRIGGER holdings_disjoint_update AFTER UPDATE OF batch_number, first_number, last_number ON holdings
                    WHEN EXISTS (
                        SELECT 1 FROM holdings AS other
                        WHERE other.holding_id <> NEW.holding_id
                          AND other.batch_number = NEW.batch_number
                          AND other.first_number <= NEW.last_number AND NEW.first_number <= other.last_number)
                    BEGIN
                        SELECT RAISE(ABORT, 'exclusion: holdings of one batch overlap');
                    END
                    """,
                    "CREATE INDEX holdings_by_batch ON holdings (batch_number, first_number)",
                    "CREATE INDEX holdings_by_subaccount ON holdings (subaccount_id, batch_number)",
                    "CREATE INDEX holdings_by_hold ON holdings (hold_id)",
                ],
                .postgres: [
                    // Trusted since PostgreSQL 13: the database owner may create it.
                    "CREATE EXTENSION IF NOT EXISTS btree_gist",
                    """
                    CREATE TABLE subaccounts (
                        subaccount_id TEXT NOT NULL PRIMARY KEY,
                        organization_id TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('active', 'retirement', 'reserve', 'export')),
                        registered_at_unix_ms BIGINT NOT NULL,
                        CONSTRAINT subaccounts_kind UNIQUE (subaccount_id, kind)
                    )
                    """,
                    """
                    CREATE TABLE batches (
                        batch_number BIGINT NOT NULL PRIMARY KEY,
                        generating_unit_id TEXT NOT NULL,
                        location TEXT NOT NULL,
                        vintage_year INTEGER NOT NULL,
                        vintage_month INTEGER NOT NULL,
                        fuel_type TEXT NOT NULL,
                        created_on_days INTEGER NOT NULL,
                        first_number BIGINT NOT NULL,
                        last_number BIGINT NOT NULL,
                        issued_quantity BIGINT NOT NULL,
                        issued_at_unix_ms BIGINT NOT NULL,
                        \(batchChecks)
                    )
                    """,
                    """
                    CREATE TABLE holds (
                        hold_id TEXT NOT NULL PRIMARY KEY,
                        purpose TEXT NOT NULL CHECK (purpose IN ('transfer', 'export')),
                        source_subaccount_id TEXT NOT NULL REFERENCES subaccounts (subaccount_id),
                        destination_subaccount_id TEXT NOT NULL REFERENCES subaccounts (subaccount_id),
                        state TEXT NOT NULL CHECK (state IN ('pending', 'completed', 'released')),
                        created_at_unix_ms BIGINT NOT NULL,
                        updated_at_unix_ms BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE holdings (
                        holding_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        batch_number BIGINT NOT NULL,
                        batch_last_number BIGINT NOT NULL,
                        first_number BIGINT NOT NULL,
                        last_number BIGINT NOT NULL,
                        subaccount_id TEXT NOT NULL,
                        subaccount_kind TEXT NOT NULL,
                        status TEXT NOT NULL,
                        status_since_unix_ms BIGINT,
                        hold_id TEXT REFERENCES holds (hold_id),
                        reason TEXT,
                        updated_at_unix_ms BIGINT NOT NULL,
                        \(holdingChecks),
                        CONSTRAINT holdings_disjoint EXCLUDE USING gist (
                            batch_number WITH =, int8range(first_number, last_number, '[]') WITH &&)
                    )
                    """,
                    "CREATE INDEX holdings_by_batch ON holdings (batch_number, first_number)",
                    "CREATE INDEX holdings_by_subaccount ON holdings (subaccount_id, batch_number)",
                    "CREATE INDEX holdings_by_hold ON holdings (hold_id)",
                ],
            ]),
        Migration(
            name: "0002-ledger-idempotency-keys",
            statements: [],
            overrides: [
                .sqlite: [
                    """
                    CREATE TABLE idempotency_keys (
                        request_id TEXT NOT NULL PRIMARY KEY,
                        operation TEXT NOT NULL,
                        request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
                        outcome TEXT NOT NULL,
                        recorded_at_unix_ms INTEGER NOT NULL
                    ) STRICT
                    """
                ],
                .postgres: [
                    """
                    CREATE TABLE idempotency_keys (
                        request_id TEXT NOT NULL PRIMARY KEY,
                        operation TEXT NOT NULL,
                        request_hash BYTEA NOT NULL CHECK (length(request_hash) = 32),
                        outcome TEXT NOT NULL,
                        recorded_at_unix_ms BIGINT NOT NULL
                    )
                    """
                ],
            ]),
    ]
}
