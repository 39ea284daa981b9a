import ProtoMessages
import ServiceKit
import Storage

/// Migration 0005's transform (ADR 0010): until then reporting kept the registry's `Organization`
/// and `GeneratingUnit` bytes in `record`. Each row's bytes are read the way they were written,
/// mapped into reporting's record as a feed event would be, and written to the columns (the fuel
/// table is rewritten too, which changes nothing for rows written by the same mapping); then
/// `record` goes from both tables.
///
/// The transform writes with ``DirectoryRows`` because its columns are exactly those 0005 made. A
/// later migration that changes them must first give this transform a copy of today's writer.
enum LegacyDirectoryRecords {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        let organizationUpdate = RecordStatements.update("organizations", DirectoryRows.organizationColumns)
        try RecordMigration.eachRecord(table: "organizations", key: "organization_id", &sql) { id, bytes, sql in
            var organization = OrganizationRecord(registry: try Recs_Registry_V1_Organization(protobufBytes: bytes))
            organization.id = id
            try sql.execute(organizationUpdate, binds: DirectoryRows.columns(organization).map(\.value))
            try DirectoryRows.saveAddressLines(organization, &sql)
        }
        let unitUpdate = RecordStatements.update("generating_units", DirectoryRows.generatorColumns)
        try RecordMigration.eachRecord(table: "generating_units", key: "generating_unit_id", &sql) { id, bytes, sql in
            var unit = GeneratorRecord(registry: try Recs_Registry_V1_GeneratingUnit(protobufBytes: bytes))
            unit.id = id
            try sql.execute(unitUpdate, binds: DirectoryRows.columns(unit).map(\.value))
            try DirectoryRows.saveFuels(unit, &sql)
        }
        try sql.execute("ALTER TABLE organizations DROP COLUMN record")
        try sql.execute("ALTER TABLE generating_units DROP COLUMN record")
    }
}
