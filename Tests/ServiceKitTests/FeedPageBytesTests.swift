import Domain
import Foundation
import Logging
import ProtoMessages
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// Issue 8, item 5: a `ListEvents` page is bounded by bytes as well as by count, so no event can
/// make a page unreadable. Hostile testing found two organizations with 3 MiB `contact` fields
/// pushing the registry's first page past the 4 MiB message limit, which wedged every follower of
/// the feed for good. The request limits now refuse such fields; these tests append large events
/// directly, as an older database may still hold them.
@Suite("feed pages bounded by bytes")
struct FeedPageBytesTests {
    /// A database with a service's events (and their chain) and a consumer's position and table.
    static func withFeed(_ kind: TestDatabaseKind, _ body: (any Database) async throws -> Void) async throws {
        try await withTestDatabase(kind) { test in
            try await test.database.migrate([
                ServiceSchema.migration("0001-feed") { t in
                    [ServiceSchema.idempotencyKeys(t), ServiceSchema.events(t), ServiceSchema.feedPositions(t),
                     "CREATE TABLE applied (sequence \(t.int) NOT NULL PRIMARY KEY)"]
                        + ServiceSchema.counters([], t)
                },
                ServiceSchema.chainMigration("0002-chain"),
            ])
            try await body(test.database)
        }
    }

    /// Appends one event per entry of `sizes`, each with an `action` of that many characters.
    static func append(_ sizes: [Int], to database: any Database) async throws {
        try await database.transaction { sql in
            var transaction = JournalTransaction(sql: sql, requestID: "big", now: Date())
            for size in sizes {
                try transaction.appendEvent(Recs_Transfer_V1_Event.self, action: String(repeating: "a", count: size)) { _ in }
            }
        }
    }

    static func page(_ database: any Database, after: Int64, limit: Int = EventPaging.maxLimit, bytesMax: Int = Limits.feedPageBytesMax)
        async throws -> Recs_Transfer_V1_ListEventsResponse
    {
        try await database.read { sql in
            var transaction = JournalTransaction(sql: sql, requestID: "", now: Date())
            var response = Recs_Transfer_V1_ListEventsResponse()
            response.events = try transaction.chainedEvents(after: after, limit: limit, bytesMax: bytesMax, as: Recs_Transfer_V1_Event.self)
            response.lastSequence = try transaction.lastEventSequence()
            return response
        }
    }

    @Test("large events come in several pages, each under the budget plus one event", arguments: TestDatabaseKind.allCases)
    func pagesStayUnderBudget(kind: TestDatabaseKind) async throws {
        try await Self.withFeed(kind) { database in
            // 12 events of 300 KiB: 3.6 MiB in all, which one page of the old kind would carry.
            let eventBytes = 300 * 1_024
            try await Self.append(Array(repeating: eventBytes, count: 12) + [10, 10], to: database)
            var after: Int64 = 0
            var pages: [[Int64]] = []
            while true {
                let page = try await Self.page(database, after: after)
                if page.events.isEmpty { break }
                let encoded = page.protobufBytes().count
                #expect(encoded <= Limits.feedPageBytesMax + eventBytes + 64, "a page of \(encoded) bytes")
                pages.append(page.events.map(\.sequence))
                after = page.events.last!.sequence
            }
            #expect(pages.count >= 4)
            #expect(pages.flatMap { $0 } == Array(1...14))
            // The count still bounds a page of small events.
            #expect(try await Self.page(database, after: 12, limit: 1).events.map(\.sequence) == [13])
        }
    }

    @Test("an event larger than the budget is served alone, so the feed still advances", arguments: TestDatabaseKind.allCases)
    func oversizedEventAlone(kind: TestDatabaseKind) async throws {
        try await Self.withFeed(kind) { database in
            try await Self.append([10, 5_000, 10], to: database)
            #expect(try await Self.page(database, after: 0, bytesMax: 1_000).events.map(\.sequence) == [1])
            #expect(try await Self.page(database, after: 1, bytesMax: 1_000).events.map(\.sequence) == [2])
            #expect(try await Self.page(database, after: 2, bytesMax: 1_000).events.map(\.sequence) == [3])
        }
    }

    @Test("a follower reads a feed of large events to its end", arguments: TestDatabaseKind.allCases)
    func followerReachesTheEnd(kind: TestDatabaseKind) async throws {
        try await Self.withFeed(kind) { database in
            // Two events of 3 MiB, as the two organizations of the hostile test made: together
            // they no longer fit one 4 MiB message; apart they do.
            try await Self.append([3 * 1_024 * 1_024, 3 * 1_024 * 1_024, 100], to: database)
            var logger = Logger(label: "feed-bytes-test")
            logger.logLevel = .critical
            let follower = FeedFollower<Recs_Transfer_V1_Event>(
                feed: "large", database: database, pageSize: 1_000, logger: logger,
                fetch: { after, limit in
                    let page = try await Self.page(database, after: after, limit: Int(limit))
                    // What the wire would refuse: a response over the 4 MiB message limit.
                    #expect(page.protobufBytes().count < 4 * 1_024 * 1_024)
                    return (page.events, page.lastSequence)
                },
                sequence: { $0.sequence },
                apply: { sql, event in try sql.execute("INSERT INTO applied (sequence) VALUES ($1)", .int64(event.sequence)) })
            #expect(try await follower.catchUp() == 3)
        }
    }
}
