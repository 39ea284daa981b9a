import Storage

/// What the migrations that move a table off stored message bytes share (ADR 0010).
public enum RecordMigration {
    /// Rows read per query: the pages keep memory flat on a large table.
    public static let rowsPerPageMax: Int64 = 500

    /// Calls `body` with each row's text key and its `column` bytes (`record` unless named), in key
    /// order, a page at a time.
    public static func eachRecord(
        table: String, key: String, column: String = "record", _ sql: inout SQLTransaction,
        _ body: (_ key: String, _ bytes: [UInt8], inout SQLTransaction) throws -> Void
    ) throws {
        try pages(table: table, key: key, column: column, from: .text(""), &sql) { row, sql in
            let id = try row.string(key)
            try body(id, try row.bytes(column), &sql)
            return .text(id)
        }
    }

    /// Calls `body` with each row's number key (at least 1) and its `column` bytes, in key order, a
    /// page at a time.
    public static func eachNumberedRecord(
        table: String, key: String, column: String = "record", _ sql: inout SQLTransaction,
        _ body: (_ key: Int64, _ bytes: [UInt8], inout SQLTransaction) throws -> Void
    ) throws {
        try pages(table: table, key: key, column: column, from: .int64(0), &sql) { row, sql in
            let number = try row.int64(key)
            try body(number, try row.bytes(column), &sql)
            return .int64(number)
        }
    }

    /// Pages through the rows after `from`; `visit` handles one row and returns its key.
    static func pages(
        table: String, key: String, column: String, from: SQLValue, _ sql: inout SQLTransaction,
        _ visit: (SQLRow, inout SQLTransaction) throws -> SQLValue
    ) throws {
        var after = from
        while true {
            let rows = try sql.query(
                "SELECT \(key), \(column) FROM \(table) WHERE \(key) > $1 ORDER BY \(key) LIMIT $2", after, .int64(rowsPerPageMax))
            for row in rows { after = try visit(row, &sql) }
            guard rows.count == Int(rowsPerPageMax) else { return }
        }
    }
}
