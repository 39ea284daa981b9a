import Domain
import ProtoMessages
import ServiceKit
import Storage

/// A certificate batch as issuance keeps it (ADR 0010): its whole serial range (`unit-state-batch-1-N`,
/// ADR 0002) and every certificate field stamped on it (``CertificateFieldsRecord``). The API's
/// `CertificateBatch` is made from it where it leaves: the `batch_issued` event, the batch reads and
/// the deposit to transfer.
struct IssuedBatch: Sendable, Hashable {
    var range: CertificateSerialRange
    var fields: CertificateFieldsRecord

    var number: Int64 { range.batch.batchNumber }

    var wire: Recs_Common_V1_CertificateBatch {
        var batch = Recs_Common_V1_CertificateBatch()
        batch.batchNumber = number
        batch.serialRange = SerialRanges.proto(range)
        batch.quantity = range.quantity
        batch.attributes = fields.wire
        return batch
    }
}

/// How an ``IssuedBatch`` is kept: its `batches` row, beside the cycle, owner and deposit state that
/// issuance tracks for it, the certificate fields as columns and their eligibilities in
/// `batch_eligibilities` (``CertificateFieldsRows``).
enum IssuedBatchRows {
    static let selectList = (["batch_number", "generating_unit_id", "state_or_province", "first_certificate", "last_certificate"]
        + CertificateFieldsRows.names).joined(separator: ", ")

    static let insertStatement = RecordStatements.insert(
        "batches",
        ["batch_number", "generating_unit_id", "state_or_province", "vintage_index", "first_certificate", "last_certificate", "quantity",
            "issuance_cycle_id", "organization_id", "deposit_subaccount_id"] + CertificateFieldsRows.names)

    static func insert(
        _ batch: IssuedBatch, vintage: Vintage, cycleID: String, organizationID: String, subaccountID: String, _ sql: inout SQLTransaction
    ) throws {
        let range = batch.range
        let tracked: [SQLValue] = [
            .int64(batch.number), .text(range.batch.generatingUnit.description), .text(range.batch.location.description),
            .int64(IssuanceCodes.index(vintage)), .int64(range.numbers.first), .int64(range.numbers.last), .int64(range.quantity),
            .text(cycleID), .text(organizationID), .text(subaccountID),
        ]
        try sql.execute(insertStatement, binds: tracked + CertificateFieldsRows.columns(batch.fields).map(\.value))
        try CertificateFieldsRows.saveEligibilities(batch.fields, batch: batch.number, &sql)
    }

    /// The batch of a row selected with ``selectList``, with its eligibilities.
    static func load(_ row: SQLRow, _ sql: inout SQLTransaction) throws -> IssuedBatch {
        let number = try row.int64("batch_number")
        let range = CertificateSerialRange(
            batch: try CertificateBatchIdentity(
                generatingUnit: GeneratingUnitID(parsing: try row.string("generating_unit_id")),
                location: StateOrProvinceCode(parsing: try row.string("state_or_province")), batchNumber: number),
            numbers: try CertificateNumberRange(first: try row.int64("first_certificate"), last: try row.int64("last_certificate")))
        var fields = try CertificateFieldsRows.fields(row)
        fields.programEligibilities = try CertificateFieldsRows.eligibilities(batch: number, &sql)
        return IssuedBatch(range: range, fields: fields)
    }
}

/// Migration 0008's transform (ADR 0010): until then issuance kept each batch's `CertificateBatch`
/// bytes in `record`. The range and quantity were columns already (the same values the bytes held);
/// the certificate fields are read from the bytes as they were written and written to the columns
/// and `batch_eligibilities`; then `record` goes. It writes with ``CertificateFieldsRows`` because its
/// columns are exactly those 0007 made; a later migration that changes them must first give this
/// transform a copy of today's writer.
enum LegacyIssuedBatches {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        let update = RecordStatements.update("batches", ["batch_number"] + CertificateFieldsRows.names)
        try RecordMigration.eachNumberedRecord(table: "batches", key: "batch_number", &sql) { number, bytes, sql in
            let batch = try Recs_Common_V1_CertificateBatch(protobufBytes: bytes)
            let fields = CertificateFieldsRecord(wire: batch.attributes ?? Recs_Common_V1_CertificateAttributes())
            try sql.execute(update, binds: [.int64(number)] + CertificateFieldsRows.columns(fields).map(\.value))
            try CertificateFieldsRows.saveEligibilities(fields, batch: number, &sql)
        }
        try sql.execute("ALTER TABLE batches DROP COLUMN record")
    }
}
