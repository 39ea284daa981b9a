import Storage

/// What the migrations that move a table off stored message bytes share (ADR 0010).
public enum RecordMigration {
    /// Rows read per query: the pages keep memory flat on a large table.
    public static let rowsPerPageMax: Int64 = 500

    /// Calls `body` with each row's key and its `record` bytes, in key order, a page at a time.
    public static func eachRecord(
        table: String, key: String, _ sql: inout SQLTransaction,
        _ body: (_ key: String, _ bytes: [UInt8], inout SQLTransaction) throws -> Void
    ) throws {
        var after = ""
        while true {
            let rows = try sql.query(
                "SELECT \(key), record FROM \(table) WHERE \(key) > $1 ORDER BY \(key) LIMIT $2", .text(after), .int64(rowsPerPageMax))
            for row in rows { try body(try row.string(key), try row.bytes("record"), &sql) }
            guard let last = rows.last, rows.count == Int(rowsPerPageMax) else { return }
            after = try last.string(key)
        }
    }
}
