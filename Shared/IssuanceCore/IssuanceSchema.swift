import ServiceKit
import Storage

/// The issuance service's schema: forward-only migrations for both databases (append, never edit).
///
/// Issuance keeps its own storage records (ADR 0010). Its copy of the registry's units and
/// organizations is columns only, mapped from the registry's feed on arrival (`Records/`), since
/// migration 0004; its batches since 0007 (every certificate field a column, eligibilities in
/// `batch_eligibilities`), its cycles and log entries since 0008, its posted generation since 0009.
/// Its uploads still keep, beside the columns the service queries and constrains on, the protobuf
/// bytes of the record as the API returns it (`record`); ADR 0010 says what remains to move.
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
            // once issued an entry names the cycle that issued it. `record` became columns in 0009
            // (`PostedRows`).
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
            // The Generation Activity Log of every unit (§12.6), in entry order; `record` became
            // columns in 0008 (`LogEntryRows`).
            """
            CREATE TABLE activity_log (
                entry_number \(t.int) NOT NULL PRIMARY KEY CHECK (entry_number >= 1),
                generating_unit_id TEXT NOT NULL REFERENCES units (generating_unit_id),
                record \(t.blob) NOT NULL
            )\(t.strict)
            """,
            "CREATE INDEX activity_log_by_unit ON activity_log (generating_unit_id, entry_number)",
            // One cycle per vintage (§12.2): running it again adds to the same cycle. `record`
            // became columns in 0008 (`CycleRows`).
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
            // has taken the batch (§14.2). `record` became the certificate fields' columns in 0007.
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

    /// Every upload's report line by line (issue 8), so it is read in pages by line number whatever
    /// its length: the outcome of each record of a processed file, or each bad line of a file
    /// rejected as a whole (line 0: the file itself), with its violations in order. The upload's
    /// `record` keeps the summary only.
    static func uploadReports(_ t: ServiceSchema.Types) -> [String] {
        [
            """
            CREATE TABLE upload_records (
                upload_id TEXT NOT NULL REFERENCES uploads (upload_id),
                line \(t.int) NOT NULL CHECK (line >= 0),
                outcome TEXT NOT NULL CHECK (outcome IN ('posted', 'posted_pending_feasibility', 'skipped_feasibility',
                    'posted_prior_period_adjustment', 'rejected', 'valid')),
                reporting_entity_unit_id TEXT NOT NULL,
                generating_unit_id TEXT NOT NULL,
                vintage_index \(t.int),
                period_begin TEXT,
                period_end TEXT,
                energy_kwh \(t.int),
                feasible \(t.int) CHECK (feasible IN (0, 1)),
                feasibility_maximum_kwh \(t.int),
                nameplate_capacity_watts \(t.int),
                capacity_factor_ppm \(t.int),
                feasibility_hours \(t.int),
                posted_generation_id TEXT NOT NULL,
                reload_rule \(t.int) NOT NULL,
                PRIMARY KEY (upload_id, line)
            )\(t.strict)
            """,
            """
            CREATE TABLE upload_record_violations (
                upload_id TEXT NOT NULL,
                line \(t.int) NOT NULL,
                position \(t.int) NOT NULL CHECK (position >= 0),
                code \(t.int) NOT NULL,
                message TEXT NOT NULL,
                section TEXT NOT NULL,
                field TEXT NOT NULL,
                PRIMARY KEY (upload_id, line, position),
                FOREIGN KEY (upload_id, line) REFERENCES upload_records (upload_id, line)
            )\(t.strict)
            """,
        ]
    }

    public static let migrations: [Migration] = [
        ServiceSchema.migration("0001-issuance-units-generation-cycles-batches", tables),
        Principals.migration("0002-issuance-principals"),
        ServiceSchema.chainMigration("0003-issuance-audit-chain"),
        Migration(
            name: "0004-issuance-own-unit-records",
            overrides: [.sqlite: ownUnitRecords(.sqlite), .postgres: ownUnitRecords(.postgres)],
            transform: LegacyRegistryRecords.convert),
        Principals.recordsMigration("0005-issuance-principal-user-records"),
        Principals.programAccessMigration("0006-issuance-program-access"),
        Migration(
            name: "0007-issuance-upload-reports", statements: [],
            overrides: [.sqlite: uploadReports(.sqlite), .postgres: uploadReports(.postgres)],
            transform: UploadReports.moveStoredRecords),
        Migration(
            name: "0008-issuance-own-batch-records",
            overrides: [.sqlite: ownBatchRecords(.sqlite), .postgres: ownBatchRecords(.postgres)],
            transform: LegacyIssuedBatches.convert),
        Migration(
            name: "0009-issuance-own-cycle-and-log-records",
            overrides: [.sqlite: ownCycleAndLogRecords(.sqlite), .postgres: ownCycleAndLogRecords(.postgres)],
            transform: LegacyCycleAndLogRecords.convert),
        Migration(
            name: "0010-issuance-own-posted-generation-records",
            overrides: [.sqlite: PostedRows.addColumns(.sqlite), .postgres: PostedRows.addColumns(.postgres)],
            transform: LegacyPostedRecords.convert),
    ]

    /// ADR 0010: a cycle's and a log entry's fields are columns (``CycleRows``, ``LogEntryRows``)
    /// instead of their `IssuanceCycle` and `ActivityLogEntry` bytes. The transform fills them from
    /// the stored bytes, then drops `record` from both tables.
    static func ownCycleAndLogRecords(_ t: ServiceSchema.Types) -> [String] {
        [
            "ALTER TABLE issuance_cycles ADD COLUMN state TEXT NOT NULL DEFAULT 'unspecified'",
            // `YYYY-MM-DD`, NULL when not set.
            "ALTER TABLE issuance_cycles ADD COLUMN cycle_date TEXT",
            "ALTER TABLE issuance_cycles ADD COLUMN certificates_issued \(t.int) NOT NULL DEFAULT 0 CHECK (certificates_issued >= 0)",
            "ALTER TABLE issuance_cycles ADD COLUMN batch_count \(t.int) NOT NULL DEFAULT 0 CHECK (batch_count >= 0)",
            "ALTER TABLE activity_log ADD COLUMN kind TEXT NOT NULL DEFAULT 'unspecified'",
            // NULL when the entry carries no time, vintage or energy.
            "ALTER TABLE activity_log ADD COLUMN at_unix_seconds \(t.int)",
            "ALTER TABLE activity_log ADD COLUMN vintage_index \(t.int)",
            "ALTER TABLE activity_log ADD COLUMN energy_kwh \(t.int)",
            "ALTER TABLE activity_log ADD COLUMN certificates \(t.int) NOT NULL DEFAULT 0",
            "ALTER TABLE activity_log ADD COLUMN batch_number \(t.int) NOT NULL DEFAULT 0",
            "ALTER TABLE activity_log ADD COLUMN fuel_type_code TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE activity_log ADD COLUMN posted_generation_id TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE activity_log ADD COLUMN issuance_cycle_id TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE activity_log ADD COLUMN note TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE activity_log ADD COLUMN balance_after_kwh \(t.int)",
        ]
    }

    /// ADR 0010: a batch's certificate fields are columns of its `batches` row and its eligibilities
    /// rows of `batch_eligibilities` (``CertificateFieldsRows``), instead of the `CertificateBatch`
    /// bytes; the range and quantity were columns already. The transform fills the columns from the
    /// stored bytes, then drops `record`.
    static func ownBatchRecords(_ t: ServiceSchema.Types) -> [String] {
        CertificateFieldsRows.addColumns(to: "batches", t)
    }

    /// ADR 0010: issuance keeps its own record of each registry unit, every field a column, instead
    /// of the registry's `GeneratingUnit` bytes. The columns come first; the migration's transform
    /// fills them from the stored bytes, then drops `record` from `units` and `organizations`.
    static func ownUnitRecords(_ t: ServiceSchema.Types) -> [String] {
        let text = ["name", "facility_name", "facility_county", "country", "generation_technology", "facility_operator",
            "interconnecting_utility", "ownership_types"]
        let flags = ["multi_fuel", "customer_sited", "wecc_region_declared", "qualifying_facility",
            "california_supplemental_payment_received", "public_benefit_fund_support"]
        // Protobuf enum numbers (`ReportingEntityType`, `Indicator`), which are never renumbered.
        let numbers = ["reporting_entity_type", "federal_tax_credits", "repowered", "california_qf_claims_non_renewable"]
        return text.map { "ALTER TABLE units ADD COLUMN \($0) TEXT NOT NULL DEFAULT ''" }
            + flags.map { "ALTER TABLE units ADD COLUMN \($0) \(t.int) NOT NULL DEFAULT 0 CHECK (\($0) IN (0, 1))" }
            + numbers.map { "ALTER TABLE units ADD COLUMN \($0) \(t.int) NOT NULL DEFAULT 0 CHECK (\($0) >= 0)" }
            + [
                "ALTER TABLE units ADD COLUMN nameplate_capacity_watts \(t.int) NOT NULL DEFAULT 0",
                "ALTER TABLE units ADD COLUMN capacity_factor_ppm \(t.int) NOT NULL DEFAULT 0",
                // `YYYY-MM-DD`; NULL when the registry gave no date.
                "ALTER TABLE units ADD COLUMN commenced_operation_on TEXT",
                "ALTER TABLE units ADD COLUMN repowered_on TEXT",
                // The registered fuels in registration order, sources comma-separated (B-1, B-2).
                """
                CREATE TABLE unit_fuels (
                    generating_unit_id TEXT NOT NULL REFERENCES units (generating_unit_id),
                    position \(t.int) NOT NULL CHECK (position >= 0),
                    fuel_type_code TEXT NOT NULL,
                    fuel_source_codes TEXT NOT NULL,
                    PRIMARY KEY (generating_unit_id, position)
                )\(t.strict)
                """,
                // Verified program eligibility only: what a certificate is stamped with (§5.3.2).
                """
                CREATE TABLE unit_eligibilities (
                    generating_unit_id TEXT NOT NULL REFERENCES units (generating_unit_id),
                    position \(t.int) NOT NULL CHECK (position >= 0),
                    program_code TEXT NOT NULL,
                    fuel_type_code TEXT NOT NULL,
                    eligible \(t.int) NOT NULL CHECK (eligible IN (0, 1)),
                    certification_number TEXT NOT NULL,
                    good_through_year \(t.int),
                    good_through_month \(t.int),
                    supplemental_payment_received \(t.int) NOT NULL,
                    supplemental_energy_payment_eligible \(t.int) NOT NULL,
                    repowered \(t.int) NOT NULL,
                    effective_at_unix_seconds \(t.int),
                    PRIMARY KEY (generating_unit_id, position)
                )\(t.strict)
                """,
            ]
    }
}
