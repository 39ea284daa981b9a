/// A value bound to a statement parameter or read from a column: the few types the registry stores.
///
/// Both databases see the same five types. On SQLite a `Bool` is stored as the integer 0 or 1 (SQLite
/// has no boolean type); reading it back with ``SQLRow/bool(_:)`` works on both.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case int64(Int64)
    case text(String)
    case bool(Bool)
    case bytes([UInt8])

    public static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.int64) ?? .null }
    public static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    public static func optional(_ value: Bool?) -> SQLValue { value.map(SQLValue.bool) ?? .null }
    public static func optional(_ value: [UInt8]?) -> SQLValue { value.map(SQLValue.bytes) ?? .null }

    public var isNull: Bool { self == .null }

    public var description: String {
        switch self {
        case .null: "NULL"
        case .int64(let value): String(value)
        case .text(let value): "'\(value)'"
        case .bool(let value): value ? "TRUE" : "FALSE"
        case .bytes(let value): "<\(value.count) bytes>"
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .int64: "integer"
        case .text: "text"
        case .bool: "boolean"
        case .bytes: "bytes"
        }
    }
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// One row of a query result, with typed access by column name.
///
/// A column that is missing or holds another type is a `typeMismatch` error rather than a crash:
/// the schema is trusted, but a service must not die because one row surprised it.
public struct SQLRow: Sendable, Hashable {
    /// Column names in order, shared by all rows of one result.
    public let columns: [String]
    public let values: [SQLValue]

    init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count)
        self.columns = columns
        self.values = values
    }

    /// The value of `column`, or nil if the row has no such column.
    public subscript(_ column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    public func value(_ column: String) throws(StorageError) -> SQLValue {
        guard let index = columns.firstIndex(of: column) else {
            throw StorageError(.typeMismatch, StorageError.standardMessage(.typeMismatch), cause: "no column \(column) in result")
        }
        return values[index]
    }

    public func int64(_ column: String) throws(StorageError) -> Int64 {
        guard let value = try optionalInt64(column) else { throw mismatch(column, expected: "integer", found: .null) }
        return value
    }

    public func optionalInt64(_ column: String) throws(StorageError) -> Int64? {
        switch try value(column) {
        case .null: return nil
        case .int64(let value): return value
        case let other: throw mismatch(column, expected: "integer", found: other)
        }
    }

    public func string(_ column: String) throws(StorageError) -> String {
        guard let value = try optionalString(column) else { throw mismatch(column, expected: "text", found: .null) }
        return value
    }

    public func optionalString(_ column: String) throws(StorageError) -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let value): return value
        case let other: throw mismatch(column, expected: "text", found: other)
        }
    }

    public func bool(_ column: String) throws(StorageError) -> Bool {
        guard let value = try optionalBool(column) else { throw mismatch(column, expected: "boolean", found: .null) }
        return value
    }

    /// Accepts PostgreSQL booleans and SQLite's 0 and 1.
    public func optionalBool(_ column: String) throws(StorageError) -> Bool? {
        switch try value(column) {
        case .null: return nil
        case .bool(let value): return value
        case .int64(0): return false
        case .int64(1): return true
        case let other: throw mismatch(column, expected: "boolean", found: other)
        }
    }

    public func bytes(_ column: String) throws(StorageError) -> [UInt8] {
        guard let value = try optionalBytes(column) else { throw mismatch(column, expected: "bytes", found: .null) }
        return value
    }

    public func optionalBytes(_ column: String) throws(StorageError) -> [UInt8]? {
        switch try value(column) {
        case .null: return nil
        case .bytes(let value): return value
        case let other: throw mismatch(column, expected: "bytes", found: other)
        }
    }

    private func mismatch(_ column: String, expected: String, found: SQLValue) -> StorageError {
        StorageError(
            .typeMismatch, StorageError.standardMessage(.typeMismatch),
            cause: "column \(column): expected \(expected), found \(found.typeName)")
    }
}

/// What a statement produced: rows (possibly none) and the number of rows it changed.
struct SQLResult: Sendable {
    var columns: [String] = []
    var rows: [SQLRow] = []
    var rowsAffected: Int64 = 0
    /// SQLite's virtual machine steps for the statement, triggers included (nil on PostgreSQL): a
    /// count of the work done, which does not depend on the machine's speed.
    var steps: Int64?
}
