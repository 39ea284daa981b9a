import Domain
import ProtoMessages
import ServiceKit
import Storage

/// A posted generation entry (§12.6 item 2) as issuance keeps it (ADR 0010): one `posted_generation`
/// row of columns. The upload and the cycle work on the API's `PostedGeneration`; the store maps it
/// into the record where it inserts or marks it and makes it again where it reads it (``PostedRows``).
/// Every entry has a vintage, a period and an energy (the upload sets them), kept in the columns the
/// table had from the start.
struct PostedRecord: Sendable, Hashable {
    enum Kind: String, Sendable {
        case reported
        case selfReported = "self_reported"
        case priorPeriodAdjustment = "prior_period_adjustment"
        case unspecified
    }

    /// The feasibility check of the entry (Appendix D §6.1).
    struct Feasibility: Sendable, Hashable {
        var feasible = false
        var maximumKilowattHours: Int64?
        var nameplateCapacityWatts: Int64 = 0
        var capacityFactorPartsPerMillion: Int64 = 0
        var hours: Int32 = 0
    }

    var id: String
    var generatingUnitID = ""
    var kind = Kind.unspecified
    /// Issuance's stored name of the status (`IssuanceCodes.name`).
    var status = "unspecified"
    var autoAccepted = false
    var reportingEntityOrganizationID = ""
    var reportingEntityUnitID = ""
    /// Months since January of year 0.
    var vintageIndex: Int64 = 0
    var periodBegin: StoredDate?
    var periodEnd: StoredDate?
    var energyKilowattHours: Int64 = 0
    var cumulativeMeterReadKilowattHours: Int64?
    var feasibility: Feasibility?
    var uploadID = ""
    var line: Int32 = 0
    var postedAtUnixSeconds: Int64?
    var autoAcceptAtUnixSeconds: Int64?
    var reloadRule: Int32 = 0
    var replacedPostedGenerationID = ""
    /// The cycle that issued it; nil until then.
    var issuanceCycleID: String?
    var meterAggregationID = ""
}

extension PostedRecord.Kind {
    static let wire: [(kind: Self, wire: Recs_Issuance_V1_GenerationEntryKind)] = [
        (.reported, .reported), (.selfReported, .selfReported), (.priorPeriodAdjustment, .priorPeriodAdjustment),
    ]
}

extension PostedRecord {
    init(wire entry: Recs_Issuance_V1_PostedGeneration) {
        id = entry.postedGenerationId
        generatingUnitID = entry.generatingUnitId
        kind = Kind.wire.first { $0.wire == entry.kind }?.kind ?? .unspecified
        status = IssuanceCodes.name(entry.status)
        autoAccepted = entry.autoAccepted
        reportingEntityOrganizationID = entry.reportingEntityOrganizationId
        reportingEntityUnitID = entry.reportingEntityUnitId
        vintageIndex = entry.vintage.map { Int64($0.year) * 12 + Int64($0.month) - 1 } ?? 0
        periodBegin = entry.period?.begin.map(StoredDate.init)
        periodEnd = entry.period?.end.map(StoredDate.init)
        energyKilowattHours = entry.energy?.kilowattHours ?? 0
        cumulativeMeterReadKilowattHours = entry.cumulativeMeterRead?.kilowattHours
        feasibility = entry.feasibility.map { assessment in
            Feasibility(
                feasible: assessment.feasible, maximumKilowattHours: assessment.maximum?.kilowattHours,
                nameplateCapacityWatts: assessment.nameplateCapacityWatts,
                capacityFactorPartsPerMillion: assessment.capacityFactorPartsPerMillion, hours: assessment.hours)
        }
        uploadID = entry.uploadId
        line = entry.line
        postedAtUnixSeconds = entry.postedAt?.unixSeconds
        autoAcceptAtUnixSeconds = entry.autoAcceptAt?.unixSeconds
        reloadRule = entry.reloadRule
        replacedPostedGenerationID = entry.replacedPostedGenerationId
        issuanceCycleID = entry.issuanceCycleId.isEmpty ? nil : entry.issuanceCycleId
        meterAggregationID = entry.meterAggregationId
    }

    var wire: Recs_Issuance_V1_PostedGeneration {
        var entry = Recs_Issuance_V1_PostedGeneration()
        entry.postedGenerationId = id
        entry.generatingUnitId = generatingUnitID
        entry.kind = Kind.wire.first { $0.kind == kind }?.wire ?? .unspecified
        entry.status = Recs_Issuance_V1_GenerationStatus.allCases.first { IssuanceCodes.name($0) == status } ?? .unspecified
        entry.autoAccepted = autoAccepted
        entry.reportingEntityOrganizationId = reportingEntityOrganizationID
        entry.reportingEntityUnitId = reportingEntityUnitID
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = Int32(clamping: vintageIndex / 12)
        vintage.month = Int32(clamping: vintageIndex % 12 + 1)
        entry.vintage = vintage
        if periodBegin != nil || periodEnd != nil {
            var period = Recs_Common_V1_DateRange()
            period.begin = periodBegin?.proto
            period.end = periodEnd?.proto
            entry.period = period
        }
        entry.energy = IssuanceCodes.energy(energyKilowattHours)
        entry.cumulativeMeterRead = cumulativeMeterReadKilowattHours.map(IssuanceCodes.energy)
        entry.feasibility = feasibility.map { record in
            var assessment = Recs_Issuance_V1_FeasibilityAssessment()
            assessment.feasible = record.feasible
            assessment.maximum = record.maximumKilowattHours.map(IssuanceCodes.energy)
            assessment.nameplateCapacityWatts = record.nameplateCapacityWatts
            assessment.capacityFactorPartsPerMillion = record.capacityFactorPartsPerMillion
            assessment.hours = record.hours
            return assessment
        }
        entry.uploadId = uploadID
        entry.line = line
        entry.postedAt = postedAtUnixSeconds.map(IssuanceCodes.timestamp(unixSeconds:))
        entry.autoAcceptAt = autoAcceptAtUnixSeconds.map(IssuanceCodes.timestamp(unixSeconds:))
        entry.reloadRule = reloadRule
        entry.replacedPostedGenerationId = replacedPostedGenerationID
        entry.issuanceCycleId = issuanceCycleID ?? ""
        entry.meterAggregationId = meterAggregationID
        return entry
    }
}

/// How a ``PostedRecord`` is kept: every field a column of `posted_generation`, beside `replaced_by`
/// (which the store sets when a reload replaces the entry). NULL feasibility columns: no assessment.
enum PostedRows {
    static func columns(_ entry: PostedRecord) -> [(name: String, value: SQLValue)] {
        let feasibility = entry.feasibility
        return [
            ("posted_generation_id", .text(entry.id)),
            ("generating_unit_id", .text(entry.generatingUnitID)),
            ("kind", .text(entry.kind.rawValue)),
            ("status", .text(entry.status)),
            ("auto_accepted", .int64(entry.autoAccepted ? 1 : 0)),
            ("reporting_entity_organization_id", .text(entry.reportingEntityOrganizationID)),
            ("reporting_entity_unit_id", .text(entry.reportingEntityUnitID)),
            ("vintage_index", .int64(entry.vintageIndex)),
            ("period_begin", .text(entry.periodBegin?.column ?? "")),
            ("period_end", .text(entry.periodEnd?.column ?? "")),
            ("energy_kwh", .int64(entry.energyKilowattHours)),
            ("cumulative_meter_read_kwh", .optional(entry.cumulativeMeterReadKilowattHours)),
            ("feasible", .optional(feasibility.map { Int64($0.feasible ? 1 : 0) })),
            ("feasibility_maximum_kwh", .optional(feasibility?.maximumKilowattHours)),
            ("feasibility_nameplate_capacity_watts", .optional(feasibility?.nameplateCapacityWatts)),
            ("feasibility_capacity_factor_ppm", .optional(feasibility?.capacityFactorPartsPerMillion)),
            ("feasibility_hours", .optional(feasibility.map { Int64($0.hours) })),
            ("upload_id", .text(entry.uploadID)),
            ("line", .int64(Int64(entry.line))),
            ("posted_at_unix_seconds", .optional(entry.postedAtUnixSeconds)),
            ("auto_accept_at_unix_seconds", .optional(entry.autoAcceptAtUnixSeconds)),
            ("reload_rule", .int64(Int64(entry.reloadRule))),
            ("replaced_posted_generation_id", .text(entry.replacedPostedGenerationID)),
            ("issuance_cycle_id", .optional(entry.issuanceCycleID)),
            ("meter_aggregation_id", .text(entry.meterAggregationID)),
        ]
    }

    static let names = columns(PostedRecord(id: "")).map(\.name)
    static let selectList = names.joined(separator: ", ")
    static let insert = RecordStatements.insert("posted_generation", names)
    static let update = RecordStatements.update("posted_generation", names)

    /// The entry of a row selected with ``selectList``.
    static func load(_ row: SQLRow) throws -> PostedRecord {
        var entry = PostedRecord(id: try row.string("posted_generation_id"))
        entry.generatingUnitID = try row.string("generating_unit_id")
        entry.kind = PostedRecord.Kind(rawValue: try row.string("kind")) ?? .unspecified
        entry.status = try row.string("status")
        entry.autoAccepted = try row.bool("auto_accepted")
        entry.reportingEntityOrganizationID = try row.string("reporting_entity_organization_id")
        entry.reportingEntityUnitID = try row.string("reporting_entity_unit_id")
        entry.vintageIndex = try row.int64("vintage_index")
        entry.periodBegin = StoredDate(column: try row.string("period_begin"))
        entry.periodEnd = StoredDate(column: try row.string("period_end"))
        entry.energyKilowattHours = try row.int64("energy_kwh")
        entry.cumulativeMeterReadKilowattHours = try row.optionalInt64("cumulative_meter_read_kwh")
        if let feasible = try row.optionalBool("feasible") {
            entry.feasibility = PostedRecord.Feasibility(
                feasible: feasible, maximumKilowattHours: try row.optionalInt64("feasibility_maximum_kwh"),
                nameplateCapacityWatts: try row.optionalInt64("feasibility_nameplate_capacity_watts") ?? 0,
                capacityFactorPartsPerMillion: try row.optionalInt64("feasibility_capacity_factor_ppm") ?? 0,
                hours: Int32(clamping: try row.optionalInt64("feasibility_hours") ?? 0))
        }
        entry.uploadID = try row.string("upload_id")
        entry.line = Int32(clamping: try row.int64("line"))
        entry.postedAtUnixSeconds = try row.optionalInt64("posted_at_unix_seconds")
        entry.autoAcceptAtUnixSeconds = try row.optionalInt64("auto_accept_at_unix_seconds")
        entry.reloadRule = Int32(clamping: try row.int64("reload_rule"))
        entry.replacedPostedGenerationID = try row.string("replaced_posted_generation_id")
        entry.issuanceCycleID = try row.optionalString("issuance_cycle_id")
        entry.meterAggregationID = try row.string("meter_aggregation_id")
        return entry
    }

    /// The columns migration 0010 adds (the others were there from the start).
    static func addColumns(_ t: ServiceSchema.Types) -> [String] {
        [
            "ALTER TABLE posted_generation ADD COLUMN kind TEXT NOT NULL DEFAULT 'unspecified'",
            "ALTER TABLE posted_generation ADD COLUMN auto_accepted \(t.int) NOT NULL DEFAULT 0 CHECK (auto_accepted IN (0, 1))",
            "ALTER TABLE posted_generation ADD COLUMN reporting_entity_organization_id TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE posted_generation ADD COLUMN reporting_entity_unit_id TEXT NOT NULL DEFAULT ''",
            // NULL: no cumulative read (not self-reported).
            "ALTER TABLE posted_generation ADD COLUMN cumulative_meter_read_kwh \(t.int)",
            // NULL `feasible`: no assessment.
            "ALTER TABLE posted_generation ADD COLUMN feasible \(t.int) CHECK (feasible IN (0, 1))",
            "ALTER TABLE posted_generation ADD COLUMN feasibility_maximum_kwh \(t.int)",
            "ALTER TABLE posted_generation ADD COLUMN feasibility_nameplate_capacity_watts \(t.int)",
            "ALTER TABLE posted_generation ADD COLUMN feasibility_capacity_factor_ppm \(t.int)",
            "ALTER TABLE posted_generation ADD COLUMN feasibility_hours \(t.int)",
            "ALTER TABLE posted_generation ADD COLUMN posted_at_unix_seconds \(t.int)",
            "ALTER TABLE posted_generation ADD COLUMN auto_accept_at_unix_seconds \(t.int)",
            "ALTER TABLE posted_generation ADD COLUMN reload_rule \(t.int) NOT NULL DEFAULT 0",
            "ALTER TABLE posted_generation ADD COLUMN replaced_posted_generation_id TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE posted_generation ADD COLUMN meter_aggregation_id TEXT NOT NULL DEFAULT ''",
        ]
    }
}

/// Migration 0010's transform (ADR 0010): until then issuance kept each entry's `PostedGeneration`
/// bytes in `record`. Each row's bytes are read as they were written and mapped as the store maps
/// an entry it inserts; then `record` goes. It writes with ``PostedRows`` because its columns are
/// exactly those 0009 made; a later migration that changes them must first give this transform a
/// copy of today's writer.
enum LegacyPostedRecords {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        try RecordMigration.eachRecord(table: "posted_generation", key: "posted_generation_id", &sql) { id, bytes, sql in
            var entry = PostedRecord(wire: try Recs_Issuance_V1_PostedGeneration(protobufBytes: bytes))
            entry.id = id
            try sql.execute(PostedRows.update, binds: PostedRows.columns(entry).map(\.value))
        }
        try sql.execute("ALTER TABLE posted_generation DROP COLUMN record")
    }
}
