import Domain
import Foundation
import GRPCWire
import ProtoMessages
import ServiceKit
import Storage

/// The issuance service's data: every read and write is one transaction of its database, given to a
/// closure that does nothing but database work. Idempotency and the event feed are ServiceKit's
/// ``RequestJournal`` (docs/API.md).
public struct IssuanceStore: Sendable {
    public let database: any Database
    let journal: RequestJournal

    public init(database: any Database, clock: ServiceClock = ServiceClock()) {
        self.database = database
        self.journal = RequestJournal(database: database, service: "issuance", clock: clock)
    }

    /// Applies the migrations not yet applied; returns their names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await database.migrate(IssuanceSchema.migrations)
    }

    public func close() async {
        await database.close()
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (inout JournalTransaction) throws -> T) async throws -> T {
        try await journal.read(body)
    }

    /// A transaction that is not a client request (deposit bookkeeping): database failures become
    /// statuses as for requests.
    func write<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        do {
            return try await database.transaction(body)
        } catch {
            throw journal.mapped(error)
        }
    }
}

/// A unit as issuance knows it: its record of the registry's unit plus issuance's running figures.
struct StoredUnit: Sendable {
    var record: UnitRecord
    /// The fraction of a MWh carried to the next cycle (§12.6).
    var carriedKilowattHours: Int64
    /// Energy on the Generation Activity Log not yet turned into certificates.
    var balanceKilowattHours: Int64

    var id: String { record.id }
}

/// A live (not replaced) posted entry, as the upload checks need it.
struct PostedEntry: Sendable {
    var record: Recs_Issuance_V1_PostedGeneration
    var status: String
    var issued: Bool
}

extension JournalTransaction {
    /// Appends the event of this change, in this transaction (docs/API.md, event feeds).
    mutating func appendEvent(action: String, _ payload: Recs_Issuance_V1_Event.OneOf_Payload) throws {
        try appendEvent(Recs_Issuance_V1_Event.self, action: action) { $0.payload = payload }
    }

    // MARK: Units and organizations (from the registry's feed)

    mutating func organization(_ organizationID: String) throws -> OrganizationRecord? {
        try sql.queryFirst("SELECT organization_id, type, status FROM organizations WHERE organization_id = $1", .text(organizationID))
            .map { row in
                OrganizationRecord(
                    id: try row.string("organization_id"), kind: OrganizationRecord.Kind(rawValue: try row.string("type")) ?? .unspecified,
                    status: OrganizationRecord.Status(rawValue: try row.string("status")) ?? .unspecified)
            }
    }

    mutating func unit(_ unitID: String) throws -> StoredUnit? {
        guard let row = try sql.queryFirst("SELECT \(UnitRows.selectList) FROM units WHERE generating_unit_id = $1", .text(unitID))
        else { return nil }
        return try UnitRows.load(row, &sql)
    }

    /// The unit `entity` reports under `entityUnitID` (Appendix D Table 27), if any.
    mutating func unit(reportedBy entity: String, as entityUnitID: String) throws -> StoredUnit? {
        guard
            let row = try sql.queryFirst(
                """
                SELECT \(UnitRows.selectList) FROM units
                WHERE reporting_entity_organization_id = $1 AND reporting_entity_unit_id = $2
                """, .text(entity), .text(entityUnitID))
        else { return nil }
        return try UnitRows.load(row, &sql)
    }

    mutating func setFigures(of unitID: String, carried: Int64, balance: Int64) throws {
        try sql.execute(
            "UPDATE units SET carried_kwh = $2, balance_kwh = $3 WHERE generating_unit_id = $1",
            .text(unitID), .int64(carried), .int64(balance))
    }

    // MARK: Uploads and posted generation

    /// The live entry for exactly this period, if any: what a reload would replace (Table 26).
    mutating func livePosted(unitID: String, period: GenerationPeriod) throws -> PostedEntry? {
        try sql.queryFirst(
            """
            SELECT \(PostedRows.selectList) FROM posted_generation
            WHERE generating_unit_id = $1 AND period_begin = $2 AND period_end = $3 AND replaced_by IS NULL
            """, .text(unitID), .text(IssuanceCodes.column(period.begin)), .text(IssuanceCodes.column(period.end))
        ).map { row in
            let entry = try PostedRows.load(row)
            return PostedEntry(record: entry.wire, status: entry.status, issued: entry.issuanceCycleID != nil)
        }
    }

    /// The unit's latest live period that ends before `day` (every live period when nil): the
    /// "previous reporting period" of Table 27's gap/overlap check.
    mutating func previousPeriod(unitID: String, endingBefore day: CalendarDate?) throws -> GenerationPeriod? {
        let row = try sql.queryFirst(
            """
            SELECT period_begin, period_end FROM posted_generation
            WHERE generating_unit_id = $1 AND replaced_by IS NULL AND period_end < $2
            ORDER BY period_end DESC LIMIT 1
            """, .text(unitID), .text(day.map(IssuanceCodes.column) ?? "9999-99-99"))
        guard let row else { return nil }
        return try GenerationPeriod(
            begin: IssuanceCodes.date(column: try row.string("period_begin")),
            end: IssuanceCodes.date(column: try row.string("period_end")))
    }

    /// Inserts the entry, mapped into issuance's record (ADR 0010); its vintage and period are kept as
    /// the upload checked them.
    mutating func insertPosted(_ entry: Recs_Issuance_V1_PostedGeneration, vintage: Vintage, period: GenerationPeriod) throws {
        var record = PostedRecord(wire: entry)
        record.vintageIndex = IssuanceCodes.index(vintage)
        record.periodBegin = StoredDate(IssuanceCodes.proto(period.begin))
        record.periodEnd = StoredDate(IssuanceCodes.proto(period.end))
        try sql.execute(PostedRows.insert, binds: PostedRows.columns(record).map(\.value))
    }

    /// Replaces a live entry by a reload (Table 26): the old row leaves the live set first, so the
    /// one-live-entry-per-period constraints hold at every statement, then points at its replacement.
    mutating func replacePosted(
        _ oldID: String, with entry: Recs_Issuance_V1_PostedGeneration, vintage: Vintage, period: GenerationPeriod
    ) throws {
        try sql.execute("UPDATE posted_generation SET replaced_by = $1 WHERE posted_generation_id = $1", .text(oldID))
        try insertPosted(entry, vintage: vintage, period: period)
        try sql.execute(
            "UPDATE posted_generation SET replaced_by = $2 WHERE posted_generation_id = $1", .text(oldID),
            .text(entry.postedGenerationId))
    }

    /// Live entries of the vintage not yet issued, by unit id then period.
    mutating func unissuedPosted(vintage: Vintage) throws -> [(status: String, entry: Recs_Issuance_V1_PostedGeneration)] {
        try sql.query(
            """
            SELECT \(PostedRows.selectList) FROM posted_generation
            WHERE vintage_index = $1 AND replaced_by IS NULL AND issuance_cycle_id IS NULL
            ORDER BY generating_unit_id, period_begin
            """, .int64(IssuanceCodes.index(vintage))
        ).map { row in
            let entry = try PostedRows.load(row)
            return (entry.status, entry.wire)
        }
    }

    /// Records that a cycle turned the entry into certificates.
    mutating func markIssued(_ entry: Recs_Issuance_V1_PostedGeneration) throws {
        let updated = try sql.execute(
            PostedRows.update + " AND issuance_cycle_id IS NULL AND replaced_by IS NULL",
            binds: PostedRows.columns(PostedRecord(wire: entry)).map(\.value))
        guard updated == 1 else {
            throw StorageError(.serializationFailure, "posted generation \(entry.postedGenerationId) changed during the cycle")
        }
    }

    // MARK: Generation Activity Log (§12.6)

    /// Appends an entry to the unit's log and to the feed; returns it with its id.
    @discardableResult
    mutating func appendLogEntry(_ entry: Recs_Issuance_V1_ActivityLogEntry, action: String) throws -> Recs_Issuance_V1_ActivityLogEntry {
        var entry = entry
        let number = try nextNumber("log_entry")
        entry.entryId = "L\(number)"
        entry.at = timestamp
        try LogEntryRows.append(LogEntryRecord(wire: entry, number: number), &sql)
        try appendEvent(action: action, .activityLogEntry(entry))
        return entry
    }

    mutating func logEntries(unitID: String, afterNumber: Int64, limit: Int) throws -> [(number: Int64, entry: Recs_Issuance_V1_ActivityLogEntry)] {
        try sql.query(
            """
            SELECT \(LogEntryRows.selectList) FROM activity_log WHERE generating_unit_id = $1 AND entry_number > $2
            ORDER BY entry_number LIMIT $3
            """, .text(unitID), .int64(afterNumber), .int64(Int64(limit))
        ).map { row in
            let entry = try LogEntryRows.load(row)
            return (entry.number, entry.wire)
        }
    }

    // MARK: Issuance cycles

    mutating func cycle(vintage: Vintage) throws -> Recs_Issuance_V1_IssuanceCycle? {
        try sql.queryFirst("SELECT \(CycleRows.selectList) FROM issuance_cycles WHERE vintage_index = $1", .int64(IssuanceCodes.index(vintage)))
            .map { try CycleRows.load($0).wire }
    }

    mutating func cycle(id: String) throws -> Recs_Issuance_V1_IssuanceCycle? {
        try sql.queryFirst("SELECT \(CycleRows.selectList) FROM issuance_cycles WHERE issuance_cycle_id = $1", .text(id))
            .map { try CycleRows.load($0).wire }
    }

    /// Cycles in vintage order after `afterVintageIndex`, at most `limit`.
    mutating func cycles(
        afterVintageIndex: Int64, limit: Int, vintages: ClosedRange<Int64>?
    ) throws -> [(vintageIndex: Int64, cycle: Recs_Issuance_V1_IssuanceCycle)] {
        let bounds = vintages ?? 0...Int64.max
        return try sql.query(
            """
            SELECT \(CycleRows.selectList) FROM issuance_cycles
            WHERE vintage_index > $1 AND vintage_index >= $2 AND vintage_index <= $3 ORDER BY vintage_index LIMIT $4
            """, .int64(afterVintageIndex), .int64(bounds.lowerBound), .int64(bounds.upperBound), .int64(Int64(limit))
        ).map { row in (try row.int64("vintage_index"), try CycleRows.load(row).wire) }
    }

    /// Inserts or replaces the cycle's record (its `units` have their own table).
    mutating func saveCycle(_ cycle: Recs_Issuance_V1_IssuanceCycle, vintage: Vintage) throws {
        try CycleRows.save(CycleRecord(wire: cycle, vintage: vintage), &sql)
    }

    /// Adds one run's result for a unit to the cycle's: certificates add up, the carried fraction is
    /// the latest, and an issuing run's outcome wins over earlier ones.
    mutating func recordUnitResult(cycleID: String, _ result: Recs_Issuance_V1_UnitIssuance) throws {
        let previous = try sql.queryFirst(
            "SELECT outcome, certificates FROM cycle_units WHERE issuance_cycle_id = $1 AND generating_unit_id = $2",
            .text(cycleID), .text(result.generatingUnitId))
        var outcome = result.outcome
        var certificates = result.certificates
        if let previous {
            certificates += try previous.int64("certificates")
            if outcome != .issued, IssuanceCodes.outcome(try previous.string("outcome")) == .issued { outcome = .issued }
        }
        try sql.execute(
            """
            INSERT INTO cycle_units (issuance_cycle_id, generating_unit_id, outcome, certificates, energy_issued_kwh, carried_forward_kwh)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (issuance_cycle_id, generating_unit_id) DO UPDATE SET outcome = excluded.outcome,
                certificates = excluded.certificates, energy_issued_kwh = excluded.energy_issued_kwh,
                carried_forward_kwh = excluded.carried_forward_kwh
            """,
            .text(cycleID), .text(result.generatingUnitId), .text(IssuanceCodes.name(outcome)), .int64(certificates),
            .int64(certificates * 1_000), .int64(result.carriedForward?.kilowattHours ?? 0))
    }

    /// The cycle's per-unit outcomes after unit `afterUnitID` in unit id order, at most `limit`, with
    /// their batches and deposit state now.
    mutating func unitResults(cycleID: String, afterUnitID: String, limit: Int) throws -> [Recs_Issuance_V1_UnitIssuance] {
        let rows = try sql.query(
            """
            SELECT generating_unit_id, outcome, certificates, energy_issued_kwh, carried_forward_kwh FROM cycle_units
            WHERE issuance_cycle_id = $1 AND generating_unit_id > $2 ORDER BY generating_unit_id LIMIT $3
            """, .text(cycleID), .text(afterUnitID), .int64(Int64(limit)))
        var results: [Recs_Issuance_V1_UnitIssuance] = []
        for row in rows {
            var result = Recs_Issuance_V1_UnitIssuance()
            result.generatingUnitId = try row.string("generating_unit_id")
            result.outcome = IssuanceCodes.outcome(try row.string("outcome"))
            result.certificates = try row.int64("certificates")
            result.energyIssued = IssuanceCodes.energy(try row.int64("energy_issued_kwh"))
            result.carriedForward = IssuanceCodes.energy(try row.int64("carried_forward_kwh"))
            let batches = try sql.query(
                """
                SELECT batch_number, deposited_at_unix_ms FROM batches WHERE issuance_cycle_id = $1 AND generating_unit_id = $2
                ORDER BY batch_number
                """, .text(cycleID), .text(result.generatingUnitId))
            result.batchNumbers = try batches.map { try $0.int64("batch_number") }
            result.deposited = try batches.allSatisfy { try $0.optionalInt64("deposited_at_unix_ms") != nil }
            results.append(result)
        }
        return results
    }

    /// Units the cycle considered, every page together.
    mutating func unitCount(cycleID: String) throws -> Int32 {
        Int32(clamping: try sql.queryFirst("SELECT COUNT(*) AS units FROM cycle_units WHERE issuance_cycle_id = $1", .text(cycleID))?
            .int64("units") ?? 0)
    }

    // MARK: Batches

    mutating func insertBatch(_ batch: IssuedBatch, vintage: Vintage, cycleID: String, organizationID: String, subaccountID: String) throws {
        try IssuedBatchRows.insert(batch, vintage: vintage, cycleID: cycleID, organizationID: organizationID, subaccountID: subaccountID, &sql)
    }

    mutating func batch(number: Int64) throws -> (batch: IssuedBatch, cycleID: String)? {
        guard
            let row = try sql.queryFirst(
                "SELECT \(IssuedBatchRows.selectList), issuance_cycle_id FROM batches WHERE batch_number = $1", .int64(number))
        else { return nil }
        return (try IssuedBatchRows.load(row, &sql), try row.string("issuance_cycle_id"))
    }

    /// Batches in number order after `afterNumber`, filtered, at most `limit`.
    mutating func batches(
        afterNumber: Int64, limit: Int, unitID: String?, cycleID: String?, vintages: ClosedRange<Int64>?
    ) throws -> [IssuedBatch] {
        var conditions = ["batch_number > $1"]
        var binds: [SQLValue] = [.int64(afterNumber)]
        if let unitID {
            binds.append(.text(unitID))
            conditions.append("generating_unit_id = $\(binds.count)")
        }
        if let cycleID {
            binds.append(.text(cycleID))
            conditions.append("issuance_cycle_id = $\(binds.count)")
        }
        if let vintages {
            binds.append(.int64(vintages.lowerBound))
            conditions.append("vintage_index >= $\(binds.count)")
            binds.append(.int64(vintages.upperBound))
            conditions.append("vintage_index <= $\(binds.count)")
        }
        binds.append(.int64(Int64(limit)))
        let rows = try sql.query(
            """
            SELECT \(IssuedBatchRows.selectList) FROM batches WHERE \(conditions.joined(separator: " AND "))
            ORDER BY batch_number LIMIT $\(binds.count)
            """, binds: binds)
        return try rows.map { try IssuedBatchRows.load($0, &sql) }
    }
}

/// A batch transfer has not confirmed yet, with what its deposit needs.
struct PendingDeposit: Sendable {
    var batch: IssuedBatch
    var cycleID: String
    var organizationID: String
    var subaccountID: String
}

extension SQLTransaction {
    /// Batches numbered after `after` not yet deposited, oldest first, at most `limit`.
    mutating func pendingDeposits(after: Int64, limit: Int) throws -> [PendingDeposit] {
        let rows = try query(
            """
            SELECT \(IssuedBatchRows.selectList), issuance_cycle_id, organization_id, deposit_subaccount_id FROM batches
            WHERE deposited_at_unix_ms IS NULL AND batch_number > $1 ORDER BY batch_number LIMIT $2
            """, .int64(after), .int64(Int64(limit)))
        return try rows.map { row in
            PendingDeposit(
                batch: try IssuedBatchRows.load(row, &self),
                cycleID: try row.string("issuance_cycle_id"), organizationID: try row.string("organization_id"),
                subaccountID: try row.string("deposit_subaccount_id"))
        }
    }

    mutating func markDeposited(batchNumber: Int64, at milliseconds: Int64) throws {
        try execute(
            "UPDATE batches SET deposited_at_unix_ms = $2 WHERE batch_number = $1 AND deposited_at_unix_ms IS NULL",
            .int64(batchNumber), .int64(milliseconds))
    }
}
