import Dispatch
import Foundation
import Storage
import StorageTestSupport
import Testing

/// Group commit on SQLite (issue 8, item 3; ADR 0008): transactions that wait while one runs share
/// the next commit, each still all-or-nothing on its own.
@Suite("SQLite group commit")
struct GroupCommitTests {
    struct Refused: Error {}

    /// Holds the connection with a transaction that waits for `gate`, so that the ones started
    /// meanwhile queue up and must share one commit.
    static func withConnectionHeld(
        _ database: SQLiteDatabase, _ body: () async throws -> Void
    ) async throws {
        let gate = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let holder = Task {
            try await database.transaction { transaction in
                entered.signal()
                gate.wait()
                try transaction.execute("INSERT INTO items (id, note) VALUES (0, 'holder')")
            }
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                entered.wait()
                continuation.resume()
            }
        }
        try await body()
        gate.signal()
        try await holder.value
    }

    @Test("transactions that wait share one commit; a failing one is rolled back alone; the others all commit")
    func sharedCommit() async throws {
        try await withDatabase(.sqlite) { test in
            let database = try #require(test.database as? SQLiteDatabase)
            try await database.transaction { try $0.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, note TEXT NOT NULL)") }
            let before = database.commitCounts
            var tasks: [Task<(Int, Bool), Never>] = []
            try await Self.withConnectionHeld(database) {
                tasks = (1...60).map { id in
                    Task {
                        do {
                            try await database.transaction { transaction in
                                try transaction.execute("INSERT INTO items (id, note) VALUES ($1, 'member')", .int64(Int64(id)))
                                // Every third one writes, then refuses: its row must not survive.
                                if id % 3 == 0 { throw Refused() }
                                // Every fifth one swallows a failed statement: refused too, rolled back.
                                if id % 5 == 0 { _ = try? transaction.execute("INSERT INTO items (id, note) VALUES ($1, NULL)", .int64(1_000 + Int64(id))) }
                            }
                            return (id, true)
                        } catch {
                            return (id, false)
                        }
                    }
                }
                // Give every task time to queue behind the held connection.
                try await Task.sleep(for: .milliseconds(300))
            }
            var answered: [Int: Bool] = [:]
            for task in tasks {
                let (id, committed) = await task.value
                answered[id] = committed
            }
            #expect(answered.count == 60)
            let expectedCommitted = Set((1...60).filter { $0 % 3 != 0 && $0 % 5 != 0 })
            #expect(Set(answered.filter(\.value).keys) == expectedCommitted)
            let counts = database.commitCounts
            let rows = try await database.transaction { transaction in
                try transaction.query("SELECT id FROM items WHERE id > 0 ORDER BY id").map { try $0.int64("id") }
            }
            #expect(Set(rows.map(Int.init)) == expectedCommitted, "exactly the acknowledged transactions are in the table")
            // The holder, then the members that queued behind it: far fewer commits than transactions.
            #expect(counts.transactions - before.transactions == expectedCommitted.count + 1)
            #expect(counts.commits - before.commits <= 3, "\(counts.commits - before.commits) commits for \(expectedCommitted.count + 1) transactions")
        }
    }

    @Test("a member sees the writes of those before it in its group, as if they had run one after another")
    func serialOrder() async throws {
        try await withDatabase(.sqlite) { test in
            let database = try #require(test.database as? SQLiteDatabase)
            try await database.transaction { transaction in
                try transaction.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, note TEXT NOT NULL)")
                try transaction.execute("CREATE TABLE counter (value BIGINT NOT NULL)")
                try transaction.execute("INSERT INTO counter (value) VALUES (0)")
            }
            var tasks: [Task<Void, any Error>] = []
            try await Self.withConnectionHeld(database) {
                tasks = (0..<40).map { _ in
                    Task {
                        try await database.transaction { transaction in
                            let value = try transaction.queryFirst("SELECT value FROM counter")?.int64("value") ?? -1
                            try transaction.execute("UPDATE counter SET value = $1", .int64(value + 1))
                        }
                    }
                }
                // The holder is still inside its transaction; release it once all 40 queued.
                try await Task.sleep(for: .milliseconds(300))
            }
            for task in tasks { try await task.value }
            let value = try await database.transaction { try $0.queryFirst("SELECT value FROM counter")?.int64("value") }
            #expect(value == 40, "no increment lost")
        }
    }
}

/// The prepared-statement cache of a SQLite connection: a statement used again with other values,
/// after a failure, and after the schema changed answers as if prepared afresh.
@Suite("SQLite statement cache")
struct StatementCacheTests {
    @Test("a cached statement runs again with other values, after a failed run, and after the schema changed")
    func reuse() async throws {
        try await withDatabase(.sqlite) { test in
            let database = test.database
            try await database.transaction { try $0.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, note TEXT NOT NULL)") }
            let insert = "INSERT INTO items (id, note) VALUES ($1, $2)"
            for id in 1...3 {
                try await database.transaction { try $0.execute(insert, .int64(Int64(id)), .text("n\(id)")) }
            }
            // The same text failing (duplicate key), then working again.
            await #expect(throws: StorageError.self) {
                try await database.transaction { try $0.execute(insert, .int64(1), .text("again")) }
            }
            try await database.transaction { try $0.execute(insert, .int64(4), .text("n4")) }
            let select = "SELECT * FROM items WHERE id >= $1 ORDER BY id"
            let before = try await database.transaction { try $0.query(select, .int64(3)) }
            #expect(before.map { $0.columns.count } == [2, 2])
            try await database.transaction { try $0.execute("ALTER TABLE items ADD COLUMN extra TEXT") }
            let after = try await database.transaction { try $0.query(select, .int64(2)) }
            #expect(after.map { $0.columns.count } == [3, 3, 3], "the cached SELECT * sees the new column")
            #expect(try after.map { try $0.string("note") } == ["n2", "n3", "n4"])
            // Steps are counted per run, not accumulated over the cached statement's life.
            let log = StatementLog()
            database.recordStatements(into: log)
            for _ in 0..<3 { _ = try await database.transaction { try $0.query(select, .int64(4)) } }
            database.recordStatements(into: nil)
            let steps = log.recorded.filter { $0.sql == select }.compactMap(\.steps)
            #expect(steps.count == 3 && Set(steps).count == 1, "\(steps)")
        }
    }
}
