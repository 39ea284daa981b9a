import Domain
import Foundation
import GRPCWire
@testable import IssuanceCore
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// ADR 0010: issuance keeps its cycles and Generation Activity Log entries as its own records (every
/// field a column), not their `IssuanceCycle` and `ActivityLogEntry` bytes; databases that stored the
/// bytes are converted by migration 0009 and answer exactly what they held.
@Suite("issuance cycle and log records")
struct CycleAndLogStorageTests {
    static func timestamp(_ seconds: Int64) -> Recs_Common_V1_Timestamp { IssuanceCodes.timestamp(unixSeconds: seconds) }

    static func vintage(_ year: Int32, _ month: Int32) -> Recs_Common_V1_Vintage {
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = year
        vintage.month = month
        return vintage
    }

    /// A completed cycle with every field set (stored without `units`, as the store always did).
    static var cycle: Recs_Issuance_V1_IssuanceCycle {
        var cycle = Recs_Issuance_V1_IssuanceCycle()
        cycle.issuanceCycleId = "C1"
        cycle.vintage = vintage(2026, 1)
        cycle.state = .completed
        var date = Recs_Common_V1_Date()
        date.year = 2026
        date.month = 5
        date.day = 1
        cycle.cycleDate = date
        cycle.startedAt = timestamp(1_777_000_000)
        cycle.completedAt = timestamp(1_777_000_005)
        cycle.certificatesIssued = 100
        cycle.batchCount = 1
        return cycle
    }

    /// Log entries of every shape: with and without vintage, energy and balance; negative energy.
    static var entries: [Recs_Issuance_V1_ActivityLogEntry] {
        var posted = Recs_Issuance_V1_ActivityLogEntry()
        posted.entryId = "L1"
        posted.generatingUnitId = "W1"
        posted.kind = .postedGeneration
        posted.at = timestamp(1_776_000_000)
        posted.vintage = vintage(2026, 1)
        posted.energy = IssuanceCodes.energy(100_500)
        posted.postedGenerationId = "P1"
        posted.balanceAfter = IssuanceCodes.energy(100_500)
        var created = Recs_Issuance_V1_ActivityLogEntry()
        created.entryId = "L2"
        created.generatingUnitId = "W1"
        created.kind = .certificatesCreated
        created.at = timestamp(1_777_000_001)
        created.vintage = vintage(2026, 1)
        created.energy = IssuanceCodes.energy(-100_000)
        created.certificates = 100
        created.batchNumber = 1
        created.fuelTypeCode = "SO1"
        created.issuanceCycleId = "C1"
        created.balanceAfter = IssuanceCodes.energy(500)
        var note = Recs_Issuance_V1_ActivityLogEntry()
        note.entryId = "L3"
        note.generatingUnitId = "W1"
        note.kind = .note
        note.at = timestamp(1_777_000_002)
        note.note = "Meter replaced, reads checked"
        return [posted, created, note]
    }

    /// What issuance wrote before migration 0009 (`IssuanceStore.saveCycle` and `appendLogEntry` at
    /// 151e0e7): the message bytes in `record` beside the columns, with the unit they name.
    static func writeLegacy(_ database: any Database) async throws {
        try await database.migrate(Array(IssuanceSchema.migrations.prefix { $0.name != "0009-issuance-own-cycle-and-log-records" }))
        try await database.transaction { sql in
            try UnitRecordStorageTests.feedUnit(&sql)
            let cycle = Self.cycle
            try sql.execute(
                """
                INSERT INTO issuance_cycles (issuance_cycle_id, vintage_index, started_at_unix_ms, completed_at_unix_ms, record)
                VALUES ($1, $2, $3, $4, $5)
                """,
                .text(cycle.issuanceCycleId), .int64(24_312), .int64((cycle.startedAt?.unixSeconds ?? 0) * 1_000),
                .int64((cycle.completedAt?.unixSeconds ?? 0) * 1_000), .bytes(cycle.protobufBytes()))
            try sql.execute(
                """
                INSERT INTO cycle_units (issuance_cycle_id, generating_unit_id, outcome, certificates, energy_issued_kwh, carried_forward_kwh)
                VALUES ('C1', 'W1', 'issued', 100, 100000, 500)
                """)
            for (index, entry) in entries.enumerated() {
                try sql.execute(
                    "INSERT INTO activity_log (entry_number, generating_unit_id, record) VALUES ($1, $2, $3)",
                    .int64(Int64(index + 1)), .text(entry.generatingUnitId), .bytes(entry.protobufBytes()))
            }
            try sql.execute("UPDATE counters SET value = 3 WHERE name = 'log_entry'")
            try sql.execute("UPDATE counters SET value = 1 WHERE name = 'cycle'")
        }
    }

    @Test("Migration 0009: stored cycle and log bytes upgrade and answer the same", arguments: TestDatabaseKind.allCases)
    func upgradeServesTheSame(kind: TestDatabaseKind) async throws {
        try await withUpgradedIssuance(kind, writeLegacy: Self.writeLegacy) { _, client, test in
            var get = Recs_Issuance_V1_GetIssuanceCycleRequest()
            get.cycle = .issuanceCycleId("C1")
            let got = try await client.getIssuanceCycle(get).cycle
            let listed = try await client.listIssuanceCycles(Recs_Issuance_V1_ListIssuanceCyclesRequest()).cycles
            let log = try await client.getGenerationActivityLog(Requests.log("W1")).entries
            var answered = try #require(got)
            #expect(answered.units.map(\.generatingUnitId) == ["W1"] && answered.units.first?.certificates == 100)
            // The units are read from cycle_units, in pages, with their count (docs/API.md, Paging).
            #expect(answered.unitCount == 1)
            answered.units = []
            answered.unitCount = 0
            #expect(answered == Self.cycle)
            #expect(listed == [Self.cycle])
            #expect(log == Self.entries)
            for table in ["issuance_cycles", "activity_log"] {
                await #expect(throws: StorageError.self) {
                    try await test.database.transaction { sql in _ = try sql.query("SELECT record FROM \(table)") }
                }
            }
        }
    }

    @Test("A cycle and log entries stored as records read back as the messages they were mapped from",
        arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            let store = IssuanceStore(database: test.database)
            try await store.migrate()
            let january = try Vintage(year: 2026, month: 1)
            let running = {
                var running = Self.cycle
                running.state = .running
                running.completedAt = nil
                return running
            }()
            let (saved, completed, entries) = try await test.database.transaction { sql in
                try RegistryFeed.apply(&sql, UnitRecordStorageTests.event(.generatingUnit(UnitRecordStorageTests.unit())))
                try CycleRows.save(CycleRecord(wire: running, vintage: january), &sql)
                let saved = try sql.queryFirst("SELECT \(CycleRows.selectList) FROM issuance_cycles").map(CycleRows.load)
                try CycleRows.save(CycleRecord(wire: Self.cycle, vintage: january), &sql)
                let completed = try sql.queryFirst("SELECT \(CycleRows.selectList) FROM issuance_cycles").map(CycleRows.load)
                for (index, entry) in Self.entries.enumerated() {
                    try LogEntryRows.append(LogEntryRecord(wire: entry, number: Int64(index + 1)), &sql)
                }
                let entries = try sql.query("SELECT \(LogEntryRows.selectList) FROM activity_log ORDER BY entry_number").map(LogEntryRows.load)
                return (saved, completed, entries)
            }
            #expect(saved?.wire == running)
            #expect(completed?.wire == Self.cycle)
            #expect(entries.map(\.wire) == Self.entries)
            #expect(entries.map(\.kind) == [.postedGeneration, .certificatesCreated, .note])
        }
    }
}
