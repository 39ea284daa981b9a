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

/// ADR 0010: issuance keeps its own record of the registry's units and organizations, mapped from
/// the feed on arrival; databases that stored the registry's message bytes are converted by
/// migration 0004 and answer as before.
@Suite("issuance unit records")
struct UnitRecordStorageTests {
    /// A unit with every field issuance keeps set away from its default, one verified and one
    /// unverified eligibility, two fuels; single-fuel when `fuels` is 1 so a cycle can issue.
    static func unit(fuels: Int = 1) -> Recs_Registry_V1_GeneratingUnit {
        var data = Recs_Registry_V1_GeneratingUnitStaticData()
        data.name = "Sunny Acres 1"
        data.facilityName = "Sunny Acres"
        data.facilityCounty = "Kern"
        data.stateOrProvince = "CA"
        data.country = "US"
        data.generationTechnology = "Photovoltaic"
        var solar = Recs_Registry_V1_UnitFuel()
        solar.fuelTypeCode = "SO1"
        solar.fuelSourceCodes = ["sun", "pv"]
        var wind = Recs_Registry_V1_UnitFuel()
        wind.fuelTypeCode = "WND"
        wind.fuelSourceCodes = ["wnd1"]
        data.fuels = fuels == 1 ? [solar] : [solar, wind]
        data.multiFuel = fuels > 1
        data.commencedOperationOn = StoredDate(year: 2020, month: 6, day: 1).proto
        data.nameplateCapacityWatts = 2_000_000
        data.capacityFactorPartsPerMillion = 250_000
        data.facilityOperator = "Sunny Ops"
        var classification = Recs_Registry_V1_ClassificationCharacteristics()
        classification.siting = .customerSitedDistributedGeneration
        data.classification = classification
        data.weccRegionDeclared = true
        data.interconnectingUtility = "PG&E"
        data.qualifyingFacility = true
        data.ownershipTypes = [.investorOwnedUtility, .municipalUtility]
        data.californiaSupplementalPaymentReceived = true
        data.publicBenefitFundSupport = true
        data.federalTaxCredits = .yes
        data.repowered = .no
        data.repoweredOn = StoredDate(year: 2022, month: 2, day: 28).proto
        data.californiaQualifyingFacilityClaimsNonRenewable = .no
        var unit = Recs_Registry_V1_GeneratingUnit()
        unit.generatingUnitId = "W1"
        unit.organizationId = "A1"
        unit.status = .approved
        unit.staticData = data
        unit.unitClass = .b
        unit.depositSubaccountId = "1234ABCD-55ZZ"
        var designation = Recs_Registry_V1_ReportingEntityDesignation()
        designation.type = .qualifiedReportingEntity
        designation.reportingEntityOrganizationId = "A2"
        designation.reportingEntityUnitId = "SUNNY-1"
        unit.reportingEntity = designation
        var verified = Recs_Common_V1_ProgramEligibility()
        verified.programCode = "CA"
        verified.eligible = true
        verified.certificationNumber = "60123A"
        var goodThrough = Recs_Common_V1_Vintage()
        goodThrough.year = 2030
        goodThrough.month = 12
        verified.goodThrough = goodThrough
        verified.supplementalPaymentReceived = .no
        verified.supplementalEnergyPaymentEligible = .yes
        verified.repowered = .no
        verified.verified = true
        verified.effectiveAt = IssuanceCodes.timestamp(unixSeconds: 1_700_000_000)
        var unverified = Recs_Common_V1_ProgramEligibility()
        unverified.programCode = "OR"
        unverified.fuelTypeCode = "SO1"
        unverified.eligible = true
        unit.eligibilities = [verified, unverified]
        return unit
    }

    static func organization(_ id: String, _ type: Recs_Common_V1_OrganizationType) -> Recs_Registry_V1_Organization {
        var organization = Recs_Registry_V1_Organization()
        organization.organizationId = id
        organization.name = "Organization \(id)"
        organization.type = type
        organization.status = .active
        return organization
    }

    static let organizations = [organization("A1", .accountHolder), organization("A2", .qualifiedReportingEntity)]

    static func stored(_ id: String, _ sql: inout SQLTransaction) throws -> StoredUnit? {
        guard let row = try sql.queryFirst("SELECT \(UnitRows.selectList) FROM units WHERE generating_unit_id = $1", .text(id))
        else { return nil }
        return try UnitRows.load(row, &sql)
    }

    static func event(_ payload: Recs_Registry_V1_Event.OneOf_Payload) -> Recs_Registry_V1_Event {
        var event = Recs_Registry_V1_Event()
        event.payload = payload
        return event
    }

    @Test("A unit from the feed is stored as issuance's record and reads back equal; a later event replaces its lists",
        arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await IssuanceStore(database: test.database).migrate()
            let multiFuel = Self.unit(fuels: 2)
            let (first, second) = try await test.database.transaction { sql in
                try RegistryFeed.apply(&sql, Self.event(.generatingUnit(multiFuel)))
                let first = try Self.stored("W1", &sql)
                try sql.execute("UPDATE units SET carried_kwh = 400, balance_kwh = 9000 WHERE generating_unit_id = 'W1'")
                try RegistryFeed.apply(&sql, Self.event(.generatingUnit(Self.unit())))
                return (first, try Self.stored("W1", &sql))
            }
            let record = try #require(first?.record)
            #expect(record == UnitRecord(registry: multiFuel))
            // Only what issuance uses: verified eligibility, the siting as a flag, enum numbers.
            #expect(record.verifiedEligibilities.map(\.programCode) == ["CA"])
            #expect(record.verifiedEligibilities.first?.stamped.wire == multiFuel.eligibilities[0])
            #expect(record.facility.customerSitedDistributedGeneration)
            #expect(record.facility.ownershipTypes == [2, 3])
            #expect(record.facility.commencedOperationOn?.proto == multiFuel.staticData?.commencedOperationOn)
            #expect(record.fuels.map(\.typeCode) == ["SO1", "WND"] && record.fuels[0].sourceCodes == ["sun", "pv"])
            #expect(record.status == .approved && record.unitClass == .b)
            // The second event replaced the record (one fuel now) and kept issuance's own figures.
            #expect(second?.record == UnitRecord(registry: Self.unit()))
            #expect(second?.record.fuels.count == 1)
            #expect(second?.carriedKilowattHours == 400 && second?.balanceKilowattHours == 9_000)
        }
    }

    @Test("An organization from the feed keeps its kind and status", arguments: TestDatabaseKind.allCases)
    func organizationRoundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await IssuanceStore(database: test.database).migrate()
            let store = IssuanceStore(database: test.database)
            try await test.database.transaction { sql in
                try RegistryFeed.apply(&sql, Self.event(.organization(Self.organization("A2", .qualifiedReportingEntity))))
            }
            let organization = try await store.read { transaction in try transaction.organization("A2") }
            #expect(organization == OrganizationRecord(id: "A2", kind: .qualifiedReportingEntity, status: .active))
        }
    }

    // MARK: upgrade

    /// What issuance wrote before migration 0004: the registry's message bytes in `record` beside
    /// the columns, as `RegistryFeed` did at 6b25df2.
    static func writeLegacy(_ database: any Database) async throws {
        try await database.migrate(Array(IssuanceSchema.migrations.prefix(3)))
        let unit = Self.unit()
        try await database.transaction { sql in
            for organization in Self.organizations {
                try sql.execute(
                    "INSERT INTO organizations (organization_id, type, status, record) VALUES ($1, $2, $3, $4)",
                    .text(organization.organizationId),
                    .text(organization.type == .accountHolder ? "account_holder" : "qualified_reporting_entity"), .text("active"),
                    .bytes(organization.protobufBytes()))
            }
            try sql.execute(
                """
                INSERT INTO units (generating_unit_id, organization_id, status, unit_class, state_or_province, deposit_subaccount_id,
                    reporting_entity_organization_id, reporting_entity_unit_id, record)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                .text(unit.generatingUnitId), .text(unit.organizationId), .text("approved"), .text("B"), .text("CA"),
                .text(unit.depositSubaccountId), .text("A2"), .text("SUNNY-1"), .bytes(unit.protobufBytes()))
        }
    }

    struct Answers: Equatable {
        var upload: Recs_Issuance_V1_GenerationUpload?
        var cycle: Recs_Issuance_V1_IssuanceCycle?
        var batch: Recs_Common_V1_CertificateBatch?
        var log: [Recs_Issuance_V1_ActivityLogEntry]
    }

    /// An upload and a cycle for the unit, on a database written the old way (`legacy`) or fed the
    /// same unit and organizations by the registry's feed.
    static func answers(_ kind: TestDatabaseKind, legacy: Bool) async throws -> Answers {
        var logger = Logger(label: "issuance-test")
        logger.logLevel = .critical
        let registry = FakeRegistry()
        if !legacy {
            for organization in organizations { registry.publish("CreateOrganization", .organization(organization)) }
            registry.publish("DesignateReportingEntity", .generatingUnit(unit()))
        }
        let clock = ManualClock("2026-03-05")
        var answers: Answers?
        try await withServedApplication(kind) { test in
            if legacy { try await writeLegacy(test.database) }
            return try await IssuanceApplication.build(
                database: test.database, server: ServerConfiguration(port: 0), registry: registry.fetch, transfer: FakeDepositor(),
                access: .unenforced, logger: logger, clock: clock.service)
        } _: { _, connection, _ in
            let client = Recs_Issuance_V1_IssuanceServiceClient(connection)
            let upload = try await client.uploadGenerationFile(
                Requests.upload("upload-jan", lines: ["SUNNY-1,01/2026,01/01/2026,01/31/2026,100.5"])
            ).upload
            let cycle = try await client.runIssuanceCycle(Requests.cycle("cycle-jan", year: 2026, month: 1)).cycle
            answers = Answers(
                upload: upload, cycle: cycle, batch: try await client.batch(1),
                log: try await client.getGenerationActivityLog(Requests.log("W1")).entries)
        }
        return try #require(answers)
    }

    @Test("Migration 0004: a database holding the registry's unit bytes upgrades and issues the same certificates",
        arguments: TestDatabaseKind.allCases)
    func upgradeServesTheSameAnswers(kind: TestDatabaseKind) async throws {
        let fresh = try await Self.answers(kind, legacy: false)
        let upgraded = try await Self.answers(kind, legacy: true)
        // The unit was known and issued: the comparison is not between two refusals.
        #expect(fresh.cycle?.certificatesIssued == 100)
        #expect(fresh.batch?.attributes?.programEligibilities.map(\.programCode) == ["CA"])
        #expect(fresh.batch?.attributes?.ownershipTypes == [.investorOwnedUtility, .municipalUtility])
        #expect(upgraded == fresh)
    }

    @Test("Migration 0004 converts every stored unit and drops the message bytes", arguments: TestDatabaseKind.allCases)
    func upgradeConvertsRows(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await Self.writeLegacy(test.database)
            let applied = try await IssuanceStore(database: test.database).migrate()
            #expect(
                applied == [
                    "0004-issuance-own-unit-records", "0005-issuance-principal-user-records", "0006-issuance-program-access",
                    "0007-issuance-upload-reports",
                    "0008-issuance-own-batch-records", "0009-issuance-own-cycle-and-log-records",
                    "0010-issuance-own-posted-generation-records",
                ])
            let unit = try await test.database.transaction { sql in try Self.stored("W1", &sql) }
            #expect(unit?.record == UnitRecord(registry: Self.unit()))
            // No `record` column is left to write: a feed event inserts the columns alone.
            try await test.database.transaction { sql in
                try RegistryFeed.apply(&sql, Self.event(.organization(Self.organization("A3", .qualifiedReportingEntity))))
            }
            await #expect(throws: StorageError.self) {
                try await test.database.transaction { sql in _ = try sql.query("SELECT record FROM units") }
            }
        }
    }
}
