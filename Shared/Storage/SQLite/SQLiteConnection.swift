import CSQLite

/// One SQLite connection. Only its ``SQLiteDatabase``'s queue touches it.
final class SQLiteConnection: SQLConnection {
    private var handle: OpaquePointer?
    /// A reader (``SQLiteDatabase/read(_:)``): `query_only`, and its transactions are deferred, so
    /// it reads the last committed snapshot of the write-ahead log without waiting for the writer.
    let isReader: Bool
    var transactionAborted = false
    var isBroken: Bool { handle == nil }
    var dialect: SQLDialect { .sqlite }

    /// SQLite's `SQLITE_TRANSIENT`: copy bound bytes before `bind` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String, reader: Bool = false) throws(StorageError) {
        self.isReader = reader
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let text = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw StorageError(.connectionFailed, "the database file cannot be opened", cause: "SQLite \(status): \(text)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        do throws(StorageError) {
            // WAL: readers never block the writer and a commit is one append to the log.
            // synchronous=FULL: in WAL mode, NORMAL may lose the last transactions on power loss
            // (they stay consistent, but gone); a ledger that told a user "transferred" cannot
            // forget it, so every commit is synced. The cost is one fsync per commit.
            if reader {
                _ = try execute("PRAGMA query_only = ON", [])
            } else {
                let mode = try execute("PRAGMA journal_mode = WAL", []).rows.first?.optionalString("journal_mode")
                guard mode == "wal" || path == ":memory:" else {
                    throw StorageError(.storageFailed, "the database file cannot use write-ahead logging", cause: "journal_mode=\(mode ?? "nil")")
                }
                _ = try execute("PRAGMA synchronous = FULL", [])
            }
            _ = try execute("PRAGMA foreign_keys = ON", [])
            _ = try execute("PRAGMA busy_timeout = \(StorageLimits.sqliteBusyTimeoutMilliseconds)", [])
            _ = try execute("PRAGMA cache_size = -\(StorageLimits.sqliteCacheKibibytes)", [])
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    func close() {
        for statement in cache.values { sqlite3_finalize(statement) }
        cache.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Prepared statements by SQL text. Preparing (parsing and planning) was most of SQLite's time
    /// in the transfer service's profile (issue 8, BENCHMARKS.md): the code runs a few dozen
    /// distinct statements, so each is prepared once per connection and reset after use. SQLite
    /// prepares a cached statement again by itself when the schema changed.
    private var cache: [String: OpaquePointer] = [:]

    func begin() throws(StorageError) {
        // IMMEDIATE takes the write lock at once, waiting up to busy_timeout for another writer, so a
        // transaction never fails half-way when it first writes (SQLite's only serialization conflict).
        _ = try execute(isReader ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE", [])
    }

    func commit() throws(StorageError) {
        _ = try execute("COMMIT", [])
    }

    /// Whether a transaction is open (SQLite may end one by itself on some errors).
    var isInTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    func rollback() {
        guard let handle, sqlite3_get_autocommit(handle) == 0 else { return }
        sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
    }

    func execute(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> SQLResult {
        guard let handle else { throw StorageError(.connectionFailed, "the database is closed") }
        let statement = try cachedStatement(handle, sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(binds, to: statement, handle: handle, sql: sql)
        let totalChangesBefore = sqlite3_total_changes64(handle)

        var result = SQLResult()
        // Columns are read after the first step: a cached statement is prepared again by
        // `sqlite3_step` when the schema changed, and may then have other columns.
        var columnCount: Int32 = 0
        var columnsRead = false
        func readColumns() {
            columnCount = sqlite3_column_count(statement)
            result.columns = (0..<columnCount).map { String(cString: sqlite3_column_name(statement, $0)) }
            columnsRead = true
        }
        while true {
            let status = sqlite3_step(statement)
            if !columnsRead { readColumns() }
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw Self.error(handle, status, sql: sql) }
            guard result.rows.count < StorageLimits.rowsPerQueryMax else {
                throw StorageError.standard(.resultTooLarge, cause: "more than \(StorageLimits.rowsPerQueryMax) rows")
            }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                values.append(Self.value(statement, column))
            }
            result.rows.append(SQLRow(columns: result.columns, values: values))
        }
        // sqlite3_changes64 keeps the count of the last INSERT, UPDATE or DELETE, even after other
        // statements; only trust it when this statement changed something.
        result.rowsAffected = sqlite3_total_changes64(handle) == totalChangesBefore ? 0 : Int64(sqlite3_changes64(handle))
        result.steps = Int64(sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_VM_STEP, 1))
        return result
    }

    /// The prepared statement for `sql`, from the cache or prepared now and kept (transaction
    /// control included; at most ``StorageLimits/sqliteCachedStatementsMax``, beyond which the cache
    /// starts again, so text built from values cannot grow it without bound).
    private func cachedStatement(_ handle: OpaquePointer, _ sql: String) throws(StorageError) -> OpaquePointer {
        if let statement = cache[sql] { return statement }
        let statement = try prepare(handle, sql)
        if cache.count >= StorageLimits.sqliteCachedStatementsMax {
            for old in cache.values { sqlite3_finalize(old) }
            cache.removeAll()
        }
        cache[sql] = statement
        return statement
    }

    private func prepare(_ handle: OpaquePointer, _ sql: String) throws(StorageError) -> OpaquePointer {
        var statement: OpaquePointer?
        var trailing = ""
        let status = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let status = sqlite3_prepare_v2(handle, text, -1, &statement, &tail)
            if let tail { trailing = String(cString: tail) }
            return status
        }
        guard status == SQLITE_OK else { throw Self.error(handle, status, sql: sql) }
        guard let statement else {
            throw StorageError(.statementFailed, StorageError.standardMessage(.statementFailed), cause: "empty statement")
        }
        // One statement per call, as on PostgreSQL with parameters: a second one would be ignored.
        guard trailing.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            sqlite3_finalize(statement)
            throw StorageError(
                .statementFailed, StorageError.standardMessage(.statementFailed),
                cause: "more than one statement in one call: \(sql)")
        }
        return statement
    }

    /// Binds `$1...$n` by name, so the same SQL text works on PostgreSQL.
    private func bind(_ binds: [SQLValue], to statement: OpaquePointer, handle: OpaquePointer, sql: String) throws(StorageError) {
        let parameterCount = Int(sqlite3_bind_parameter_count(statement))
        guard parameterCount == binds.count else {
            throw StorageError(
                .statementFailed, StorageError.standardMessage(.statementFailed),
                cause: "statement has \(parameterCount) parameters, \(binds.count) values given: \(sql)")
        }
        for (offset, value) in binds.enumerated() {
            let index = sqlite3_bind_parameter_index(statement, "$\(offset + 1)")
            guard index > 0 else {
                throw StorageError(
                    .statementFailed, StorageError.standardMessage(.statementFailed),
                    cause: "parameter $\(offset + 1) is not used, or parameters are not written $1, $2, ...: \(sql)")
            }
            let status: Int32
            switch value {
            case .null:
                status = sqlite3_bind_null(statement, index)
            case .int64(let number):
                status = sqlite3_bind_int64(statement, index, number)
            case .bool(let flag):
                status = sqlite3_bind_int64(statement, index, flag ? 1 : 0)
            case .text(let text):
                // Bound with its byte count: SQLite copies exactly these bytes.
                let bytes = Array(text.utf8) + [0]
                status = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { characters in
                        sqlite3_bind_text(statement, index, characters.baseAddress, Int32(characters.count - 1), Self.transient)
                    }
                }
            case .bytes(let bytes):
                if bytes.isEmpty {
                    // A nil pointer would bind NULL; an empty blob is not NULL.
                    status = sqlite3_bind_zeroblob(statement, index, 0)
                } else {
                    status = bytes.withUnsafeBytes { buffer in
                        sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), Self.transient)
                    }
                }
            }
            guard status == SQLITE_OK else { throw Self.error(handle, status, sql: sql) }
        }
    }

    private static func value(_ statement: OpaquePointer, _ column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL:
            return .null
        case SQLITE_INTEGER:
            return .int64(sqlite3_column_int64(statement, column))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return .bytes([]) }
            return .bytes(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        case SQLITE_FLOAT:
            // The registry stores no floating point; report it as text rather than lose it.
            return .text(String(sqlite3_column_double(statement, column)))
        default:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let pointer = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self))
        }
    }

    // Extended result codes (sqlite3.h), spelled out because Swift does not import the macros.
    private static let constraintCheck: Int32 = 275
    private static let constraintForeignKey: Int32 = 787
    private static let constraintNotNull: Int32 = 1299
    private static let constraintPrimaryKey: Int32 = 1555
    private static let constraintTrigger: Int32 = 1811
    private static let constraintUnique: Int32 = 2067

    /// Prefix of the messages raised by this package's overlap triggers (`RAISE(ABORT, 'exclusion: ...')`),
    /// which makes them `exclusionViolation` like PostgreSQL's `EXCLUDE` constraints.
    static let exclusionMessagePrefix = "exclusion:"

    static func error(_ handle: OpaquePointer, _ status: Int32, sql: String) -> StorageError {
        let extended = sqlite3_extended_errcode(handle)
        let text = String(cString: sqlite3_errmsg(handle))
        let cause = "SQLite \(extended) (\(String(cString: sqlite3_errstr(extended)))): \(text) in: \(sql)"
        let code: StorageError.Code
        switch extended {
        case constraintUnique, constraintPrimaryKey: code = .uniqueViolation
        case constraintForeignKey: code = .foreignKeyViolation
        case constraintCheck: code = .checkViolation
        case constraintNotNull: code = .notNullViolation
        case constraintTrigger: code = text.hasPrefix(exclusionMessagePrefix) ? .exclusionViolation : .checkViolation
        default:
            switch extended & 0xff {
            case SQLITE_CONSTRAINT: code = .checkViolation
            case SQLITE_BUSY, SQLITE_LOCKED: code = .serializationFailure
            case SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_PERM, SQLITE_AUTH: code = .connectionFailed
            case SQLITE_IOERR, SQLITE_FULL, SQLITE_CORRUPT, SQLITE_READONLY, SQLITE_NOLFS: code = .storageFailed
            case SQLITE_INTERRUPT: code = .timedOut
            case SQLITE_TOOBIG, SQLITE_MISMATCH, SQLITE_RANGE: code = .invalidValue
            default: code = .statementFailed
            }
        }
        return StorageError.standard(code, cause: cause)
    }
}
