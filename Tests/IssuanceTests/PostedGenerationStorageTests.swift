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

/// ADR 0010: issuance keeps its posted generation as its own record (every field a column), not the
/// `PostedGeneration` bytes; databases that stored the bytes are converted by migration 0010, and the
/// upload's checks and the cycle read exactly the entries they held.
@Suite("issuance posted generation records")
struct PostedGenerationStorageTests {
    static func date(_ year: Int32, _ month: Int32, _ day: Int32) -> Recs_Common_V1_Date { StoredDate(year: year, month: month, day: day).proto }

    static func entry(_ id: String, begin: Int32, end: Int32) -> Recs_Issuance_V1_PostedGeneration {
        var entry = Recs_Issuance_V1_PostedGeneration()
        entry.postedGenerationId = id
        entry.generatingUnitId = "W1"
        entry.kind = .reported
        entry.status = .wregisAccepted
        entry.reportingEntityOrganizationId = "A2"
        entry.reportingEntityUnitId = "SUNNY-1"
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = 2026
        vintage.month = 1
        entry.vintage = vintage
        var period = Recs_Common_V1_DateRange()
        period.begin = date(2026, 1, begin)
        period.end = date(2026, 1, end)
        entry.period = period
        entry.energy = IssuanceCodes.energy(40_500)
        entry.uploadId = "U1"
        entry.line = 2
        entry.postedAt = IssuanceCodes.timestamp(unixSeconds: 1_770_000_000)
        entry.autoAcceptAt = IssuanceCodes.timestamp(unixSeconds: 1_777_593_600)
        return entry
    }

    /// G1: a live reported entry with a full feasibility assessment, not issued. G2: self-reported
    /// with a meter read and a shared meter, an assessment without maximum, already issued. G3: a
    /// reload (Table 26 rule 2) of G4's period, which it replaced.
    static var entries: [Recs_Issuance_V1_PostedGeneration] {
        var first = entry("G1", begin: 1, end: 10)
        var feasibility = Recs_Issuance_V1_FeasibilityAssessment()
        feasibility.feasible = true
        feasibility.maximum = IssuanceCodes.energy(1_468_800)
        feasibility.nameplateCapacityWatts = 2_000_000
        feasibility.capacityFactorPartsPerMillion = 250_000
        feasibility.hours = 240
        first.feasibility = feasibility
        var second = entry("G2", begin: 11, end: 20)
        second.kind = .selfReported
        second.status = .accountHolderAccepted
        second.autoAccepted = true
        second.cumulativeMeterRead = IssuanceCodes.energy(9_000_000)
        second.meterAggregationId = "M7"
        second.issuanceCycleId = "C9"
        var partial = Recs_Issuance_V1_FeasibilityAssessment()
        partial.feasible = false
        partial.hours = 240
        second.feasibility = partial
        var reload = entry("G3", begin: 21, end: 31)
        reload.line = 3
        reload.reloadRule = 2
        reload.replacedPostedGenerationId = "G4"
        let replaced = entry("G4", begin: 21, end: 31)
        return [first, second, reload, replaced]
    }

    /// What issuance wrote before migration 0010 (`IssuanceStore.insertPosted` and `replacePosted` at
    /// 151e0e7): the message bytes in `record` beside the columns.
    static func writeLegacy(_ database: any Database) async throws {
        try await database.migrate(Array(IssuanceSchema.migrations.prefix { $0.name != "0010-issuance-own-posted-generation-records" }))
        try await database.transaction { sql in
            try UnitRecordStorageTests.feedUnit(&sql)
            try sql.execute(
                "INSERT INTO uploads (upload_id, reporter_organization_id, received_at_unix_ms, record) VALUES ('U1', 'A2', 0, $1)",
                .bytes(Recs_Issuance_V1_GenerationUpload().protobufBytes()))
            for entry in entries.reversed() {
                let period = entry.period ?? Recs_Common_V1_DateRange()
                if entry.postedGenerationId == "G3" {
                    try sql.execute("UPDATE posted_generation SET replaced_by = 'G4' WHERE posted_generation_id = 'G4'")
                }
                try sql.execute(
                    """
                    INSERT INTO posted_generation (posted_generation_id, generating_unit_id, status, vintage_index, period_begin,
                        period_end, energy_kwh, upload_id, line, record, issuance_cycle_id)
                    VALUES ($1, $2, $3, 24312, $4, $5, $6, $7, $8, $9, $10)
                    """,
                    .text(entry.postedGenerationId), .text(entry.generatingUnitId), .text(IssuanceCodes.name(entry.status)),
                    .text(StoredDate(period.begin ?? Recs_Common_V1_Date()).column), .text(StoredDate(period.end ?? Recs_Common_V1_Date()).column),
                    .int64(entry.energy?.kilowattHours ?? 0), .text(entry.uploadId), .int64(Int64(entry.line)), .bytes(entry.protobufBytes()),
                    .optional(entry.issuanceCycleId.isEmpty ? nil : entry.issuanceCycleId))
                if entry.postedGenerationId == "G3" {
                    try sql.execute("UPDATE posted_generation SET replaced_by = 'G3' WHERE posted_generation_id = 'G4'")
                }
            }
            try sql.execute("UPDATE counters SET value = 4 WHERE name = 'posted_generation'")
        }
    }

    /// What the upload's checks and the cycle read: the live entry of each period, and the entries
    /// of the vintage not issued yet.
    static func reads(_ store: IssuanceStore) async throws -> (live: [Recs_Issuance_V1_PostedGeneration?], unissued: [Recs_Issuance_V1_PostedGeneration]) {
        try await store.read { transaction in
            var live: [Recs_Issuance_V1_PostedGeneration?] = []
            for (begin, end) in [(1, 10), (11, 20), (21, 31)] {
                let period = try GenerationPeriod(
                    begin: CalendarDate(year: 2026, month: 1, day: begin), end: CalendarDate(year: 2026, month: 1, day: end))
                live.append(try transaction.livePosted(unitID: "W1", period: period)?.record)
            }
            return (live, try transaction.unissuedPosted(vintage: try Vintage(year: 2026, month: 1)).map(\.entry))
        }
    }

    @Test("Migration 0010: stored posted generation upgrades; the checks and the cycle read the same entries",
        arguments: TestDatabaseKind.allCases)
    func upgradeServesTheSame(kind: TestDatabaseKind) async throws {
        try await withUpgradedIssuance(kind, writeLegacy: Self.writeLegacy) { application, client, _ in
            let entries = Self.entries
            let read = try await Self.reads(application.store)
            #expect(read.live == [entries[0], entries[1], entries[2]])
            #expect(read.unissued == [entries[0], entries[2]])
            // The cycle marks the unissued entries issued and publishes them as stored, changed only
            // by the cycle (§12.3: accepted by silence).
            let cycle = try await client.runIssuanceCycle(Requests.cycle("cycle-jan", year: 2026, month: 1)).cycle
            let published = try await client.allEvents().compactMap { event -> Recs_Issuance_V1_PostedGeneration? in
                if case .postedGeneration(let entry)? = event.payload { return entry }
                return nil
            }
            let expected = [entries[0], entries[2]].map { entry in
                var entry = entry
                entry.status = .accountHolderAccepted
                entry.autoAccepted = true
                entry.issuanceCycleId = cycle?.issuanceCycleId ?? ""
                return entry
            }
            #expect(published == expected)
            #expect(try await Self.reads(application.store).unissued.isEmpty)
        }
    }

    @Test("An entry stored as issuance's record reads back as the message it was mapped from", arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await IssuanceStore(database: test.database).migrate()
            let read = try await test.database.transaction { sql in
                try RegistryFeed.apply(&sql, UnitRecordStorageTests.event(.generatingUnit(UnitRecordStorageTests.unit())))
                try sql.execute(
                    "INSERT INTO uploads (upload_id, reporter_organization_id, received_at_unix_ms, record) VALUES ('U1', 'A2', 0, $1)",
                    .bytes(Recs_Issuance_V1_GenerationUpload().protobufBytes()))
                for entry in Self.entries.prefix(3) {
                    try sql.execute(PostedRows.insert, binds: PostedRows.columns(PostedRecord(wire: entry)).map(\.value))
                }
                return try sql.query("SELECT \(PostedRows.selectList) FROM posted_generation ORDER BY posted_generation_id").map(PostedRows.load)
            }
            #expect(read.map(\.wire) == Array(Self.entries.prefix(3)))
            #expect(read.map(\.kind) == [.reported, .selfReported, .reported])
            #expect(read.map(\.issuanceCycleID) == [nil, "C9", nil])
        }
    }
}
