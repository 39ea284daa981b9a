import ProtoMessages
import ServiceKit
import Storage

/// Migration 0008's transform (ADR 0010): until then reporting kept issuance's
/// `CertificateAttributes` bytes of each batch in `attributes`. Each row's bytes are read the way
/// they were written, mapped into the record as a `batch_issued` event would be, and written to the
/// columns and `batch_eligibilities`; then `attributes` goes.
///
/// The transform writes with ``CertificateFieldsRows`` because its columns are exactly those 0008
/// made. A later migration that changes them must first give this transform a copy of today's writer.
enum LegacyBatchAttributes {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        let update = RecordStatements.update("batches", ["batch_number"] + CertificateFieldsRows.names)
        try RecordMigration.eachNumberedRecord(table: "batches", key: "batch_number", column: "attributes", &sql) { number, bytes, sql in
            let fields = CertificateFieldsRecord(wire: try Recs_Common_V1_CertificateAttributes(protobufBytes: bytes))
            try sql.execute(update, binds: [.int64(number)] + CertificateFieldsRows.columns(fields).map(\.value))
            try CertificateFieldsRows.saveEligibilities(fields, batch: number, &sql)
        }
        try sql.execute("ALTER TABLE batches DROP COLUMN attributes")
    }
}
