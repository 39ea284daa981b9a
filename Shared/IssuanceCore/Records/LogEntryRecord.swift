import ProtoMessages
import ServiceKit
import Storage

/// One entry of a unit's Generation Activity Log (§12.6) as issuance keeps it (ADR 0010): one
/// `activity_log` row of columns. The use cases write and answer the API's `ActivityLogEntry`; it
/// is mapped into the record where it is appended and made again where it is read (``LogEntryRows``).
struct LogEntryRecord: Sendable, Hashable {
    /// What the entry records (§12.6), in issuance's stored names.
    enum Kind: String, Sendable {
        case balanceForward = "balance_forward"
        case postedGeneration = "posted_generation"
        case priorPeriodAdjustment = "prior_period_adjustment"
        case certificatesCreated = "certificates_created"
        case fractionForfeited = "fraction_forfeited"
        case notIssued = "not_issued"
        case note
        case unspecified
    }

    var number: Int64
    var generatingUnitID = ""
    var kind = Kind.unspecified
    var atUnixSeconds: Int64?
    /// Months since January of year 0, as `vintage_index` columns hold them.
    var vintageIndex: Int64?
    /// Energy in kWh; nil when the entry carries none.
    var energyKilowattHours: Int64?
    var certificates: Int64 = 0
    var batchNumber: Int64 = 0
    var fuelTypeCode = ""
    var postedGenerationID = ""
    var issuanceCycleID = ""
    var note = ""
    var balanceAfterKilowattHours: Int64?
}

extension LogEntryRecord.Kind {
    /// The API's kind of each (an unknown one maps to `unspecified`: issuance writes every entry).
    static let wire: [(kind: Self, wire: Recs_Issuance_V1_ActivityLogEntryKind)] = [
        (.balanceForward, .balanceForward), (.postedGeneration, .postedGeneration), (.priorPeriodAdjustment, .priorPeriodAdjustment),
        (.certificatesCreated, .certificatesCreated), (.fractionForfeited, .fractionForfeited), (.notIssued, .notIssued),
        (.note, .note),
    ]
}

extension LogEntryRecord {
    /// The entry numbered `number` (its id is `L<number>`, given when it was appended).
    init(wire entry: Recs_Issuance_V1_ActivityLogEntry, number: Int64) {
        self.number = number
        generatingUnitID = entry.generatingUnitId
        kind = Kind.wire.first { $0.wire == entry.kind }?.kind ?? .unspecified
        atUnixSeconds = entry.at?.unixSeconds
        vintageIndex = entry.vintage.map { Int64($0.year) * 12 + Int64($0.month) - 1 }
        energyKilowattHours = entry.energy?.kilowattHours
        certificates = entry.certificates
        batchNumber = entry.batchNumber
        fuelTypeCode = entry.fuelTypeCode
        postedGenerationID = entry.postedGenerationId
        issuanceCycleID = entry.issuanceCycleId
        note = entry.note
        balanceAfterKilowattHours = entry.balanceAfter?.kilowattHours
    }

    var wire: Recs_Issuance_V1_ActivityLogEntry {
        var entry = Recs_Issuance_V1_ActivityLogEntry()
        entry.entryId = "L\(number)"
        entry.generatingUnitId = generatingUnitID
        entry.kind = Kind.wire.first { $0.kind == kind }?.wire ?? .unspecified
        entry.at = atUnixSeconds.map(IssuanceCodes.timestamp(unixSeconds:))
        entry.vintage = vintageIndex.map { index in
            var vintage = Recs_Common_V1_Vintage()
            vintage.year = Int32(clamping: index / 12)
            vintage.month = Int32(clamping: index % 12 + 1)
            return vintage
        }
        entry.energy = energyKilowattHours.map(IssuanceCodes.energy)
        entry.certificates = certificates
        entry.batchNumber = batchNumber
        entry.fuelTypeCode = fuelTypeCode
        entry.postedGenerationId = postedGenerationID
        entry.issuanceCycleId = issuanceCycleID
        entry.note = note
        entry.balanceAfter = balanceAfterKilowattHours.map(IssuanceCodes.energy)
        return entry
    }
}

/// How a ``LogEntryRecord`` is kept: every field a column of `activity_log`, energies in kWh (NULL
/// when the entry carries none).
enum LogEntryRows {
    static func columns(_ entry: LogEntryRecord) -> [(name: String, value: SQLValue)] {
        [
            ("entry_number", .int64(entry.number)),
            ("generating_unit_id", .text(entry.generatingUnitID)),
            ("kind", .text(entry.kind.rawValue)),
            ("at_unix_seconds", .optional(entry.atUnixSeconds)),
            ("vintage_index", .optional(entry.vintageIndex)),
            ("energy_kwh", .optional(entry.energyKilowattHours)),
            ("certificates", .int64(entry.certificates)),
            ("batch_number", .int64(entry.batchNumber)),
            ("fuel_type_code", .text(entry.fuelTypeCode)),
            ("posted_generation_id", .text(entry.postedGenerationID)),
            ("issuance_cycle_id", .text(entry.issuanceCycleID)),
            ("note", .text(entry.note)),
            ("balance_after_kwh", .optional(entry.balanceAfterKilowattHours)),
        ]
    }

    static let names = columns(LogEntryRecord(number: 0)).map(\.name)
    static let selectList = names.joined(separator: ", ")
    static let insert = RecordStatements.insert("activity_log", names)
    static let update = RecordStatements.update("activity_log", names)

    static func append(_ entry: LogEntryRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute(insert, binds: columns(entry).map(\.value))
    }

    /// The entry of a row selected with ``selectList``.
    static func load(_ row: SQLRow) throws -> LogEntryRecord {
        var entry = LogEntryRecord(number: try row.int64("entry_number"))
        entry.generatingUnitID = try row.string("generating_unit_id")
        entry.kind = LogEntryRecord.Kind(rawValue: try row.string("kind")) ?? .unspecified
        entry.atUnixSeconds = try row.optionalInt64("at_unix_seconds")
        entry.vintageIndex = try row.optionalInt64("vintage_index")
        entry.energyKilowattHours = try row.optionalInt64("energy_kwh")
        entry.certificates = try row.int64("certificates")
        entry.batchNumber = try row.int64("batch_number")
        entry.fuelTypeCode = try row.string("fuel_type_code")
        entry.postedGenerationID = try row.string("posted_generation_id")
        entry.issuanceCycleID = try row.string("issuance_cycle_id")
        entry.note = try row.string("note")
        entry.balanceAfterKilowattHours = try row.optionalInt64("balance_after_kwh")
        return entry
    }
}

/// Migration 0009's transform (ADR 0010): until then issuance kept each cycle's `IssuanceCycle` and
/// each log entry's `ActivityLogEntry` bytes in `record`. Each row's bytes are read as they were
/// written and mapped as the store maps a cycle it saves or an entry it appends (the vintage and the
/// entry number from the row's columns, which were written from the same values); then `record`
/// goes from both tables. It writes with ``CycleRows`` and ``LogEntryRows`` because their columns are
/// exactly those 0008 made; a later migration that changes them must first give this transform a
/// copy of today's writers.
enum LegacyCycleAndLogRecords {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        let cycleUpdate = RecordStatements.update("issuance_cycles", CycleRows.names)
        try RecordMigration.eachRecord(table: "issuance_cycles", key: "issuance_cycle_id", &sql) { id, bytes, sql in
            guard let row = try sql.queryFirst("SELECT vintage_index FROM issuance_cycles WHERE issuance_cycle_id = $1", .text(id))
            else { return }
            var cycle = CycleRecord(
                wire: try Recs_Issuance_V1_IssuanceCycle(protobufBytes: bytes), vintage: try CycleRows.vintage(try row.int64("vintage_index")))
            cycle.id = id
            try sql.execute(cycleUpdate, binds: CycleRows.columns(cycle).map(\.value))
        }
        try sql.execute("ALTER TABLE issuance_cycles DROP COLUMN record")
        try RecordMigration.eachNumberedRecord(table: "activity_log", key: "entry_number", &sql) { number, bytes, sql in
            let entry = LogEntryRecord(wire: try Recs_Issuance_V1_ActivityLogEntry(protobufBytes: bytes), number: number)
            try sql.execute(LogEntryRows.update, binds: LogEntryRows.columns(entry).map(\.value))
        }
        try sql.execute("ALTER TABLE activity_log DROP COLUMN record")
    }
}
