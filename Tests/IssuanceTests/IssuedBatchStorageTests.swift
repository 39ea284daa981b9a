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

/// ADR 0010: issuance keeps its batches as its own record (the range and every certificate field a
/// column, eligibilities in `batch_eligibilities`), not the `CertificateBatch` bytes; databases that
/// stored the bytes are converted by migration 0008 and answer, and deposit, exactly the batches
/// they held.
@Suite("issuance batch records")
struct IssuedBatchStorageTests {
    static func batch(_ number: Int64, quantity: Int64, _ attributes: Recs_Common_V1_CertificateAttributes) -> Recs_Common_V1_CertificateBatch {
        var batch = Recs_Common_V1_CertificateBatch()
        batch.batchNumber = number
        batch.serialRange = SerialRanges.proto(
            CertificateSerialRange(
                batch: try! CertificateBatchIdentity(
                    generatingUnit: GeneratingUnitID(parsing: "W1"), location: StateOrProvinceCode(parsing: "CA"), batchNumber: number),
                numbers: try! CertificateNumberRange(first: 1, last: quantity)))
        batch.quantity = quantity
        batch.attributes = attributes
        return batch
    }

    /// Batch 1 with every field (not yet deposited), batch 2 with a FERC licence status (deposited).
    static let stored = [
        batch(1, quantity: 100, CertificateFieldsFixtures.everyField(unit: "W1", state: "CA")),
        batch(2, quantity: 3, CertificateFieldsFixtures.licensedByStatus(unit: "W1", state: "CA")),
    ]

    /// What issuance wrote before migration 0008 (`IssuanceStore.insertBatch` at 151e0e7): the
    /// `CertificateBatch` bytes in `record` beside the columns, with the unit and cycle they name.
    static func writeLegacy(_ database: any Database) async throws {
        try await database.migrate(Array(IssuanceSchema.migrations.prefix { $0.name != "0008-issuance-own-batch-records" }))
        try await database.transaction { sql in
            try UnitRecordStorageTests.feedUnit(&sql)
            var cycle = Recs_Issuance_V1_IssuanceCycle()
            cycle.issuanceCycleId = "C1"
            try sql.execute(
                """
                INSERT INTO issuance_cycles (issuance_cycle_id, vintage_index, started_at_unix_ms, completed_at_unix_ms, record)
                VALUES ('C1', 24312, 0, 0, $1)
                """, .bytes(cycle.protobufBytes()))
            for batch in stored {
                let range = batch.serialRange ?? Recs_Common_V1_SerialRange()
                try sql.execute(
                    """
                    INSERT INTO batches (batch_number, generating_unit_id, state_or_province, vintage_index, first_certificate,
                        last_certificate, quantity, issuance_cycle_id, organization_id, deposit_subaccount_id, deposited_at_unix_ms,
                        record)
                    VALUES ($1, $2, $3, 24312, $4, $5, $6, 'C1', 'A1', '1234ABCD-55ZZ', $7, $8)
                    """,
                    .int64(batch.batchNumber), .text(range.generatingUnitId), .text(range.stateOrProvince), .int64(range.first),
                    .int64(range.last), .int64(batch.quantity), batch.batchNumber == 2 ? .int64(1_000) : .null,
                    .bytes(batch.protobufBytes()))
            }
            try sql.execute("UPDATE counters SET value = 2 WHERE name = 'batch'")
        }
    }

    @Test("Migration 0008: stored batch bytes upgrade; the reads and the deposit answer the same batches",
        arguments: TestDatabaseKind.allCases)
    func upgradeServesTheSameBatches(kind: TestDatabaseKind) async throws {
        let depositor = FakeDepositor()
        try await withUpgradedIssuance(kind, depositor: depositor, writeLegacy: Self.writeLegacy) { application, client, test in
            let first = try await client.batch(1)
            let second = try await client.batch(2)
            var list = Recs_Issuance_V1_ListCertificateBatchesRequest()
            list.generatingUnitId = "W1"
            let listed = try await client.listCertificateBatches(list).batches
            #expect(first == Self.stored[0])
            #expect(second == Self.stored[1])
            #expect(listed == Self.stored)
            // The batch not yet deposited goes to transfer as it was stored; the other stays.
            #expect(await application.deposits.depositOutstanding())
            #expect(depositor.calls.map(\.batch) == [Self.stored[0]])
            await #expect(throws: StorageError.self) {
                try await test.database.transaction { sql in _ = try sql.query("SELECT record FROM batches") }
            }
        }
    }

    @Test("A batch stored as issuance's record reads back equal, every field", arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await IssuanceStore(database: test.database).migrate()
            let records = try Self.stored.map { batch in
                IssuedBatch(
                    range: try SerialRanges.parse(batch.serialRange, field: "serial_range"),
                    fields: CertificateFieldsRecord(wire: batch.attributes ?? Recs_Common_V1_CertificateAttributes()))
            }
            let read = try await test.database.transaction { sql in
                try RegistryFeed.apply(&sql, UnitRecordStorageTests.event(.generatingUnit(UnitRecordStorageTests.unit())))
                let january = try Vintage(year: 2026, month: 1)
                try CycleRows.save(CycleRecord(id: "C1", vintage: january), &sql)
                for record in records {
                    try IssuedBatchRows.insert(
                        record, vintage: january, cycleID: "C1", organizationID: "A1", subaccountID: "1234ABCD-55ZZ", &sql)
                }
                return try sql.query("SELECT \(IssuedBatchRows.selectList) FROM batches ORDER BY batch_number").map {
                    try IssuedBatchRows.load($0, &sql)
                }
            }
            #expect(read == records)
            #expect(read.map(\.wire) == Self.stored)
            #expect(read.first?.fields.programEligibilities.count == 2)
        }
    }
}
