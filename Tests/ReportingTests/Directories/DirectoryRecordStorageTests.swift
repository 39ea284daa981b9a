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

/// ADR 0010: reporting keeps its own records of the registry's organizations and units; databases
/// that stored the registry's message bytes are converted by migration 0005 and list as before.
@Suite("reporting directory records")
struct DirectoryRecordStorageTests {
    /// The fixtures' registry events plus an account holder with a full postal address and a QRE
    /// without contact information, so every presence case of the contact is covered.
    static func events() -> [Recs_Registry_V1_Event] {
        var addressed = Fixtures.organization("A5", "Addressed Co")
        var address = Recs_Common_V1_PostalAddress()
        address.lines = ["1 Solar Way", "Suite 2"]
        address.city = "Bakersfield"
        address.stateOrProvince = "CA"
        address.postalCode = "93301"
        address.country = "US"
        addressed.contact?.address = address
        addressed.contact?.telephone = "+1 555 0100"
        addressed.contact?.website = "https://addressed.example.org"
        var silent = Fixtures.organization("A6", "Silent QRE", type: .qualifiedReportingEntity)
        silent.contact = nil
        var unit = Fixtures.unit("77777", organization: "A5", status: .approved, fuels: [Fixtures.fuel("SO1", ["SUN"])])
        unit.staticData?.ownershipTypes = [.municipalUtility, .tribalOrganization]
        unit.staticData?.commencedOperationOn = nil
        return Fixtures.registryEvents() + [
            Fixtures.registryEvent(8, .organization(addressed)), Fixtures.registryEvent(9, .organization(silent)),
            Fixtures.registryEvent(10, .generatingUnit(unit)),
        ]
    }

    /// What reporting wrote for a registry event before migration 0005 (`ReadModels` at 6b25df2):
    /// the message bytes in `record` beside the columns.
    static func writeLegacy(_ event: Recs_Registry_V1_Event, _ sql: inout SQLTransaction) throws {
        switch event.payload {
        case .organization(let organization)?:
            try sql.execute(
                """
                INSERT INTO organizations (organization_id, name, type, status, record, last_event) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (organization_id) DO UPDATE SET name = excluded.name, type = excluded.type, status = excluded.status,
                    record = excluded.record, last_event = excluded.last_event
                """,
                .text(organization.organizationId), .text(organization.name), .int64(Int64(organization.type.rawValue)),
                .int64(Int64(organization.status.rawValue)), .bytes(organization.protobufBytes()), .int64(event.sequence))
            for subaccount in organization.subaccounts {
                try sql.execute(
                    "INSERT INTO subaccounts (subaccount_id, organization_id, kind) VALUES ($1, $2, $3)", .text(subaccount.subaccountId),
                    .text(organization.organizationId), .int64(Int64(subaccount.kind.rawValue)))
            }
        case .generatingUnit(let unit)?:
            let data = unit.staticData ?? Recs_Registry_V1_GeneratingUnitStaticData()
            try sql.execute("DELETE FROM generating_unit_fuels WHERE generating_unit_id = $1", .text(unit.generatingUnitId))
            try sql.execute("DELETE FROM generating_units WHERE generating_unit_id = $1", .text(unit.generatingUnitId))
            try sql.execute(
                """
                INSERT INTO generating_units (generating_unit_id, organization_id, status, name, facility_name, state_or_province,
                    facility_county, multi_fuel, nameplate_capacity_watts, commenced_operation_on, unit_class,
                    reporting_entity_organization_id, reporting_entity_unit_id, record, last_event)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                """,
                .text(unit.generatingUnitId), .text(unit.organizationId), .int64(Int64(unit.status.rawValue)), .text(data.name),
                .text(data.facilityName), .text(data.stateOrProvince.uppercased()), .text(data.facilityCounty),
                .int64(data.multiFuel ? 1 : 0), .int64(data.nameplateCapacityWatts),
                .text(data.commencedOperationOn.map { StoredDate($0).column } ?? ""), .int64(Int64(unit.unitClass.rawValue)),
                .text(unit.reportingEntity?.reportingEntityOrganizationId ?? ""), .text(unit.reportingEntity?.reportingEntityUnitId ?? ""),
                .bytes(unit.protobufBytes()), .int64(event.sequence))
            for (position, fuel) in data.fuels.enumerated() where !fuel.fuelTypeCode.isEmpty {
                try sql.execute(
                    "INSERT INTO generating_unit_fuels (generating_unit_id, position, fuel_type_code, fuel_source_codes) VALUES ($1, $2, $3, $4)",
                    .text(unit.generatingUnitId), .int64(Int64(position)), .text(fuel.fuelTypeCode),
                    .text(fuel.fuelSourceCodes.joined(separator: ",")))
            }
        default:
            break
        }
    }

    struct Directories: Equatable {
        var generators: [Recs_Reporting_V1_GeneratorListing]
        var holders: [Recs_Reporting_V1_AccountHolderListing]
    }

    /// Both directories, on a database written the old way (`legacy`) or fed by the registry's feed.
    static func directories(_ kind: TestDatabaseKind, legacy: Bool) async throws -> Directories {
        var logger = Logger(label: "reporting-test")
        logger.logLevel = .critical
        let registry = ScriptedFeed<Recs_Registry_V1_Event> { $0.sequence }
        let empty = ScriptedFeed<Recs_Issuance_V1_Event> { $0.sequence }
        let transfer = ScriptedFeed<Recs_Transfer_V1_Event> { $0.sequence }
        if !legacy { for event in events() { registry.append(event) } }
        var directories: Directories?
        try await withServedApplication(kind) { test in
            if legacy {
                try await test.database.migrate(Array(ReportingSchema.migrations.prefix(4)))
                try await test.database.transaction { sql in for event in Self.events() { try Self.writeLegacy(event, &sql) } }
            }
            return try await ReportingApplication.build(
                database: test.database, server: ServerConfiguration(port: 0),
                feeds: ReportingFeeds(registry: registry.fetch, issuance: empty.fetch, transfer: transfer.fetch), access: .unenforced,
                logger: logger)
        } _: { application, connection, _ in
            try await application.followers.catchUp()
            let client = Recs_Reporting_V1_ReportingServiceClient(connection)
            directories = Directories(
                generators: try await client.listActiveGenerators(Recs_Reporting_V1_ListActiveGeneratorsRequest()).generators,
                holders: try await client.listActiveAccountHolders(Recs_Reporting_V1_ListActiveAccountHoldersRequest()).accountHolders)
        }
        return try #require(directories)
    }

    @Test("Migration 0005: a database holding the registry's message bytes upgrades and lists the same directories",
        arguments: TestDatabaseKind.allCases)
    func upgradeListsTheSame(kind: TestDatabaseKind) async throws {
        let fresh = try await Self.directories(kind, legacy: false)
        let upgraded = try await Self.directories(kind, legacy: true)
        #expect(fresh.generators.map(\.generatingUnitId) == ["77777", "99999", "99999"])
        #expect(fresh.holders.map(\.organizationId) == ["A1", "A2", "A3", "A5", "A6"])
        #expect(fresh.holders.first { $0.organizationId == "A5" }?.contact?.address?.lines == ["1 Solar Way", "Suite 2"])
        #expect(fresh.holders.first { $0.organizationId == "A6" }?.contact == nil)
        #expect(upgraded == fresh)
    }

    @Test("A record stored from the feed reads back equal to the feed's message mapped", arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await ReportingStore(database: test.database).migrate()
            let events = Self.events()
            let (organizations, generators) = try await test.database.transaction { sql in
                for event in events { try ReadModels.apply(event, &sql) }
                let organizations = try sql.query(
                    "SELECT \(DirectoryRows.organizationColumns.joined(separator: ", ")) FROM organizations ORDER BY organization_id"
                ).map { try DirectoryRows.organization($0, &sql) }
                let generators = try sql.query(
                    "SELECT \(DirectoryRows.generatorColumns.joined(separator: ", ")) FROM generating_units ORDER BY generating_unit_id"
                ).map(DirectoryRows.generator)
                return (organizations, generators)
            }
            let latest = Dictionary(events.compactMap { event -> (String, OrganizationRecord)? in
                guard case .organization(let organization)? = event.payload else { return nil }
                return (organization.organizationId, OrganizationRecord(registry: organization))
            }, uniquingKeysWith: { $1 })
            #expect(organizations == latest.keys.sorted().compactMap { latest[$0] })
            var units: [String: GeneratorRecord] = [:]
            for event in events {
                guard case .generatingUnit(let unit)? = event.payload else { continue }
                var record = GeneratorRecord(registry: unit)
                record.fuels = []  // read by the directory's join, not by the row
                units[unit.generatingUnitId] = record
            }
            #expect(generators == units.keys.sorted().compactMap { units[$0] })
            #expect(generators.first?.ownershipTypes == [3, 9] && generators.first?.commencedOperationOn == nil)
        }
    }
}
