import Domain
import Foundation
import GRPCWire
import ProtoMessages
import ServiceKit
import Storage

/// Reporting's reads of its read models, each in one transaction through the request journal (so
/// database failures become UNAVAILABLE or INTERNAL without details, docs/API.md Errors).
public struct ReportingStore: Sendable {
    public let journal: RequestJournal

    public init(database: any Database, clock: ServiceClock = ServiceClock()) {
        journal = RequestJournal(database: database, service: "reporting", clock: clock)
    }

    public var database: any Database { journal.database }

    /// Brings the schema up to date; returns the migrations applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await database.migrate(ReportingSchema.migrations)
    }

    // MARK: serial number look-up (§20)

    /// A batch's identity and every certificate field, as issuance last published them.
    struct BatchRecord: Sendable {
        var identity: CertificateBatchIdentity
        var fields: CertificateFieldsRecord

        /// The fields as the look-up answers them, made at the edge (ADR 0010).
        var attributes: Recs_Common_V1_CertificateAttributes { fields.wire }
    }

    /// What one page of a look-up reads in one transaction: the batch when issuance's event has
    /// arrived, the segments from the page's first certificate on (at most the page's share, with
    /// their holders completed from the registry's subaccounts), and the segment that holds, or
    /// comes last before, the range's last certificate.
    struct LookUp: Sendable {
        var batch: BatchRecord?
        var segments: [CertificateSegment]
        var atRangeEnd: CertificateSegment?
    }

    /// The segments of `range` from certificate `from` on, at most `limit` (docs/API.md, Paging).
    func lookUp(_ range: CertificateSerialRange, from: Int64, limit: Int) async throws -> LookUp {
        try await journal.read { transaction in
            let number = range.batch.batchNumber
            let batch = try Self.batch(number, &transaction.sql)
            var segments = try CertificateSegments.segments(
                batch: number, first: from, last: range.numbers.last, limit: limit, &transaction.sql)
            for index in segments.indices {
                try Self.complete(&segments[index].placement, &transaction.sql)
            }
            let atRangeEnd = try CertificateSegments.segment(batch: number, atOrBefore: range.numbers.last, &transaction.sql)
            return LookUp(batch: batch, segments: segments, atRangeEnd: atRangeEnd)
        }
    }

    static func batch(_ number: Int64, _ sql: inout SQLTransaction) throws -> BatchRecord? {
        guard
            let row = try sql.queryFirst(
                """
                SELECT generating_unit_id, state_or_province, \(CertificateFieldsRows.names.joined(separator: ", "))
                FROM batches WHERE batch_number = $1
                """, .int64(number))
        else { return nil }
        let identity = try CertificateBatchIdentity(
            generatingUnit: GeneratingUnitID(parsing: row.string("generating_unit_id")),
            location: StateOrProvinceCode(parsing: row.string("state_or_province")), batchNumber: number)
        var fields = try CertificateFieldsRows.fields(row)
        fields.programEligibilities = try CertificateFieldsRows.eligibilities(batch: number, &sql)
        return BatchRecord(identity: identity, fields: fields)
    }

    /// Fills the holder's organization and subaccount kind from the registry's subaccounts when the
    /// event that placed the certificates left them out and the registry feed had not named the
    /// subaccount yet when it was applied.
    static func complete(_ placement: inout CertificatePlacement, _ sql: inout SQLTransaction) throws {
        guard placement.organizationID.isEmpty || placement.subaccountKind == .unspecified,
            let row = try sql.queryFirst(
                "SELECT organization_id, kind FROM subaccounts WHERE subaccount_id = $1", .text(placement.subaccountID))
        else { return }
        if placement.organizationID.isEmpty { placement.organizationID = try row.string("organization_id") }
        if placement.subaccountKind == .unspecified {
            placement.subaccountKind = Recs_Common_V1_SubaccountKind(rawValue: Int32(clamping: try row.int64("kind")))
        }
    }

    // MARK: public directories (§19.2)

    /// One fuel of an approved unit (§19.2.2), with its organization's name.
    struct GeneratorRow: Sendable {
        var unit: GeneratorRecord
        var position: Int64
        var fuelTypeCode: String
        var fuelSourceCodes: [String]
        var accountHolderName: String
    }

    /// Rows after `after` (unit id and fuel position), at most `limit`, in that order.
    func activeGenerators(after: (unit: String, position: Int64)?, limit: Int) async throws -> [GeneratorRow] {
        try await journal.read { transaction in
            try transaction.sql.query(
                """
                SELECT \(DirectoryRows.generatorColumns.map { "u.\($0)" }.joined(separator: ", ")),
                    f.position, f.fuel_type_code, f.fuel_source_codes, COALESCE(o.name, '') AS holder_name
                FROM generating_units u
                JOIN generating_unit_fuels f ON f.generating_unit_id = u.generating_unit_id
                LEFT JOIN organizations o ON o.organization_id = u.organization_id
                WHERE u.status = $1 AND (u.generating_unit_id > $2 OR (u.generating_unit_id = $2 AND f.position > $3))
                ORDER BY u.generating_unit_id, f.position
                LIMIT $4
                """,
                .int64(Int64(Recs_Registry_V1_GeneratingUnitStatus.approved.rawValue)), .text(after?.unit ?? ""),
                .int64(after?.position ?? -1), .int64(Int64(limit))
            ).map { row in
                GeneratorRow(
                    unit: try DirectoryRows.generator(row), position: try row.int64("position"),
                    fuelTypeCode: try row.string("fuel_type_code"), fuelSourceCodes: StoredList.codes(try row.string("fuel_source_codes")),
                    accountHolderName: try row.string("holder_name"))
            }
        }
    }

    /// Active organizations of `type` (every type when UNSPECIFIED) after `after`, in id order
    /// (A2 before A10: by length, then text).
    func activeOrganizations(type: Recs_Common_V1_OrganizationType, after: String?, limit: Int) async throws -> [OrganizationRecord] {
        try await journal.read { transaction in
            let after = after ?? ""
            let rows = try transaction.sql.query(
                """
                SELECT \(DirectoryRows.organizationColumns.joined(separator: ", ")) FROM organizations
                WHERE status = $1 AND ($2 = 0 OR type = $2)
                    AND (length(organization_id) > $3 OR (length(organization_id) = $3 AND organization_id > $4))
                ORDER BY length(organization_id), organization_id
                LIMIT $5
                """,
                .int64(Int64(Recs_Registry_V1_OrganizationStatus.active.rawValue)), .int64(Int64(type.rawValue)),
                .int64(Int64(after.count)), .text(after), .int64(Int64(limit)))
            return try rows.map { try DirectoryRows.organization($0, &transaction.sql) }
        }
    }

    // MARK: feeds

    /// The stored position of each feed and when it last moved.
    func feedPositions() async throws -> [String: (position: Int64, updatedAtMilliseconds: Int64)] {
        try await journal.read { transaction in
            var positions: [String: (position: Int64, updatedAtMilliseconds: Int64)] = [:]
            for row in try transaction.sql.query("SELECT feed, position, updated_at_unix_ms FROM feed_positions") {
                positions[try row.string("feed")] = (try row.int64("position"), try row.int64("updated_at_unix_ms"))
            }
            return positions
        }
    }

    /// Reporting's own events after `sequence` and the newest sequence.
    func events(after sequence: Int64, limit: Int) async throws -> (events: [Recs_Reporting_V1_Event], last: Int64) {
        try await journal.read { transaction in
            (try transaction.chainedEvents(after: sequence, limit: limit, as: Recs_Reporting_V1_Event.self), try transaction.lastEventSequence())
        }
    }

    public func close() async {
        await database.close()
    }
}
