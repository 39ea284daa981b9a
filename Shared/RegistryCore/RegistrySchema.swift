import ServiceKit
import Storage

/// The registry's schema: forward-only migrations for both databases (append, never edit).
///
/// Most records are still kept twice: the columns the registry queries and constrains on (ids,
/// status, kind, owner) and the protobuf bytes of the record as the API returns it (`record`), both
/// written in the same statement. ADR 0010 replaces the bytes by the registry's own records, every
/// field a column, as issuance and reporting did for their copies: API keys since 0007, subaccounts
/// since 0008, logins since 0009 (`Records/`); organizations and units are still to move
/// ("Rollout").
///
/// `counters` hands out organization numbers, unit numbers and event sequences. Taking a number is
/// an `UPDATE` of its row, which holds the row's lock until commit: event sequences are therefore
/// assigned in commit order with no gap (docs/API.md, event feeds).
public enum RegistrySchema {
    static func tables(blob: String, int: String, strict: String) -> [String] {
        let t = ServiceSchema.Types(blob: blob, int: int, strict: strict)
        return ServiceSchema.counters(["organization", "generating_unit", "user"], t) + [
            """
            CREATE TABLE organizations (
                organization_number \(int) NOT NULL PRIMARY KEY CHECK (organization_number BETWEEN 1 AND 9999),
                organization_id TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'terminated')),
                record \(blob) NOT NULL,
                created_at_unix_ms \(int) NOT NULL
            )\(strict)
            """,
            // §6: one account per organization, which holds the subaccounts.
            """
            CREATE TABLE accounts (
                organization_id TEXT NOT NULL PRIMARY KEY REFERENCES organizations (organization_id),
                status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'terminated')),
                opened_at_unix_ms \(int) NOT NULL
            )\(strict)
            """,
            """
            CREATE TABLE subaccounts (
                subaccount_id TEXT NOT NULL PRIMARY KEY CHECK (length(subaccount_id) = 13),
                organization_id TEXT NOT NULL REFERENCES accounts (organization_id),
                kind TEXT NOT NULL CHECK (kind IN ('active', 'retirement', 'reserve', 'export')),
                opened_with_account \(int) NOT NULL CHECK (opened_with_account IN (0, 1)),
                record \(blob) NOT NULL,
                created_at_unix_ms \(int) NOT NULL
            )\(strict)
            """,
            "CREATE INDEX subaccounts_by_organization ON subaccounts (organization_id, created_at_unix_ms)",
            // §7: logins; for now only the Manager opened with the account (§7.1). login_key is the
            // login lower-cased: logins are unique across the registry whatever their case. `record`
            // became columns and `user_permissions` in 0009.
            """
            CREATE TABLE users (
                user_id TEXT NOT NULL PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations (organization_id),
                login_key TEXT NOT NULL UNIQUE,
                record \(blob) NOT NULL,
                created_at_unix_ms \(int) NOT NULL
            )\(strict)
            """,
            """
            CREATE TABLE generating_units (
                unit_number \(int) NOT NULL PRIMARY KEY CHECK (unit_number >= 1),
                generating_unit_id TEXT NOT NULL UNIQUE,
                organization_id TEXT NOT NULL REFERENCES organizations (organization_id),
                status TEXT NOT NULL CHECK (status IN ('registered', 'approved', 'inactive', 'suspended', 'terminated')),
                deposit_subaccount_id TEXT NOT NULL REFERENCES subaccounts (subaccount_id),
                unit_class TEXT NOT NULL,
                record \(blob) NOT NULL,
                registered_at_unix_ms \(int) NOT NULL,
                status_changed_at_unix_ms \(int) NOT NULL
            )\(strict)
            """,
            "CREATE INDEX generating_units_by_organization ON generating_units (organization_id, unit_number)",
            // §9.2, §10, Appendix D Table 27: who reports the unit's generation, under which UNITID.
            """
            CREATE TABLE reporting_entity_designations (
                generating_unit_id TEXT NOT NULL PRIMARY KEY REFERENCES generating_units (generating_unit_id),
                type TEXT NOT NULL,
                reporting_entity_organization_id TEXT NOT NULL REFERENCES organizations (organization_id),
                reporting_entity_unit_id TEXT NOT NULL,
                designated_at_unix_ms \(int) NOT NULL
            )\(strict)
            """,
            """
            CREATE UNIQUE INDEX reporting_entity_unit_ids ON reporting_entity_designations
                (reporting_entity_organization_id, reporting_entity_unit_id) WHERE reporting_entity_unit_id <> ''
            """,
            // docs/API.md: idempotency and the event feed (payload: the encoded recs.registry.v1.Event).
            ServiceSchema.idempotencyKeys(t),
            ServiceSchema.events(t),
        ]
    }

    public static let migrations: [Migration] = [
        Migration(
            name: "0001-registry-organizations-units-idempotency-events",
            statements: [],
            overrides: [
                .sqlite: tables(blob: "BLOB", int: "INTEGER", strict: " STRICT"),
                .postgres: tables(blob: "BYTEA", int: "BIGINT", strict: ""),
            ]),
        // ADR 0006: API keys, and the callers every service authenticates from (its Principals
        // tables), filled with the organizations and logins that already exist.
        ServiceSchema.migration("0002-registry-api-keys-principals") { t in
            Principals.tables(t) + [
                """
                CREATE TABLE api_keys (
                    key_id TEXT NOT NULL PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users (user_id),
                    organization_id TEXT NOT NULL REFERENCES organizations (organization_id),
                    record \(t.blob) NOT NULL,
                    created_at_unix_ms \(t.int) NOT NULL
                )\(t.strict)
                """,
                "CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at_unix_ms)",
                "INSERT INTO counters (name, value) VALUES ('api_key', 0)",
                "INSERT INTO principal_organizations (organization_id, role, status) SELECT organization_id, type, status FROM organizations",
                "INSERT INTO principal_users (user_id, organization_id, record) SELECT user_id, organization_id, record FROM users",
            ]
        },
        // §7: the logins of an account, listed by organization.
        ServiceSchema.migration("0003-registry-users-by-organization") { _ in
            ["CREATE INDEX users_by_organization ON users (organization_id)"]
        },
        ServiceSchema.chainMigration("0004-registry-audit-chain"),
        // ADR 0010: the logins every service authenticates from as columns, not `User` bytes.
        Principals.recordsMigration("0005-registry-principal-user-records"),
        Principals.programAccessMigration("0006-registry-program-access"),
        // ADR 0010: API keys as the registry's own record, every field a column.
        Migration(
            name: "0007-registry-own-api-key-records",
            overrides: [.sqlite: ApiKeyRows.addColumns(.sqlite), .postgres: ApiKeyRows.addColumns(.postgres)],
            transform: LegacyApiKeyRecords.convert),
        Migration(
            name: "0008-registry-own-subaccount-records",
            overrides: [.sqlite: SubaccountRows.addColumns(.sqlite), .postgres: SubaccountRows.addColumns(.postgres)],
            transform: LegacySubaccountRecords.convert),
        Migration(
            name: "0009-registry-own-user-records",
            overrides: [.sqlite: UserRows.addColumns(.sqlite), .postgres: UserRows.addColumns(.postgres)],
            transform: LegacyUserRecords.convert),
    ]
}
