import CLibPQ
import Foundation

/// One libpq connection with its own serial queue. Only that queue touches `handle`.
final class PostgresConnection: SQLConnection, @unchecked Sendable {
    private var handle: OpaquePointer?
    let queue: ConnectionQueue
    var transactionAborted = false
    private(set) var isBroken = false
    var dialect: SQLDialect { .postgres }
    /// Server-side prepared statements of this connection, by statement text and parameter types:
    /// a statement the registry runs again is parsed and planned once per connection, as SQLite's
    /// connections keep theirs (``StorageLimits/postgresCachedStatementsMax``).
    private var prepared: [PreparedKey: String] = [:]
    private var preparedNumber = 0

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [Oid]
    }

    // Type OIDs (pg_type.h), used to type parameters and to read results.
    private enum OID {
        static let bool: Oid = 16
        static let bytea: Oid = 17
        static let int8: Oid = 20
        static let int2: Oid = 21
        static let int4: Oid = 23
        static let text: Oid = 25
        static let oid: Oid = 26
        static let numeric: Oid = 1_700
        /// Lets the server infer the type from the context (used for NULL).
        static let unspecified: Oid = 0
    }

    /// Connects; blocks, so call it on `queue`.
    private init(url: String, queue: ConnectionQueue) throws(StorageError) {
        self.queue = queue
        // Our defaults first, then the URL (`expand_dbname`), whose values win.
        let keywords: [String?] = ["connect_timeout", "dbname"]
        let values: [String?] = [String(StorageLimits.connectTimeoutSeconds), url]
        // Both arrays end with NULL, as libpq expects.
        let connection = Self.withOptionalCStrings(keywords + [nil]) { keywordPointers in
            Self.withOptionalCStrings(values + [nil]) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let text = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(connection)
            throw StorageError(.connectionFailed, StorageError.standardMessage(.connectionFailed), cause: text)
        }
        // Notices (e.g. "extension already exists, skipping") would go to stderr; they carry nothing
        // the caller needs.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        do {
            _ = try execute("SET statement_timeout = \(StorageLimits.statementDurationMillisecondsMax)", [])
            _ = try execute("SET client_encoding = 'UTF8'", [])
        } catch {
            close()
            throw error
        }
    }

    /// Opens a connection on a new queue of its own.
    static func connect(url: String) async throws(StorageError) -> PostgresConnection {
        let queue = ConnectionQueue(label: "recs.storage.postgres")
        do {
            return try await queue.run { try PostgresConnection(url: url, queue: queue) }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.connectionFailed, StorageError.standardMessage(.connectionFailed), cause: "\(error)")
        }
    }

    /// Checks a URL without connecting.
    static func checkURL(_ url: String) throws(StorageError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let options = PQconninfoParse(url, &errorMessage)
        defer {
            if let options { PQconninfoFree(options) }
            if let errorMessage { PQfreemem(errorMessage) }
        }
        guard options != nil else {
            let text = errorMessage.map { String(cString: $0) } ?? "invalid"
            throw StorageError(.invalidConfiguration, "the PostgreSQL URL is not valid", cause: text)
        }
    }

    deinit { close() }

    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        isBroken = true
    }

    func begin() throws(StorageError) {
        // SERIALIZABLE: every transaction behaves as if it ran alone, as on SQLite; a conflict is a
        // 40001 error that the caller retries (docs/decisions/0004-ledger.md).
        _ = try execute("BEGIN ISOLATION LEVEL SERIALIZABLE", [])
    }

    func commit() throws(StorageError) {
        _ = try execute("COMMIT", [])
    }

    func rollback() {
        guard let handle, !isBroken else { return }
        // Outside a transaction this only raises a warning, which the notice processor drops.
        if let result = PQexec(handle, "ROLLBACK") { PQclear(result) }
        if PQstatus(handle) != CONNECTION_OK { isBroken = true }
    }

    func execute(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> SQLResult {
        guard let handle, !isBroken else { throw StorageError(.connectionFailed, StorageError.standardMessage(.connectionFailed)) }
        let used = ParameterScanner.parameterNumbers(in: sql)
        guard used == Set(binds.indices.map { $0 + 1 }) else {
            throw StorageError(
                .statementFailed, StorageError.standardMessage(.statementFailed),
                cause: "statement uses parameters \(used.sorted()), \(binds.count) values given: \(sql)")
        }
        var types: [Oid] = []
        var texts: [String?] = []
        for value in binds {
            switch value {
            case .null:
                types.append(OID.unspecified)
                texts.append(nil)
            case .int64(let number):
                types.append(OID.int8)
                texts.append(String(number))
            case .text(let text):
                types.append(OID.text)
                texts.append(text)
            case .bool(let flag):
                types.append(OID.bool)
                texts.append(flag ? "t" : "f")
            case .bytes(let bytes):
                types.append(OID.bytea)
                texts.append("\\x" + Self.hex(bytes))
            }
        }
        let name = try preparedName(sql, types, handle)
        let result: OpaquePointer? = Self.withOptionalCStrings(texts) { values in
            if let name {
                PQexecPrepared(handle, name, Int32(binds.count), values, nil, nil, 0)
            } else {
                PQexecParams(handle, sql, Int32(binds.count), types, values, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        guard let result else {
            throw connectionError(handle)
        }
        if name == nil, Self.changesSchema(sql) {
            // A statement prepared before a table changed may no longer fit it: prepare afresh.
            prepared = [:]
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return SQLResult(rowsAffected: Self.rowsAffected(result))
        case PGRES_TUPLES_OK:
            return try rows(result)
        default:
            if PQstatus(handle) != CONNECTION_OK { throw connectionError(handle) }
            let error = Self.error(result, sql: sql)
            if name != nil, error.code == .serializationFailure, error.cause?.contains("cached plan") == true {
                // Another connection changed a table under a statement prepared here (a
                // migration): forget them all; the transaction is retried and prepares afresh.
                prepared = [:]
            }
            throw error
        }
    }

    /// The name of the prepared statement for `sql` with these parameter types, preparing it the
    /// first time; nil for a statement run unprepared (schema changes, transaction control, or a
    /// full cache).
    private func preparedName(_ sql: String, _ types: [Oid], _ handle: OpaquePointer) throws(StorageError) -> String? {
        let key = PreparedKey(sql: sql, types: types)
        if let name = prepared[key] { return name }
        guard prepared.count < StorageLimits.postgresCachedStatementsMax, Self.isPreparable(sql) else { return nil }
        preparedNumber += 1
        let name = "recs_\(preparedNumber)"
        guard let result = PQprepare(handle, name, sql, Int32(types.count), types) else { throw connectionError(handle) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            if PQstatus(handle) != CONNECTION_OK { throw connectionError(handle) }
            throw Self.error(result, sql: sql)
        }
        prepared[key] = name
        return name
    }

    /// PREPARE takes SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES (and WITH before them).
    private static func isPreparable(_ sql: String) -> Bool {
        ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES"].contains(command(sql))
    }

    private static func changesSchema(_ sql: String) -> Bool {
        ["CREATE", "ALTER", "DROP"].contains(command(sql))
    }

    /// A statement's first word, upper-cased (`SELECT`, `ALTER`, ...).
    private static func command(_ sql: String) -> String {
        sql.drop { $0.isWhitespace }.prefix { $0.isLetter }.uppercased()
    }

    private func connectionError(_ handle: OpaquePointer) -> StorageError {
        isBroken = PQstatus(handle) != CONNECTION_OK || isBroken
        return StorageError(
            .connectionFailed, StorageError.standardMessage(.connectionFailed), cause: String(cString: PQerrorMessage(handle)))
    }

    private func rows(_ result: OpaquePointer) throws(StorageError) -> SQLResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        guard rowCount <= StorageLimits.rowsPerQueryMax else {
            throw StorageError.standard(.resultTooLarge, cause: "\(rowCount) rows")
        }
        var output = SQLResult()
        output.columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<columnCount).map { PQftype(result, Int32($0)) }
        output.rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                let (r, c) = (Int32(row), Int32(column))
                if PQgetisnull(result, r, c) != 0 {
                    values.append(.null)
                    continue
                }
                let length = Int(PQgetlength(result, r, c))
                let bytes = UnsafeRawPointer(PQgetvalue(result, r, c)!).assumingMemoryBound(to: UInt8.self)
                let text = String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
                values.append(try Self.value(text: text, type: types[column], column: output.columns[column]))
            }
            output.rows.append(SQLRow(columns: output.columns, values: values))
        }
        return output
    }

    private static func value(text: String, type: Oid, column: String) throws(StorageError) -> SQLValue {
        switch type {
        case OID.int8, OID.int4, OID.int2, OID.oid:
            guard let number = Int64(text) else { throw unreadable(column, text) }
            return .int64(number)
        case OID.numeric:
            // SUM() of bigint is numeric; integral values read as integers.
            if let number = Int64(text) { return .int64(number) }
            return .text(text)
        case OID.bool:
            return .bool(text == "t")
        case OID.bytea:
            guard let bytes = unhex(text) else { throw unreadable(column, "bytea") }
            return .bytes(bytes)
        default:
            return .text(text)
        }
    }

    private static func unreadable(_ column: String, _ text: String) -> StorageError {
        StorageError(.typeMismatch, StorageError.standardMessage(.typeMismatch), cause: "column \(column): unreadable value \(text)")
    }

    private static func rowsAffected(_ result: OpaquePointer) -> Int64 {
        guard let tuples = PQcmdTuples(result) else { return 0 }
        return Int64(String(cString: tuples)) ?? 0
    }

    /// Maps SQLSTATE classes to the storage codes (PostgreSQL Appendix A, "Error Codes").
    static func error(_ result: OpaquePointer, sql: String) -> StorageError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let state = field("C") ?? "XX000"
        let primary = field("M") ?? String(cString: PQresultErrorMessage(result))
        let constraint = field("n").map { " (constraint \($0))" } ?? ""
        let cause = "PostgreSQL \(state): \(primary)\(constraint) in: \(sql)"
        let code: StorageError.Code
        switch state {
        case "23505": code = .uniqueViolation
        case "23503": code = .foreignKeyViolation
        case "23514": code = .checkViolation
        case "23502": code = .notNullViolation
        case "23P01": code = .exclusionViolation
        case "40001", "40P01": code = .serializationFailure
        // "cached plan must not change result type": a prepared statement outlived a change of
        // its table; retried like a conflict, after the connection forgot its statements.
        case "0A000" where primary.contains("cached plan"): code = .serializationFailure
        case "57014": code = .timedOut
        case "22021", "22P05", "22003", "22001": code = .invalidValue
        case "08P01": code = .statementFailed  // protocol violation: e.g. a wrong number of parameters
        case "3D000", "28000", "28P01", "57P01", "57P02", "57P03": code = .connectionFailed
        default:
            switch state.prefix(2) {
            case "08": code = .connectionFailed
            case "53", "58", "XX": code = .storageFailed
            case "23": code = .checkViolation
            default: code = .statementFailed
            }
        }
        return StorageError.standard(code, cause: cause)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func unhex(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count >= 2, characters[0] == UInt8(ascii: "\\"), characters[1] == UInt8(ascii: "x"),
            characters.count % 2 == 0
        else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((characters.count - 2) / 2)
        var index = 2
        while index < characters.count {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Calls `body` with C copies of `strings` (nil stays NULL) that live for the duration of the call.
    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
        defer { pointers.forEach { free($0) } }
        return body(pointers.map { $0.map { UnsafePointer($0) } })
    }
}

/// The `$n` parameters a statement uses, found outside string literals, quoted identifiers,
/// dollar-quoted strings and comments (escape strings `E'...'` with `\'` are not supported). PostgreSQL accepts values for parameters a statement does not use; SQLite does not.
/// Checking here gives both databases the same contract: every value used, every parameter given.
enum ParameterScanner {
    static func parameterNumbers(in sql: String) -> Set<Int> {
        let bytes = Array(sql.utf8)
        var numbers: Set<Int> = []
        var index = 0
        func skip(until terminator: [UInt8]) {
            while index < bytes.count {
                if bytes[index...].starts(with: terminator) {
                    index += terminator.count
                    return
                }
                index += 1
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"):
                index += 1
                skip(until: [UInt8(ascii: "'")])
            case UInt8(ascii: "\""):
                index += 1
                skip(until: [UInt8(ascii: "\"")])
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                skip(until: [UInt8(ascii: "\n")])
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index += 2
                skip(until: [UInt8(ascii: "*"), UInt8(ascii: "/")])
            case UInt8(ascii: "$") where index > 0 && isTagCharacter(bytes[index - 1]):
                // Inside an identifier such as `price$1`: neither a parameter nor a quote.
                index += 1
            case UInt8(ascii: "$"):
                index += 1
                if index < bytes.count, isDigit(bytes[index]) {
                    var number = 0
                    var digits = 0
                    while index < bytes.count, isDigit(bytes[index]), digits < 6 {
                        number = number * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                        digits += 1
                        index += 1
                    }
                    numbers.insert(number)
                } else {
                    // A dollar-quoted string, `$$...$$` or `$tag$...$tag$` (function bodies).
                    var tagEnd = index
                    while tagEnd < bytes.count, isTagCharacter(bytes[tagEnd]) { tagEnd += 1 }
                    if tagEnd < bytes.count, bytes[tagEnd] == UInt8(ascii: "$") {
                        let delimiter = Array(bytes[(index - 1)...tagEnd])
                        index = tagEnd + 1
                        skip(until: delimiter)
                    }
                }
            default:
                index += 1
            }
        }
        return numbers
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isTagCharacter(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
