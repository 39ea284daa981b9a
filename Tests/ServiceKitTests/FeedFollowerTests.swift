import Foundation
import Logging
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Synchronization
import Testing

/// A feed event for the tests: a sequence and a value the consumer stores.
struct Item: Sendable {
    var sequence: Int64
    var value: String
}

/// A feed whose pages the test controls: it can serve stale pages (already applied) and gaps.
final class ScriptedFeed: Sendable {
    let items = Mutex<[Item]>([])
    /// When set, the next fetch ignores `after` and returns from this sequence (a stale page).
    let staleFrom = Mutex<Int64?>(nil)
    /// When set, every fetch serves from this sequence (a source stuck on old events).
    let stuckFrom = Mutex<Int64?>(nil)

    func publish(_ value: String) {
        items.withLock { $0.append(Item(sequence: Int64($0.count + 1), value: value)) }
    }

    var fetch: FeedFollower<Item>.Fetch {
        { after, limit in
            let stale = self.staleFrom.withLock { stale in defer { stale = nil }; return stale }
            let start = (self.stuckFrom.withLock { $0 } ?? stale).map { $0 - 1 } ?? after
            return self.items.withLock { items in
                (Array(items.filter { $0.sequence > start }.prefix(Int(limit))), Int64(items.count))
            }
        }
    }
}

func withConsumerDatabase(_ kind: TestDatabaseKind, _ body: (any Database) async throws -> Void) async throws {
    try await withTestDatabase(kind) { test in
        try await test.database.migrate([
            ServiceSchema.migration("0001-consumer") { t in
                [ServiceSchema.feedPositions(t), "CREATE TABLE applied (sequence \(t.int) NOT NULL PRIMARY KEY, value TEXT NOT NULL)"]
            }
        ])
        try await body(test.database)
    }
}

func follower(_ database: any Database, _ feed: ScriptedFeed, pageSize: Int32 = 2) -> FeedFollower<Item> {
    var logger = Logger(label: "feed-test")
    logger.logLevel = .critical
    return FeedFollower(
        feed: "scripted", database: database, pageSize: pageSize, logger: logger, fetch: feed.fetch, sequence: { $0.sequence }
    ) { transaction, item in
        // A duplicate apply would violate the primary key and fail the page.
        try transaction.execute("INSERT INTO applied (sequence, value) VALUES ($1, $2)", .int64(item.sequence), .text(item.value))
    }
}

func applied(_ database: any Database) async throws -> [String] {
    try await database.transaction { sql in
        try sql.query("SELECT value FROM applied ORDER BY sequence").map { try $0.string("value") }
    }
}

@Suite("FeedFollower (docs/API.md, event feeds)")
struct FeedFollowerTests {
    @Test("applies every event once, in pages, and keeps its position", arguments: TestDatabaseKind.allCases)
    func exactlyOnce(kind: TestDatabaseKind) async throws {
        try await withConsumerDatabase(kind) { database in
            let feed = ScriptedFeed()
            for value in ["a", "b", "c", "d", "e"] { feed.publish(value) }
            let consumer = follower(database, feed)
            let first = try await consumer.catchUp()
            let again = try await consumer.catchUp()
            #expect(first == 5 && again == 5)
            feed.publish("f")
            // A restarted consumer (a new follower on the same database) continues where it was.
            let restarted = try await follower(database, feed).catchUp()
            #expect(restarted == 6)
            let values = try await applied(database)
            #expect(values == ["a", "b", "c", "d", "e", "f"])
        }
    }

    @Test("a stale page (events already applied) is skipped, not applied twice", arguments: TestDatabaseKind.allCases)
    func stalePage(kind: TestDatabaseKind) async throws {
        try await withConsumerDatabase(kind) { database in
            let feed = ScriptedFeed()
            for value in ["a", "b", "c"] { feed.publish(value) }
            let consumer = follower(database, feed, pageSize: 10)
            try await consumer.catchUp()
            feed.publish("d")
            feed.staleFrom.withLock { $0 = 2 }
            #expect(try await consumer.catchUp() == 4)
            #expect(try await applied(database) == ["a", "b", "c", "d"])
        }
    }

    @Test("a source that serves only events already applied ends the catch-up instead of spinning", arguments: TestDatabaseKind.allCases)
    func stuckSource(kind: TestDatabaseKind) async throws {
        try await withConsumerDatabase(kind) { database in
            let feed = ScriptedFeed()
            for value in ["a", "b", "c", "d", "e"] { feed.publish(value) }
            let consumer = follower(database, feed, pageSize: 2)
            try await consumer.catchUp()
            feed.publish("f")
            feed.stuckFrom.withLock { $0 = 1 }
            let position = try await consumer.catchUp()
            #expect(position == 5)
            #expect(consumer.lastKnownSequence == 6)
            feed.stuckFrom.withLock { $0 = nil }
            let caughtUp = try await consumer.catchUp()
            #expect(caughtUp == 6)
        }
    }

    @Test("a gap in the feed stops the page with an error and applies nothing of it", arguments: TestDatabaseKind.allCases)
    func gap(kind: TestDatabaseKind) async throws {
        try await withConsumerDatabase(kind) { database in
            let feed = ScriptedFeed()
            feed.publish("a")
            let consumer = follower(database, feed, pageSize: 10)
            try await consumer.catchUp()
            feed.items.withLock { $0.append(Item(sequence: 3, value: "c")) }
            await #expect(throws: FeedError.self) { try await consumer.catchUp() }
            #expect(try await consumer.position() == 1)
            #expect(try await applied(database) == ["a"])
        }
    }

    @Test("concurrent catch-ups of one feed apply each event once", arguments: TestDatabaseKind.allCases)
    func concurrent(kind: TestDatabaseKind) async throws {
        try await withConsumerDatabase(kind) { database in
            let feed = ScriptedFeed()
            for index in 1...40 { feed.publish("v\(index)") }
            let consumer = follower(database, feed, pageSize: 3)
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<4 { group.addTask { try await consumer.catchUp() } }
                for try await position in group { #expect(position == 40) }
            }
            #expect(try await applied(database).count == 40)
        }
    }
}

@Suite("PeerAddress")
struct PeerAddressTests {
    @Test("host:port, IPv6 in brackets; anything else names the text")
    func parsing() throws {
        #expect(try PeerAddress(parsing: "127.0.0.1:50061") == PeerAddress(host: "127.0.0.1", port: 50061))
        #expect(try PeerAddress(parsing: "registry:50061").host == "registry")
        #expect(try PeerAddress(parsing: "[::1]:50062") == PeerAddress(host: "::1", port: 50062))
        #expect(PeerAddress(host: "::1", port: 50062).description == "[::1]:50062")
        for bad in ["", "registry", ":50061", "registry:0", "registry:65536", "registry:x", "a b:1"] {
            #expect(throws: PeerAddressError.self, "\(bad)") { try PeerAddress(parsing: bad) }
        }
    }
}
