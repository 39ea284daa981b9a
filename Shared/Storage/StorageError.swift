/// The one error shape of the storage layer, whichever database is underneath.
///
/// The ``code`` is what programs branch on (a repository turns `uniqueViolation` into "already
/// exists", the transaction runner retries `serializationFailure`). The ``message`` is for people and
/// never contains SQL, table names or the database's own text; that text is kept in ``cause`` for
/// logs and debugging only (in the manner of postgres-nio's `PSQLError`).
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Stable codes, ordered by how a caller reacts to them. Values are never renumbered or reused.
    public enum Code: UInt16, Sendable, Hashable, CaseIterable {
        // The database cannot be used at all.
        /// The server cannot be reached, refused the credentials, or the connection broke.
        case connectionFailed = 1
        /// The configuration (URL, data directory, service name) is not usable.
        case invalidConfiguration = 2
        /// Disk full, I/O error or a damaged database file.
        case storageFailed = 3
        /// The database's schema was written by a newer version of the program, or its migrations
        /// are not the ones this version would have applied.
        case migrationMismatch = 4

        // The transaction can be retried as a whole.
        /// A concurrent transaction touched the same data (PostgreSQL 40001/40P01, SQLite busy).
        case serializationFailure = 10
        /// A statement ran longer than the configured limit.
        case timedOut = 11

        // The schema refused the change: expected outcomes that repositories translate.
        case uniqueViolation = 20
        case foreignKeyViolation = 21
        case checkViolation = 22
        case notNullViolation = 23
        /// Two rows that must not overlap would overlap (PostgreSQL `EXCLUDE`, SQLite overlap triggers).
        case exclusionViolation = 24

        // Programming errors.
        /// The statement itself is wrong (syntax, unknown column, wrong number of parameters), or it
        /// ran in a transaction that an earlier error has already aborted.
        case statementFailed = 30
        /// A column holds a value of another type than the one asked for.
        case typeMismatch = 31
        /// A value cannot be stored (text with a NUL character).
        case invalidValue = 32
        /// A query returned more rows than ``StorageLimits/rowsPerQueryMax``.
        case resultTooLarge = 33
    }

    public var code: Code
    /// What went wrong, for people; free of database internals.
    public var message: String
    /// The database's own text (SQLSTATE or extended result code and message), for logs only.
    public var cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Whether running the same transaction again may succeed.
    public var isRetryable: Bool { code == .serializationFailure }

    /// Whether the schema rejected the change (a constraint), as opposed to a failure of the database.
    public var isConstraintViolation: Bool {
        switch code {
        case .uniqueViolation, .foreignKeyViolation, .checkViolation, .notNullViolation, .exclusionViolation: true
        default: false
        }
    }

    public var description: String { message }

    public var debugDescription: String {
        if let cause { return "StorageError.\(code): \(message) [\(cause)]" }
        return "StorageError.\(code): \(message)"
    }

    /// The message used for a code when the database gives nothing more precise that is fit to show.
    static func standardMessage(_ code: Code) -> String {
        switch code {
        case .connectionFailed: "the database cannot be reached"
        case .invalidConfiguration: "the storage configuration is not valid"
        case .storageFailed: "the database storage failed (disk full, I/O error or damaged file)"
        case .migrationMismatch: "the database schema does not match this version of the program"
        case .serializationFailure: "the change conflicted with a concurrent change; retry it"
        case .timedOut: "the database took too long to answer"
        case .uniqueViolation: "a record with the same key already exists"
        case .foreignKeyViolation: "the change refers to a record that does not exist, or removes one still referred to"
        case .checkViolation: "a value breaks a rule of the schema"
        case .notNullViolation: "a required value is missing"
        case .exclusionViolation: "the record overlaps an existing one"
        case .statementFailed: "the database could not run a statement"
        case .typeMismatch: "a stored value does not have the expected type"
        case .invalidValue: "a value cannot be stored"
        case .resultTooLarge: "a query returned too many rows"
        }
    }

    static func standard(_ code: Code, cause: String? = nil) -> StorageError {
        StorageError(code, standardMessage(code), cause: cause)
    }
}

/// Every limit of the storage layer, each named with its unit last.
public enum StorageLimits {
    /// Attempts of one transaction when it keeps conflicting with concurrent ones (the first run
    /// included). Conflicts are rare in this registry; more than a handful in a row means contention
    /// that retrying will not fix.
    public static let transactionAttemptsMax = 8
    /// Longest pause before a retry; pauses grow from one millisecond and are jittered.
    public static let retryBackoffMillisecondsMax = 100
    /// How long SQLite waits for another connection's write lock before reporting a conflict.
    public static let sqliteBusyTimeoutMilliseconds = 5_000
    /// Prepared statements one SQLite connection keeps.
    public static let sqliteCachedStatementsMax = 256
    /// Server-side prepared statements one PostgreSQL connection keeps; statements beyond them run
    /// unprepared.
    public static let postgresCachedStatementsMax = 256
    /// Read connections of one SQLite database (``SQLiteDatabase/read(_:)``), beside its writer.
    public static let sqliteReadersMax = 2
    /// Page cache of one SQLite connection, in KiB (SQLite's default is 2,000). Once the ledger,
    /// the request journal and the events outgrow the cache, every insert into a B-tree whose keys
    /// arrive out of order (transfer ids, serial holdings of a fragmenting batch) reads a leaf back
    /// from the operating system. With the default, the fragmentation run of `benchmarks/workload.sh`
    /// (100,000 transfers) went from 381 to 306 transfers/s; with this cache it stayed flat
    /// (BENCHMARKS.md). At most 3 × this per database.
    public static let sqliteCacheKibibytes = 32_768
    /// Transactions one SQLite commit makes durable together (group commit).
    public static let transactionsPerGroupMax = 128
    /// PostgreSQL `statement_timeout`: no single statement may run longer.
    public static let statementDurationMillisecondsMax = 60_000
    /// PostgreSQL `connect_timeout` default, unless the URL sets one.
    public static let connectTimeoutSeconds = 10
    /// Connections a ``PostgresDatabase`` opens at most, unless told otherwise.
    public static let postgresConnectionsMax = 4
    /// Transactions waiting for a pooled connection at most; more are refused at once.
    public static let postgresWaitersMax = 1_000
    /// Rows one query may return; the registry pages anything larger.
    public static let rowsPerQueryMax = 1_000_000
    /// Length of a migration name.
    public static let migrationNameCharactersMax = 200
    /// Length of a service name, which names its SQLite file.
    public static let serviceNameCharactersMax = 64
}
