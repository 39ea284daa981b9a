import Foundation
import Storage
import StorageTestSupport
import Synchronization
import Testing

/// The contract every ``Database`` keeps: each test runs against SQLite and against PostgreSQL.
@Suite("Storage contract (SQLite and PostgreSQL)")
struct StorageContractTests {
    struct Marker: Error, Equatable {}

    /// `BIGINT`, `TEXT`, `BOOLEAN` and bytes columns in the dialect's spelling.
    static func createValuesTable(_ transaction: inout SQLTransaction) throws {
        let bytes = transaction.dialect == .postgres ? "BYTEA" : "BLOB"
        try transaction.execute(
            "CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT, flag BOOLEAN, payload \(bytes), note TEXT)")
    }

    @Test("typed values survive a round trip", arguments: TestDatabaseKind.allCases)
    func typedValuesRoundTrip(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let cases: [(Int64, String, Bool, [UInt8])] = [
                (Int64.min, "", false, []),
                (Int64.max, "héllo ✓ 'quoted' \"double\" $1 ; -- not a comment", true, [0, 1, 0x7f, 0x80, 0xff, 0]),
                (0, String(repeating: "x", count: 10_000), true, Array(0...255)),
            ]
            try await test.database.transaction { transaction in
                try Self.createValuesTable(&transaction)
                for (id, label, flag, payload) in cases {
                    try transaction.execute(
                        "INSERT INTO items (id, label, flag, payload, note) VALUES ($1, $2, $3, $4, $5)",
                        .int64(id), .text(label), .bool(flag), .bytes(payload), .null)
                }
            }
            let rows = try await test.database.transaction { transaction in
                try transaction.query("SELECT id, label, flag, payload, note FROM items ORDER BY id")
            }
            #expect(rows.count == cases.count)
            for (row, expected) in zip(rows, cases.sorted { $0.0 < $1.0 }) {
                #expect(try row.int64("id") == expected.0)
                #expect(try row.string("label") == expected.1)
                #expect(try row.bool("flag") == expected.2)
                #expect(try row.bytes("payload") == expected.3)
                #expect(try row.optionalString("note") == nil)
                #expect(row["note"] == .null)
            }
        }
    }

    @Test("parameters are $1, $2, ... on both databases and can repeat", arguments: TestDatabaseKind.allCases)
    func placeholders(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let row = try await test.database.transaction { transaction in
                try transaction.queryFirst("SELECT $1 + $1 + $2 AS total, $3 AS word", .int64(20), .int64(2), .text("ok"))
            }
            #expect(try row?.int64("total") == 42)
            #expect(try row?.string("word") == "ok")

            // Every value must be used and every parameter given, as PostgreSQL requires.
            for (sql, binds) in [("SELECT $1 AS one", [SQLValue]()), ("SELECT 1 AS one", [.int64(1)]), ("SELECT $2 AS two", [.int64(2)])] {
                let error = await #expect(throws: StorageError.self) {
                    try await test.database.transaction { transaction in try transaction.query(sql, binds: binds) }
                }
                #expect(error?.code == .statementFailed, "\(sql)")
            }
        }
    }

    @Test("a thrown error rolls back the whole transaction and comes out unchanged", arguments: TestDatabaseKind.allCases)
    func rollbackOnError(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            try await test.database.transaction { transaction in try Self.createValuesTable(&transaction) }
            await #expect(throws: Marker.self) {
                try await test.database.transaction { transaction in
                    try transaction.execute("INSERT INTO items (id, label) VALUES (1, 'kept?')")
                    throw Marker()
                }
            }
            let count = try await test.database.transaction { transaction in
                try transaction.queryFirst("SELECT COUNT(*) AS n FROM items")?.int64("n")
            }
            #expect(count == 0)

            try await test.database.transaction { transaction in
                try transaction.execute("INSERT INTO items (id, label) VALUES (1, 'kept')")
            }
            let label = try await test.database.transaction { transaction in
                try transaction.queryFirst("SELECT label FROM items WHERE id = $1", .int64(1))?.string("label")
            }
            #expect(label == "kept")
        }
    }

    @Test("rows affected are counted alike", arguments: TestDatabaseKind.allCases)
    func rowsAffected(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let counts = try await test.database.transaction { transaction in
                let created = try transaction.execute("CREATE TABLE counted (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)")
                let inserted = try transaction.execute("INSERT INTO counted (id, n) VALUES (1, 0), (2, 0), (3, 5)")
                let updated = try transaction.execute("UPDATE counted SET n = n + 1 WHERE n = 0")
                let none = try transaction.execute("DELETE FROM counted WHERE id = 99")
                let selected = try transaction.execute("SELECT * FROM counted")
                return [created, inserted, updated, none, selected]
            }
            #expect(counts == [0, 3, 2, 0, 0])
        }
    }

    enum Violation: String, CaseIterable, Sendable {
        case unique, foreignKey, check, notNull
    }

    @Test(
        "constraint violations have one code on both databases and a message free of SQL",
        arguments: TestDatabaseKind.allCases, Violation.allCases)
    func constraintErrors(kind: TestDatabaseKind, violation: Violation) async throws {
        try await withDatabase(kind) { test in
            try await test.database.transaction { transaction in
                try transaction.execute("CREATE TABLE parents (id BIGINT PRIMARY KEY)")
                try transaction.execute(
                    """
                    CREATE TABLE children (
                        id BIGINT PRIMARY KEY,
                        parent_id BIGINT NOT NULL REFERENCES parents (id),
                        quantity BIGINT NOT NULL CONSTRAINT positive_quantity CHECK (quantity > 0))
                    """)
                try transaction.execute("INSERT INTO parents (id) VALUES (1)")
                try transaction.execute("INSERT INTO children (id, parent_id, quantity) VALUES (1, 1, 1)")
            }
            let (sql, expected): (String, StorageError.Code) =
                switch violation {
                case .unique: ("INSERT INTO children (id, parent_id, quantity) VALUES (1, 1, 1)", .uniqueViolation)
                case .foreignKey: ("INSERT INTO children (id, parent_id, quantity) VALUES (2, 42, 1)", .foreignKeyViolation)
                case .check: ("INSERT INTO children (id, parent_id, quantity) VALUES (2, 1, 0)", .checkViolation)
                case .notNull: ("INSERT INTO children (id, parent_id, quantity) VALUES (2, 1, NULL)", .notNullViolation)
                }
            let error = await #expect(throws: StorageError.self) {
                try await test.database.transaction { transaction in try transaction.execute(sql) }
            }
            #expect(error?.code == expected)
            #expect(error?.isConstraintViolation == true)
            for leak in ["children", "INSERT", "parent_id", "SQLite", "PostgreSQL", "23"] {
                #expect(error?.message.contains(leak) == false, "the message must not show \(leak): \(error?.message ?? "")")
            }
            #expect(error?.cause?.isEmpty == false, "the database's own text is kept as the cause")
        }
    }

    @Test("after a failed statement the transaction is aborted, as on PostgreSQL", arguments: TestDatabaseKind.allCases)
    func abortedTransaction(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            try await test.database.transaction { transaction in
                try transaction.execute("CREATE TABLE once (id BIGINT PRIMARY KEY)")
                try transaction.execute("INSERT INTO once (id) VALUES (1)")
            }
            // Swallowing the error and going on: the next statement fails too.
            let next = await #expect(throws: StorageError.self) {
                try await test.database.transaction { transaction in
                    _ = try? transaction.execute("INSERT INTO once (id) VALUES (1)")
                    try transaction.execute("INSERT INTO once (id) VALUES (2)")
                }
            }
            #expect(next?.code == .statementFailed)
            // Swallowing the error and returning: nothing is committed, and the caller hears of it.
            let returned = await #expect(throws: StorageError.self) {
                try await test.database.transaction { transaction in
                    try transaction.execute("INSERT INTO once (id) VALUES (3)")
                    _ = try? transaction.execute("INSERT INTO once (id) VALUES (1)")
                }
            }
            #expect(returned?.code == .statementFailed)
            let ids = try await test.database.transaction { transaction in
                try transaction.query("SELECT id FROM once ORDER BY id").map { try $0.int64("id") }
            }
            #expect(ids == [1])
        }
    }

    @Test("rows give typed access and report mismatches", arguments: TestDatabaseKind.allCases)
    func typeMismatch(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let row = try await test.database.transaction { transaction in
                try transaction.queryFirst("SELECT 'text' AS word, 7 AS number")
            }
            let row2 = try #require(row)
            #expect(try row2.int64("number") == 7)
            #expect(throws: StorageError.self) { try row2.int64("word") }
            #expect(throws: StorageError.self) { try row2.string("missing") }
            #expect((try? row2.int64("word")) == nil)
        }
    }

    @Test("text with a NUL character is refused on both databases", arguments: TestDatabaseKind.allCases)
    func nulInText(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let error = await #expect(throws: StorageError.self) {
                try await test.database.transaction { transaction in try transaction.query("SELECT $1 AS t", .text("a\u{0}b")) }
            }
            #expect(error?.code == .invalidValue)
        }
    }

    @Test("a serialization failure is retried, within a bound", arguments: TestDatabaseKind.allCases)
    func retriesBounded(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let attempts = Atomic<Int>(0)
            let value = try await test.database.transaction { transaction in
                let attempt = attempts.add(1, ordering: .relaxed).newValue
                if attempt < 3 { throw StorageError(.serializationFailure, "simulated conflict") }
                return try transaction.queryFirst("SELECT 5 AS five")?.int64("five")
            }
            #expect(value == 5)
            #expect(attempts.load(ordering: .relaxed) == 3)

            let always = Atomic<Int>(0)
            let error = await #expect(throws: StorageError.self) {
                try await test.database.transaction { _ in
                    always.add(1, ordering: .relaxed)
                    throw StorageError(.serializationFailure, "simulated conflict")
                }
            }
            #expect(error?.code == .serializationFailure)
            #expect(always.load(ordering: .relaxed) == StorageLimits.transactionAttemptsMax)

            // Other errors are not retried.
            let once = Atomic<Int>(0)
            await #expect(throws: StorageError.self) {
                try await test.database.transaction { _ in
                    once.add(1, ordering: .relaxed)
                    throw StorageError(.uniqueViolation, "not retryable")
                }
            }
            #expect(once.load(ordering: .relaxed) == 1)
        }
    }

    @Test("concurrent read-modify-write transactions on two handles lose no update", arguments: TestDatabaseKind.allCases)
    func concurrentIncrements(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let other = try await test.openAnotherHandle()
            try await test.database.transaction { transaction in
                try transaction.execute("CREATE TABLE counter (id BIGINT PRIMARY KEY, value BIGINT NOT NULL)")
                try transaction.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
            }
            let incrementsPerHandle = 12
            try await withThrowingTaskGroup(of: Void.self) { group in
                for database in [test.database, other] {
                    for _ in 0..<incrementsPerHandle {
                        group.addTask {
                            try await database.transaction { transaction in
                                let value = try transaction.queryFirst("SELECT value FROM counter WHERE id = 1")!.int64("value")
                                try transaction.execute("UPDATE counter SET value = $1 WHERE id = 1", .int64(value + 1))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let value = try await test.database.transaction { transaction in
                try transaction.queryFirst("SELECT value FROM counter WHERE id = 1")?.int64("value")
            }
            #expect(value == Int64(2 * incrementsPerHandle))
        }
    }

    @Test("a closed database refuses transactions", arguments: TestDatabaseKind.allCases)
    func closed(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let other = try await test.openAnotherHandle()
            await other.close()
            let error = await #expect(throws: StorageError.self) {
                try await other.transaction { transaction in try transaction.execute("SELECT 1") }
            }
            #expect(error?.code == .connectionFailed)
        }
    }
}
