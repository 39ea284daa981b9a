import Domain
import ProtoMessages
import ServiceKit
import Storage

/// An issuance cycle as issuance keeps it (ADR 0010): one `issuance_cycles` row of columns; its
/// per-unit outcomes are `cycle_units` rows (`IssuanceStore.recordUnitResult`). The use cases work
/// on the API's `IssuanceCycle`; it is mapped into the record where it is saved and made again
/// where it is read (``CycleRows``).
struct CycleRecord: Sendable, Hashable {
    /// The cycle's state, in issuance's stored names.
    enum State: String, Sendable {
        case running, completed, unspecified
    }

    var id: String
    var vintage: Vintage
    var state = State.unspecified
    var cycleDate: StoredDate?
    /// Whole seconds, as the API carries them; nil when not set.
    var startedAtUnixSeconds: Int64?
    var completedAtUnixSeconds: Int64?
    var certificatesIssued: Int64 = 0
    var batchCount: Int32 = 0
}

extension CycleRecord {
    /// The cycle's own fields (its `units` are kept apart); the vintage is the one it was run for.
    init(wire cycle: Recs_Issuance_V1_IssuanceCycle, vintage: Vintage) {
        id = cycle.issuanceCycleId
        self.vintage = vintage
        state =
            switch cycle.state {
            case .running: .running
            case .completed: .completed
            case .unspecified, .unrecognized: .unspecified
            }
        cycleDate = cycle.cycleDate.map(StoredDate.init)
        startedAtUnixSeconds = cycle.startedAt?.unixSeconds
        completedAtUnixSeconds = cycle.completedAt?.unixSeconds
        certificatesIssued = cycle.certificatesIssued
        batchCount = cycle.batchCount
    }

    /// The API's cycle, without `units`.
    var wire: Recs_Issuance_V1_IssuanceCycle {
        var cycle = Recs_Issuance_V1_IssuanceCycle()
        cycle.issuanceCycleId = id
        cycle.vintage = IssuanceCodes.proto(vintage)
        cycle.state =
            switch state {
            case .running: .running
            case .completed: .completed
            case .unspecified: .unspecified
            }
        cycle.cycleDate = cycleDate?.proto
        cycle.startedAt = startedAtUnixSeconds.map(IssuanceCodes.timestamp(unixSeconds:))
        cycle.completedAt = completedAtUnixSeconds.map(IssuanceCodes.timestamp(unixSeconds:))
        cycle.certificatesIssued = certificatesIssued
        cycle.batchCount = batchCount
        return cycle
    }
}

/// How a ``CycleRecord`` is kept: every field a column of `issuance_cycles`. The vintage is
/// `vintage_index` (months since year 0), the instants `*_unix_ms`, 0 when not set (the columns
/// were NOT NULL from the start, and a cycle never runs at the epoch).
enum CycleRows {
    static func columns(_ cycle: CycleRecord) -> [(name: String, value: SQLValue)] {
        [
            ("issuance_cycle_id", .text(cycle.id)),
            ("vintage_index", .int64(IssuanceCodes.index(cycle.vintage))),
            ("state", .text(cycle.state.rawValue)),
            ("cycle_date", .optional(cycle.cycleDate?.column)),
            ("started_at_unix_ms", .int64((cycle.startedAtUnixSeconds ?? 0) * 1_000)),
            ("completed_at_unix_ms", .int64((cycle.completedAtUnixSeconds ?? 0) * 1_000)),
            ("certificates_issued", .int64(cycle.certificatesIssued)),
            ("batch_count", .int64(Int64(cycle.batchCount))),
        ]
    }

    static let names = columns(CycleRecord(id: "", vintage: try! Vintage(year: 2000, month: 1))).map(\.name)
    static let selectList = names.joined(separator: ", ")
    static let upsert = RecordStatements.upsert("issuance_cycles", names)

    static func save(_ cycle: CycleRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute(upsert, binds: columns(cycle).map(\.value))
    }

    /// The vintage of a `vintage_index` (months since January of year 0).
    static func vintage(_ index: Int64) throws -> Vintage { try Vintage(year: Int(index / 12), month: Int(index % 12) + 1) }

    static func instant(_ milliseconds: Int64) -> Int64? { milliseconds == 0 ? nil : milliseconds / 1_000 }

    /// The cycle of a row selected with ``selectList``.
    static func load(_ row: SQLRow) throws -> CycleRecord {
        var cycle = CycleRecord(id: try row.string("issuance_cycle_id"), vintage: try vintage(try row.int64("vintage_index")))
        cycle.state = CycleRecord.State(rawValue: try row.string("state")) ?? .unspecified
        cycle.cycleDate = StoredDate(column: try row.optionalString("cycle_date"))
        cycle.startedAtUnixSeconds = instant(try row.int64("started_at_unix_ms"))
        cycle.completedAtUnixSeconds = instant(try row.int64("completed_at_unix_ms"))
        cycle.certificatesIssued = try row.int64("certificates_issued")
        cycle.batchCount = Int32(clamping: try row.int64("batch_count"))
        return cycle
    }
}
