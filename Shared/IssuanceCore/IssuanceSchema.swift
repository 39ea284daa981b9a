import ServiceKit
import Storage

/// The issuance service's schema: forward-only migrations for both databases (append, never edit).
///
/// As in the registry, records are kept twice on purpose: the columns the service queries and
/// constrains on, and the protobuf bytes of the record as the API returns it (`record`).
///
/// Dates are stored as `YYYY-MM-DD` text and months as `year * 12 + month - 1` (`vintage_index`), so
/// both sort and compare correctly on both databases.
public enum IssuanceSchema {
    static func tables(_ t: ServiceSchema.Types) -> [String] {
        ServiceSchema.counters(["batch", "upload", "cycle", "posted_generation", "log_entry"], t) + [
            ServiceSchema.idempotencyKeys(t),
            ServiceSchema.events(t),
            ServiceSchema.feedPositions(t),
            // The registry's organizations as its feed last described them (docs/API.md, event
            // feeds): who may upload generation files (Appendix D §6.1).
            """
            CREATE TABLE organizations (
                organization_id TEXT NOT NULL PRIMARY KEY,
                type TEXT NOT NULL,
                status TEXT NOT NULL,
                record \(t.blob) NOT NULL
            )\(t.strict)
            """,
            // The registry's generating units as its feed last described them, plus this service's
            // own running figures for each: the fraction carried forward to the next cycle (§12.6)
            // and the balance of its Generation Activity Log.
            """
            CREATE TABLE units (
                generating_unit_id TEXT NOT NULL PRIMARY KEY,
                organization_id TEXT NOT NULL,
                status TEXT NOT NULL,
                unit_class TEXT NOT NULL,
                state_or_province TEXT NOT NULL,
                deposit_subaccount_id TEXT NOT NULL,
                reporting_entity_organization_id TEXT NOT NULL,
                reporting_entity_unit_id TEXT NOT NULL,
                record \(t.blob) NOT NULL,
                carried_kwh \(t.int) NOT NULL DEFAULT 0 CHECK (carried_kwh >= 0 AND carried_kwh < 1000),
                balance_kwh \(t.int) NOT NULL DEFAULT 0
            )\(t.strict)
            """,
            // Appendix D Table 27: a reporting entity's UNITID names exactly one unit.
            """
            CREATE UNIQUE INDEX units_by_reporting_entity ON units (reporting_entity_organization_id, reporting_entity_unit_id)
                WHERE reporting_entity_unit_id <> ''
            """,
            """
            CREATE TABLE uploads (
                upload_id TEXT NOT NULL PRIMARY KEY,
                reporter_organization_id TEXT NOT NULL,
                received_at_unix_ms \(t.int) NOT NULL,
                record \(t.blob) NOT NULL
            )\(t.strict)
            """,
            // Posted generation (§12.6 item 2). A reload (Table 26) replaces an entry: the old one
            // keeps its row with `replaced_by` set. At most one live entry per unit and period, and
            // once issued an entry names the cycle that issued it.
            """
            CREATE TABLE posted_generation (
                posted_generation_id TEXT NOT NULL PRIMARY KEY,
                generating_unit_id TEXT NOT NULL REFERENCES units (generating_unit_id),
                status TEXT NOT NULL CHECK (status IN ('wregis_pending', 'wregis_accepted', 'account_holder_accepted',
                    'account_holder_disputed', 'administrator_accepted', 'administrator_disputed', 'administrator_adjusted')),
                vintage_index \(t.int) NOT NULL,
                period_begin TEXT NOT NULL,
                period_end TEXT NOT NULL CHECK (period_begin <= period_end),
                energy_kwh \(t.int) NOT NULL CHECK (energy_kwh >= 0),
                upload_id TEXT NOT NULL REFERENCES uploads (upload_id),
                line \(t.int) NOT NULL CHECK (line >= 2),
                replaced_by TEXT REFERENCES posted_generation (posted_generation_id),
                issuance_cycle_id TEXT,
                record \(t.blob) NOT NULL,
                CHECK (replaced_by IS NULL OR issuance_cycle_id IS NULL)
            )\(t.strict)
            """,
            """
            CREATE UNIQUE INDEX posted_generation_live_periods ON posted_generation (generating_unit_id, period_begin)
                WHERE replaced_by IS NULL
            """,
            """
            CREATE UNIQUE INDEX posted_generation_live_period_ends ON posted_generation (generating_unit_id, period_end)
                WHERE replaced_by IS NULL
            """,
            "CREATE INDEX posted_generation_by_vintage ON posted_generation (vintage_index, generating_unit_id)",
            // The Generation Activity Log of every unit (§12.6), in entry order.
            """
            CREATE TABLE activity_log (
                entry_number \(t.int) NOT NULL PRIMARY KEY CHECK (entry_number >= 1),
                generating_unit_id TEXT NOT NULL REFERENCES units (generating_unit_id),
                record \(t.blob) NOT NULL
            )\(t.strict)
            """,
            "CREATE INDEX activity_log_by_unit ON activity_log (generating_unit_id, entry_number)",
            // One cycle per vintage (§12.2): running it again adds to the same cycle.
            """
            CREATE TABLE issuance_cycles (
                issuance_cycle_id TEXT NOT NULL PRIMARY KEY,
                vintage_index \(t.int) NOT NULL UNIQUE,
                started_at_unix_ms \(t.int) NOT NULL,
                completed_at_unix_ms \(t.int) NOT NULL,
                record \(t.blob) NOT NULL
            )\(t.strict)
            """,
            """
            CREATE TABLE cycle_units (
                issuance_cycle_id TEXT NOT NULL REFERENCES issuance_cycles (issuance_cycle_id),
                generating_unit_id TEXT NOT NULL REFERENCES units (generating_unit_id),
                outcome TEXT NOT NULL,
                certificates \(t.int) NOT NULL CHECK (certificates >= 0),
                energy_issued_kwh \(t.int) NOT NULL CHECK (energy_issued_kwh = certificates * 1000),
                carried_forward_kwh \(t.int) NOT NULL CHECK (carried_forward_kwh >= 0 AND carried_forward_kwh < 1000),
                PRIMARY KEY (issuance_cycle_id, generating_unit_id)
            )\(t.strict)
            """,
            // Certificate batches (§12.1, ADR 0002). A certificate is (batch number, certificate
            // number) and every batch is numbered 1 to its quantity, so a unique batch number makes
            // two batches sharing a serial impossible. `deposited_at_unix_ms` is set once transfer
            // has taken the batch (§14.2).
            """
            CREATE TABLE batches (
                batch_number \(t.int) NOT NULL PRIMARY KEY CHECK (batch_number BETWEEN 1 AND 999999999999),
                generating_unit_id TEXT NOT NULL REFERENCES units (generating_unit_id),
                state_or_province TEXT NOT NULL CHECK (length(state_or_province) = 2),
                vintage_index \(t.int) NOT NULL,
                first_certificate \(t.int) NOT NULL CHECK (first_certificate = 1),
                last_certificate \(t.int) NOT NULL,
                quantity \(t.int) NOT NULL CHECK (quantity >= 1 AND last_certificate = quantity),
                issuance_cycle_id TEXT NOT NULL REFERENCES issuance_cycles (issuance_cycle_id),
                organization_id TEXT NOT NULL,
                deposit_subaccount_id TEXT NOT NULL,
                deposited_at_unix_ms \(t.int),
                record \(t.blob) NOT NULL
            )\(t.strict)
            """,
            "CREATE INDEX batches_by_unit ON batches (generating_unit_id, batch_number)",
            "CREATE INDEX batches_by_cycle ON batches (issuance_cycle_id, batch_number)",
            "CREATE INDEX batches_not_deposited ON batches (batch_number) WHERE deposited_at_unix_ms IS NULL",
        ]
    }

    public static let migrations: [Migration] = [
        ServiceSchema.migration("0001-issuance-units-generation-cycles-batches", tables),
        Principals.migration("0002-issuance-principals"),
        ServiceSchema.chainMigration("0003-issuance-audit-chain"),
        Principals.programAccessMigration("0004-issuance-program-access"),
    ]
}
