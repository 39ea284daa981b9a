import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
@testable import ReportingCore
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// ADR 0010: reporting keeps a batch's certificate fields as its own columns, not issuance's
/// `CertificateAttributes` bytes; databases that stored the bytes are converted by migration 0008
/// and answer the look-up exactly as before.
@Suite("reporting batch certificate fields")
struct BatchFieldsStorageTests {
    static func everyField() -> Recs_Common_V1_CertificateAttributes {
        CertificateFieldsFixtures.everyField(unit: "99999", state: "CA")
    }

    static func batch(_ number: Int64, quantity: Int64, _ attributes: Recs_Common_V1_CertificateAttributes) -> Recs_Common_V1_CertificateBatch {
        var batch = Recs_Common_V1_CertificateBatch()
        batch.batchNumber = number
        batch.serialRange = Fixtures.serialRange("99999-CA-\(number)-1-\(quantity)")
        batch.quantity = quantity
        batch.attributes = attributes
        return batch
    }

    /// Batch 123 issued with the fixture's fields and corrected with every field; 124 with a FERC
    /// licence status and no optional message; 125 with no fields at all.
    static func issuanceEvents() -> [Recs_Issuance_V1_Event] {
        var bare = batch(125, quantity: 5, Recs_Common_V1_CertificateAttributes())
        bare.attributes = nil
        return [
            Fixtures.issuanceEvent(1, .batchIssued(Fixtures.batch())),
            Fixtures.issuanceEvent(2, .batchIssued(batch(124, quantity: 10, licensed))),
            Fixtures.issuanceEvent(3, .batchCorrected(batch(123, quantity: 100, everyField()))),
            Fixtures.issuanceEvent(4, .batchIssued(bare)),
        ]
    }

    static let licensed = CertificateFieldsFixtures.licensedByStatus(unit: "99999", state: "CA")

    /// The fields each batch answers with last: 123 corrected, 124, and 125 (no fields: an empty message).
    static let expectedAttributes = [everyField(), licensed, Recs_Common_V1_CertificateAttributes()]

    /// Transfer's deposits of the three batches, so each can be looked up whole.
    static func transferEvents() -> [Recs_Transfer_V1_Event] {
        [(Int64(123), Int64(100)), (124, 10), (125, 5)].enumerated().map { index, batch in
            var deposited = Recs_Transfer_V1_CertificatesDeposited()
            var placement = Recs_Transfer_V1_Placement()
            placement.serialRange = Fixtures.serialRange("99999-CA-\(batch.0)-1-\(batch.1)")
            placement.holder = Fixtures.holder("A1", Fixtures.a1Active, .active)
            placement.status = .active
            deposited.placements = [placement]
            return Fixtures.transferEvent(Int64(index + 1), day: 1, .certificatesDeposited(deposited))
        }
    }

    /// What reporting wrote for a batch event before migration 0008 (`ReadModels` at 151e0e7): the
    /// attribute bytes in `attributes` beside the columns.
    static func writeLegacy(_ event: Recs_Issuance_V1_Event, _ sql: inout SQLTransaction) throws {
        let (batch, corrected): (Recs_Common_V1_CertificateBatch, Bool)
        switch event.payload {
        case .batchIssued(let issued)?: (batch, corrected) = (issued, false)
        case .batchCorrected(let correction)?: (batch, corrected) = (correction, true)
        default: return
        }
        let range = try SerialRanges.parse(batch.serialRange, field: "batch.serial_range")
        let attributes = batch.attributes ?? Recs_Common_V1_CertificateAttributes()
        try sql.execute(
            """
            INSERT INTO batches (batch_number, generating_unit_id, state_or_province, first_number, last_number, quantity,
                fuel_type_code, attributes, corrected, last_event)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (batch_number) DO UPDATE SET generating_unit_id = excluded.generating_unit_id,
                state_or_province = excluded.state_or_province, first_number = excluded.first_number,
                last_number = excluded.last_number, quantity = excluded.quantity, fuel_type_code = excluded.fuel_type_code,
                attributes = excluded.attributes, corrected = excluded.corrected, last_event = excluded.last_event
            """,
            .int64(range.batch.batchNumber), .text(range.batch.generatingUnit.description), .text(range.batch.location.description),
            .int64(range.numbers.first), .int64(range.numbers.last), .int64(range.quantity), .text(attributes.fuelTypeCode),
            .bytes(attributes.protobufBytes()), .int64(corrected ? 1 : 0), .int64(event.sequence))
    }

    /// The look-up of each whole batch, on a database written the old way (`legacy`) or fed by
    /// issuance's feed, and the `batches` rows' own columns.
    static func answers(_ kind: TestDatabaseKind, legacy: Bool) async throws -> ([[Recs_Reporting_V1_SerialNumberStatus]], [String]) {
        var logger = Logger(label: "reporting-test")
        logger.logLevel = .critical
        let registry = ScriptedFeed<Recs_Registry_V1_Event> { $0.sequence }
        let issuance = ScriptedFeed<Recs_Issuance_V1_Event> { $0.sequence }
        let transfer = ScriptedFeed<Recs_Transfer_V1_Event> { $0.sequence }
        for event in Fixtures.registryEvents() { registry.append(event) }
        for event in transferEvents() { transfer.append(event) }
        if !legacy { for event in issuanceEvents() { issuance.append(event) } }
        var answers: ([[Recs_Reporting_V1_SerialNumberStatus]], [String])?
        try await withServedApplication(kind) { test in
            if legacy {
                try await test.database.migrate(Array(ReportingSchema.migrations.prefix(7)))
                try await test.database.transaction { sql in for event in Self.issuanceEvents() { try Self.writeLegacy(event, &sql) } }
            }
            return try await ReportingApplication.build(
                database: test.database, server: ServerConfiguration(port: 0),
                feeds: ReportingFeeds(registry: registry.fetch, issuance: issuance.fetch, transfer: transfer.fetch), access: .unenforced,
                logger: logger)
        } _: { application, connection, test in
            try await application.followers.catchUp()
            let client = Recs_Reporting_V1_ReportingServiceClient(connection)
            var statuses: [[Recs_Reporting_V1_SerialNumberStatus]] = []
            for text in ["99999-CA-123-1-100", "99999-CA-124-1-10", "99999-CA-125-1-5"] {
                var request = Recs_Reporting_V1_LookUpSerialNumbersRequest()
                request.serialRange = Fixtures.serialRange(text)
                statuses.append(try await client.lookUpSerialNumbers(request).statuses)
            }
            let rows = try await test.database.transaction { sql in
                try sql.query(
                    """
                    SELECT batch_number, generating_unit_id, state_or_province, first_number, last_number, quantity, fuel_type_code,
                        corrected, last_event
                    FROM batches ORDER BY batch_number
                    """
                ).map { row in row.values.map(\.description).joined(separator: " ") }
            }
            answers = (statuses, rows)
        }
        return try #require(answers)
    }

    @Test("Migration 0008: a database holding issuance's attribute bytes upgrades and answers the same look-ups",
        arguments: TestDatabaseKind.allCases)
    func upgradeAnswersTheSame(kind: TestDatabaseKind) async throws {
        let fresh = try await Self.answers(kind, legacy: false)
        let upgraded = try await Self.answers(kind, legacy: true)
        #expect(fresh.0.map { $0.map(\.attributes) } == Self.expectedAttributes.map { [$0] })
        #expect(upgraded.0 == fresh.0)
        #expect(upgraded.1 == fresh.1)
        #expect(fresh.1.count == 3)
    }

    @Test("Stored fields read back as the message they were mapped from, every field", arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await ReportingStore(database: test.database).migrate()
            let events = Self.issuanceEvents()
            let batches = try await test.database.transaction { sql in
                for event in events { try ReadModels.apply(event, &sql) }
                return try [123, 124, 125].map { try ReportingStore.batch($0, &sql) }
            }
            #expect(batches.map { $0?.fields } == Self.expectedAttributes.map(CertificateFieldsRecord.init(wire:)))
            #expect(batches.map { $0?.attributes } == Self.expectedAttributes)
            let corrected = try #require(batches.first ?? nil)
            #expect(corrected.fields.programEligibilities.count == 2)
            #expect(corrected.fields.ownershipTypes == [Recs_Common_V1_OwnershipType.investorOwnedUtility.rawValue, Recs_Common_V1_OwnershipType.tribalOrganization.rawValue, 99])
            #expect(corrected.fields.fercHydroLicense == .date(StoredDate(year: 2011, month: 2, day: 3)))
        }
    }
}
