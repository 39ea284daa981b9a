import Domain
import GRPCWire
import ProtoMessages
import ServiceKit
import Storage

/// The stored report of every upload, one row per line (`upload_records`, with its violations in
/// `upload_record_violations`), read in pages by line number (docs/API.md, Paging; issue 8). The
/// upload's own row keeps the summary: who, when, the outcome and the counts.
enum UploadReports {
    /// Stores the upload's summary and every line of its report; `upload.records` is the whole
    /// report, in line order, one result per line.
    static func save(_ upload: Recs_Issuance_V1_GenerationUpload, at milliseconds: Int64, _ sql: inout SQLTransaction) throws {
        var summary = upload
        summary.records = []
        summary.recordCount = Int32(clamping: upload.records.count)
        try sql.execute(
            """
            INSERT INTO uploads (upload_id, reporter_organization_id, received_at_unix_ms, record) VALUES ($1, $2, $3, $4)
            ON CONFLICT (upload_id) DO UPDATE SET record = excluded.record
            """,
            .text(upload.uploadId), .text(upload.reporterOrganizationId), .int64(milliseconds), .bytes(summary.protobufBytes()))
        for record in upload.records { try insert(record, uploadID: upload.uploadId, &sql) }
    }

    static func insert(_ record: Recs_Issuance_V1_GenerationRecordResult, uploadID: String, _ sql: inout SQLTransaction) throws {
        let feasibility = record.feasibility
        try sql.execute(
            """
            INSERT INTO upload_records (upload_id, line, outcome, reporting_entity_unit_id, generating_unit_id, vintage_index,
                period_begin, period_end, energy_kwh, feasible, feasibility_maximum_kwh, nameplate_capacity_watts,
                capacity_factor_ppm, feasibility_hours, posted_generation_id, reload_rule)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            """,
            .text(uploadID), .int64(Int64(record.line)), .text(name(record.outcome)), .text(record.reportingEntityUnitId),
            .text(record.generatingUnitId), .optional(record.vintage.flatMap { try? IssuanceCodes.domain($0) }.map(IssuanceCodes.index)),
            .optional(record.period?.begin.map(column)), .optional(record.period?.end.map(column)),
            .optional(record.energy?.kilowattHours), .optional(feasibility.map { $0.feasible ? Int64(1) : 0 }),
            .optional(feasibility?.maximum?.kilowattHours), .optional(feasibility?.nameplateCapacityWatts),
            .optional(feasibility?.capacityFactorPartsPerMillion), .optional(feasibility.map { Int64($0.hours) }),
            .text(record.postedGenerationId), .int64(Int64(record.reloadRule)))
        for (position, violation) in record.violations.enumerated() {
            try sql.execute(
                """
                INSERT INTO upload_record_violations (upload_id, line, position, code, message, section, field)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                .text(uploadID), .int64(Int64(record.line)), .int64(Int64(position)), .int64(Int64(violation.code)),
                .text(violation.message), .text(violation.section), .text(violation.field))
        }
    }

    /// The upload's summary (without records), nil when there is no such upload.
    static func summary(_ uploadID: String, _ sql: inout SQLTransaction) throws -> Recs_Issuance_V1_GenerationUpload? {
        guard let row = try sql.queryFirst("SELECT record FROM uploads WHERE upload_id = $1", .text(uploadID)) else { return nil }
        var upload = try Recs_Issuance_V1_GenerationUpload(protobufBytes: try row.bytes("record"))
        if upload.outcome == .unspecified { upload.outcome = .processed }
        return upload
    }

    /// The report's lines after `afterLine` in line order, at most `limit`, with their violations.
    static func records(
        _ uploadID: String, afterLine: Int64, limit: Int, _ sql: inout SQLTransaction
    ) throws -> [Recs_Issuance_V1_GenerationRecordResult] {
        var records = try sql.query(
            """
            SELECT line, outcome, reporting_entity_unit_id, generating_unit_id, vintage_index, period_begin, period_end,
                energy_kwh, feasible, feasibility_maximum_kwh, nameplate_capacity_watts, capacity_factor_ppm,
                feasibility_hours, posted_generation_id, reload_rule
            FROM upload_records WHERE upload_id = $1 AND line > $2 ORDER BY line LIMIT $3
            """, .text(uploadID), .int64(afterLine), .int64(Int64(limit))
        ).map(record)
        guard let last = records.last?.line else { return records }
        let violations = try sql.query(
            """
            SELECT line, code, message, section, field FROM upload_record_violations
            WHERE upload_id = $1 AND line > $2 AND line <= $3 ORDER BY line, position
            """, .text(uploadID), .int64(afterLine), .int64(Int64(last)))
        var index = records.startIndex
        for row in violations {
            let line = Int32(clamping: try row.int64("line"))
            while index < records.endIndex, records[index].line < line { index += 1 }
            guard index < records.endIndex, records[index].line == line else {
                throw StorageError(.typeMismatch, "upload \(uploadID) has a violation for line \(line) without its record")
            }
            var violation = Recs_Common_V1_RuleViolation()
            violation.code = UInt32(clamping: try row.int64("code"))
            violation.message = try row.string("message")
            violation.section = try row.string("section")
            violation.line = line
            violation.field = try row.string("field")
            records[index].violations.append(violation)
        }
        return records
    }

    static func record(_ row: SQLRow) throws -> Recs_Issuance_V1_GenerationRecordResult {
        var record = Recs_Issuance_V1_GenerationRecordResult()
        record.line = Int32(clamping: try row.int64("line"))
        record.outcome = outcome(try row.string("outcome"))
        record.reportingEntityUnitId = try row.string("reporting_entity_unit_id")
        record.generatingUnitId = try row.string("generating_unit_id")
        if let index = try row.optionalInt64("vintage_index") {
            var vintage = Recs_Common_V1_Vintage()
            vintage.year = Int32(clamping: index / 12)
            vintage.month = Int32(clamping: index % 12 + 1)
            record.vintage = vintage
        }
        if let begin = try row.optionalString("period_begin"), let end = try row.optionalString("period_end") {
            var period = Recs_Common_V1_DateRange()
            period.begin = IssuanceCodes.proto(try IssuanceCodes.date(column: begin))
            period.end = IssuanceCodes.proto(try IssuanceCodes.date(column: end))
            record.period = period
        }
        record.energy = try row.optionalInt64("energy_kwh").map(IssuanceCodes.energy)
        if let feasible = try row.optionalInt64("feasible") {
            var feasibility = Recs_Issuance_V1_FeasibilityAssessment()
            feasibility.feasible = feasible == 1
            feasibility.maximum = try row.optionalInt64("feasibility_maximum_kwh").map(IssuanceCodes.energy)
            feasibility.nameplateCapacityWatts = try row.optionalInt64("nameplate_capacity_watts") ?? 0
            feasibility.capacityFactorPartsPerMillion = try row.optionalInt64("capacity_factor_ppm") ?? 0
            feasibility.hours = Int32(clamping: try row.optionalInt64("feasibility_hours") ?? 0)
            record.feasibility = feasibility
        }
        record.postedGenerationId = try row.string("posted_generation_id")
        record.reloadRule = Int32(clamping: try row.int64("reload_rule"))
        return record
    }

    static func column(_ date: Recs_Common_V1_Date) -> String {
        (try? CalendarDate(year: Int(date.year), month: Int(date.month), day: Int(date.day))).map(IssuanceCodes.column) ?? ""
    }

    static func name(_ outcome: Recs_Issuance_V1_GenerationRecordOutcome) -> String {
        switch outcome {
        case .posted: "posted"
        case .postedPendingFeasibility: "posted_pending_feasibility"
        case .skippedFeasibility: "skipped_feasibility"
        case .postedPriorPeriodAdjustment: "posted_prior_period_adjustment"
        case .valid: "valid"
        case .rejected, .unspecified, .unrecognized: "rejected"
        }
    }

    static func outcome(_ name: String) -> Recs_Issuance_V1_GenerationRecordOutcome {
        Recs_Issuance_V1_GenerationRecordOutcome.allCases.first { $0 != .unspecified && self.name($0) == name } ?? .rejected
    }

    /// Migration 0007: the reports stored whole in each upload's record before it move to their
    /// own rows, and the record keeps the summary.
    @Sendable static func moveStoredRecords(_ sql: inout SQLTransaction) throws {
        for row in try sql.query("SELECT upload_id, received_at_unix_ms, record FROM uploads ORDER BY upload_id") {
            var upload = try Recs_Issuance_V1_GenerationUpload(protobufBytes: try row.bytes("record"))
            upload.outcome = .processed
            try save(upload, at: try row.int64("received_at_unix_ms"), &sql)
        }
    }
}
