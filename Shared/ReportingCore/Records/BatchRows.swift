import Domain
import ServiceKit
import Storage

/// How reporting keeps a batch issuance published (§20, ADR 0010): its identity and range in
/// `batches`, every certificate field a column beside them and the program eligibilities in
/// `batch_eligibilities` (``CertificateFieldsRows``). Issuance's `CertificateAttributes` is mapped
/// on arrival and made again only when a look-up answers.
enum BatchRows {
    static let columns = ["batch_number", "generating_unit_id", "state_or_province", "first_number", "last_number", "quantity"]
        + CertificateFieldsRows.names + ["corrected", "last_event"]
    static let upsert = RecordStatements.upsert("batches", columns)

    /// Inserts or replaces the batch; a correction replaces every field (§13.1).
    static func save(
        _ range: CertificateSerialRange, fields: CertificateFieldsRecord, corrected: Bool, sequence: Int64, _ sql: inout SQLTransaction
    ) throws {
        let identity: [SQLValue] = [
            .int64(range.batch.batchNumber), .text(range.batch.generatingUnit.description), .text(range.batch.location.description),
            .int64(range.numbers.first), .int64(range.numbers.last), .int64(range.quantity),
        ]
        try sql.execute(
            upsert,
            binds: identity + CertificateFieldsRows.columns(fields).map(\.value) + [.int64(corrected ? 1 : 0), .int64(sequence)])
        try CertificateFieldsRows.saveEligibilities(fields, batch: range.batch.batchNumber, &sql)
    }
}
