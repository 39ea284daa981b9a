import ServiceKit
import Storage

/// The reporting service's schema: forward-only migrations for both databases (append, never edit).
///
/// Every table here is a read model built from another service's event feed; nothing in it is
/// reporting's own truth. Reporting keeps its own records of what it serves (ADR 0010): since
/// migration 0005 the registry's organizations and units are columns only, mapped from the feed on
/// arrival (`Records/`), so a field reporting starts to serve needs a migration; since migration
/// 0008 a batch's certificate fields are columns too (`CertificateFieldsRows`), no longer issuance's
/// `CertificateAttributes` bytes. Enumerations are stored as their proto numbers, which are never
/// renumbered. `certificate_segments.reasons` still keeps wire bytes (ADR 0010, "Rollout").
public enum ReportingSchema {
    static func tables(_ t: ServiceSchema.Types) -> [String] {
        ServiceSchema.counters([], t) + [
            ServiceSchema.idempotencyKeys(t),
            ServiceSchema.events(t),
            ServiceSchema.feedPositions(t),
            // registry `organization` events (§19.2.1 directory, holder names).
            """
            CREATE TABLE organizations (
                organization_id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                type \(t.int) NOT NULL CHECK (type >= 0),
                status \(t.int) NOT NULL CHECK (status >= 0),
                record \(t.blob) NOT NULL,
                last_event \(t.int) NOT NULL CHECK (last_event >= 1)
            )\(t.strict)
            """,
            // The subaccounts of those organizations: resolves a holder given by subaccount only. No
            // reference to `organizations`: a read model must not stop its feed over an order it
            // does not control.
            """
            CREATE TABLE subaccounts (
                subaccount_id TEXT NOT NULL PRIMARY KEY CHECK (length(subaccount_id) = 13),
                organization_id TEXT NOT NULL,
                kind \(t.int) NOT NULL CHECK (kind BETWEEN 0 AND 4)
            )\(t.strict)
            """,
            "CREATE INDEX subaccounts_by_organization ON subaccounts (organization_id)",
            // registry `generating_unit` events (§19.2.2 directory).
            """
            CREATE TABLE generating_units (
                generating_unit_id TEXT NOT NULL PRIMARY KEY,
                organization_id TEXT NOT NULL,
                status \(t.int) NOT NULL CHECK (status >= 0),
                name TEXT NOT NULL,
                facility_name TEXT NOT NULL,
                state_or_province TEXT NOT NULL,
                facility_county TEXT NOT NULL,
                multi_fuel \(t.int) NOT NULL CHECK (multi_fuel IN (0, 1)),
                nameplate_capacity_watts \(t.int) NOT NULL CHECK (nameplate_capacity_watts >= 0),
                commenced_operation_on TEXT NOT NULL,
                unit_class \(t.int) NOT NULL CHECK (unit_class >= 0),
                reporting_entity_organization_id TEXT NOT NULL,
                reporting_entity_unit_id TEXT NOT NULL,
                record \(t.blob) NOT NULL,
                last_event \(t.int) NOT NULL CHECK (last_event >= 1)
            )\(t.strict)
            """,
            "CREATE INDEX generating_units_by_status ON generating_units (status, generating_unit_id)",
            // One row per registered fuel, in registration order (§19.2.2: one listing per fuel).
            """
            CREATE TABLE generating_unit_fuels (
                generating_unit_id TEXT NOT NULL REFERENCES generating_units (generating_unit_id),
                position \(t.int) NOT NULL CHECK (position >= 0),
                fuel_type_code TEXT NOT NULL CHECK (length(fuel_type_code) > 0),
                fuel_source_codes TEXT NOT NULL,
                PRIMARY KEY (generating_unit_id, position)
            )\(t.strict)
            """,
            // issuance `batch_issued` / `batch_corrected`: every certificate field of a batch (§20);
            // `attributes` became columns and `batch_eligibilities` in 0008.
            """
            CREATE TABLE batches (
                batch_number \(t.int) NOT NULL PRIMARY KEY CHECK (batch_number >= 1),
                generating_unit_id TEXT NOT NULL,
                state_or_province TEXT NOT NULL,
                first_number \(t.int) NOT NULL CHECK (first_number >= 1),
                last_number \(t.int) NOT NULL CHECK (last_number >= first_number),
                quantity \(t.int) NOT NULL CHECK (quantity = last_number - first_number + 1),
                fuel_type_code TEXT NOT NULL,
                attributes \(t.blob) NOT NULL,
                corrected \(t.int) NOT NULL CHECK (corrected IN (0, 1)),
                last_event \(t.int) NOT NULL CHECK (last_event >= 1)
            )\(t.strict)
            """,
            // transfer `certificates_deposited`, `transfer`, `ledger_transaction`, `ledger_movement`:
            // where each part of a batch is and in which status since when (§20). No reference to
            // `batches`: the feeds are independent and transfer may be ahead of issuance.
            // `organization_id` is empty when the event named only the subaccount and the registry
            // feed has not told us its owner yet (resolved when looked up). `reasons` is an encoded
            // `SerialNumberStatus` holding only the retirement reason, reserve reason and export
            // destination of the change (empty when none).
            """
            CREATE TABLE certificate_segments (
                batch_number \(t.int) NOT NULL CHECK (batch_number >= 1),
                first_number \(t.int) NOT NULL CHECK (first_number >= 1),
                last_number \(t.int) NOT NULL CHECK (last_number >= first_number),
                generating_unit_id TEXT NOT NULL,
                state_or_province TEXT NOT NULL,
                organization_id TEXT NOT NULL,
                subaccount_id TEXT NOT NULL,
                subaccount_kind \(t.int) NOT NULL CHECK (subaccount_kind BETWEEN 0 AND 4),
                status \(t.int) NOT NULL CHECK (status BETWEEN 1 AND 6),
                changed_at_unix_ms \(t.int) NOT NULL,
                reasons \(t.blob) NOT NULL,
                last_event TEXT NOT NULL,
                PRIMARY KEY (batch_number, first_number)
            )\(t.strict)
            """,
        ] + noOverlap(t)
    }

    /// Segments of a batch never overlap: every certificate has one place and one status. The code
    /// splits before it inserts; this refuses a bug instead of answering two statuses for one serial.
    static func noOverlap(_ t: ServiceSchema.Types) -> [String] {
        if t.blob == ServiceSchema.Types.postgres.blob {
            return [
                "CREATE EXTENSION IF NOT EXISTS btree_gist",
                """
                ALTER TABLE certificate_segments ADD CONSTRAINT certificate_segments_no_overlap
                EXCLUDE USING gist (batch_number WITH =, int8range(first_number, last_number, '[]') WITH &&)
                """,
            ]
        }
        return [
            """
            CREATE TRIGGER certificate_segments_no_overlap BEFORE INSERT ON certificate_segments
            WHEN EXISTS (
                SELECT 1 FROM certificate_segments
                WHERE batch_number = NEW.batch_number AND first_number <= NEW.last_number AND NEW.first_number <= last_number)
            BEGIN SELECT RAISE(ABORT, 'certificate segments overlap'); END
            """,
            """
            CREATE TRIGGER certificate_segments_no_overlap_update BEFORE UPDATE ON certificate_segments
            WHEN EXISTS (
                SELECT 1 FROM certificate_segments
                WHERE batch_number = NEW.batch_number AND first_number <= NEW.last_number AND NEW.first_number <= last_number
                    AND NOT (batch_number = OLD.batch_number AND first_number = OLD.first_number))
            BEGIN SELECT RAISE(ABORT, 'certificate segments overlap'); END
            """,
        ]
    }

    /// Every migration, in order.
    public static let migrations: [Migration] = [
        ServiceSchema.migration("0001 reporting read models", tables),
        Principals.migration("0002 reporting principals"),
        ServiceSchema.chainMigration("0003 reporting audit chain"),
        Migration(name: "0004 reporting segment guard by neighbours", statements: [], overrides: [.sqlite: neighbourGuards]),
        Migration(
            name: "0005 reporting own directory records",
            overrides: [.sqlite: ownDirectoryRecords(.sqlite), .postgres: ownDirectoryRecords(.postgres)],
            transform: LegacyDirectoryRecords.convert),
        Principals.recordsMigration("0006 reporting principal user records"),
        Principals.programAccessMigration("0007 reporting program access"),
        Migration(
            name: "0008 reporting own certificate fields",
            overrides: [.sqlite: ownCertificateFields(.sqlite), .postgres: ownCertificateFields(.postgres)],
            transform: LegacyBatchAttributes.convert),
    ]

    /// ADR 0010: reporting keeps a batch's certificate fields as columns of its own
    /// (``CertificateFieldsRows``: every field of `batches`, eligibilities in `batch_eligibilities`)
    /// instead of issuance's `CertificateAttributes` bytes. `fuel_type_code` was a column already and
    /// keeps its values; the transform fills the others from `attributes`, then drops it.
    static func ownCertificateFields(_ t: ServiceSchema.Types) -> [String] {
        CertificateFieldsRows.addColumns(to: "batches", except: ["fuel_type_code"], t)
    }

    /// ADR 0010: reporting keeps its own records of the registry's organizations and units, every
    /// field a column, instead of the registry's message bytes. The columns come first; the
    /// migration's transform fills them from the stored bytes, then drops `record` from both tables.
    static func ownDirectoryRecords(_ t: ServiceSchema.Types) -> [String] {
        // NULL `contact_name`: no contact information; NULL `address_city`: no postal address.
        ["contact_name", "contact_email", "contact_telephone", "contact_website", "address_city", "address_state_or_province",
            "address_postal_code", "address_country"].map { "ALTER TABLE organizations ADD COLUMN \($0) TEXT" }
            + [
                """
                CREATE TABLE organization_address_lines (
                    organization_id TEXT NOT NULL REFERENCES organizations (organization_id),
                    position \(t.int) NOT NULL CHECK (position >= 0),
                    line TEXT NOT NULL,
                    PRIMARY KEY (organization_id, position)
                )\(t.strict)
                """,
                // `recs.common.v1.OwnershipType` numbers, comma-separated.
                "ALTER TABLE generating_units ADD COLUMN ownership_types TEXT NOT NULL DEFAULT ''",
            ]
    }

    /// The overlap guard by index seeks (issue 8): segments of a batch are disjoint before the
    /// change, so a new range overlaps one exactly when a segment starts inside it or the last one to
    /// start before it reaches into it. The first guard scanned every segment below the new range.
    /// PostgreSQL's exclusion constraint already seeks its gist index.
    static let neighbourGuards: [String] = [
        "DROP TRIGGER certificate_segments_no_overlap",
        "DROP TRIGGER certificate_segments_no_overlap_update",
        neighbourGuard("certificate_segments_no_overlap", on: "INSERT", other: "1 = 1"),
        neighbourGuard(
            "certificate_segments_no_overlap_update", on: "UPDATE",
            other: "NOT (s.batch_number = OLD.batch_number AND s.first_number = OLD.first_number)"),
    ]

    static func neighbourGuard(_ name: String, on event: String, other: String) -> String {
        """
        CREATE TRIGGER \(name) BEFORE \(event) ON certificate_segments
        WHEN EXISTS (
                SELECT 1 FROM certificate_segments AS s
                WHERE s.batch_number = NEW.batch_number AND s.first_number BETWEEN NEW.first_number AND NEW.last_number
                  AND \(other))
            OR (SELECT s.last_number FROM certificate_segments AS s
                WHERE s.batch_number = NEW.batch_number AND s.first_number < NEW.first_number AND \(other)
                ORDER BY s.first_number DESC LIMIT 1) >= NEW.first_number
        BEGIN SELECT RAISE(ABORT, 'certificate segments overlap'); END
        """
    }
}
