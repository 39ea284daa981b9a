import ProtoMessages
import ServiceKit
import Storage

/// Migration 0004's transform (ADR 0010): until then issuance kept the registry's `GeneratingUnit`
/// and `Organization` bytes in `record`. Each unit's bytes are read the way they were written,
/// mapped into issuance's ``UnitRecord`` as a feed event would be, and written to the new columns;
/// then `record` goes from both tables. Organizations need nothing more: their `type` and
/// `status` columns already hold everything issuance reads.
///
/// The transform writes with ``UnitRows`` because its columns are exactly those 0004 made. A later
/// migration that changes them must first give this transform a copy of today's writer.
enum LegacyRegistryRecords {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        try RecordMigration.eachRecord(table: "units", key: "generating_unit_id", &sql) { id, bytes, sql in
            var unit = UnitRecord(registry: try Recs_Registry_V1_GeneratingUnit(protobufBytes: bytes))
            unit.id = id
            try sql.execute(UnitRows.updateStatement, binds: UnitRows.columns(unit).map(\.value))
            try UnitRows.saveLists(unit, &sql)
        }
        try sql.execute("ALTER TABLE units DROP COLUMN record")
        try sql.execute("ALTER TABLE organizations DROP COLUMN record")
    }
}
