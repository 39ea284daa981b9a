import CoreMetrics
import Foundation
import Logging
import Storage
import Synchronization

/// Follows another service's event feed (docs/API.md, event feeds) into this service's database:
/// pulls pages after the stored position and applies each page in one transaction together with
/// the new position, so an event is applied exactly once even across crashes and restarts.
///
/// The feed's sequences are consecutive (1, 2, 3, ...). Events at or below the stored position are
/// skipped (a page read before a concurrent catch-up committed); a gap stops the page with an error
/// rather than silently losing an event.
///
/// Needs ``ServiceSchema/feedPositions(_:)`` in the consumer's schema.
public final class FeedFollower<Event: Sendable>: Sendable {
    public typealias Fetch = @Sendable (_ afterSequence: Int64, _ limit: Int32) async throws -> (events: [Event], lastSequence: Int64)
    public typealias Apply = @Sendable (_ transaction: inout SQLTransaction, _ event: Event) throws -> Void

    public let feed: String
    let database: any Database
    let fetch: Fetch
    let sequence: @Sendable (Event) -> Int64
    let apply: Apply
    let applied: (@Sendable () async throws -> Void)?
    let logger: Logger
    /// Events asked for per page.
    public let pageSize: Int32
    /// One catch-up at a time in this process (a second caller waits, then finds itself caught
    /// up); across processes the position row's lock serializes page applications.
    private let gate = AsyncGate()
    private let lastKnown = Atomic<Int64>(0)
    /// Where the follower stands for the metrics (``ServiceMetrics/feedLag``).
    private let lag: FeedLagGauges

    /// The source's newest sequence as of the last fetch (0 before the first).
    public var lastKnownSequence: Int64 { lastKnown.load(ordering: .relaxed) }

    public init(
        feed: String, database: any Database, pageSize: Int32 = 500, logger: Logger,
        fetch: @escaping Fetch, sequence: @escaping @Sendable (Event) -> Int64, apply: @escaping Apply,
        applied: (@Sendable () async throws -> Void)? = nil
    ) {
        precondition(pageSize > 0 && pageSize <= 1000, "pageSize is 1 to 1000")
        self.feed = feed
        self.database = database
        self.pageSize = pageSize
        self.logger = logger
        self.fetch = fetch
        self.sequence = sequence
        self.apply = apply
        self.applied = applied
        self.lag = FeedLagGauges(feed: feed)
    }

    /// The sequence of the last event applied (0 before the first).
    public func position() async throws -> Int64 {
        let feed = self.feed
        return try await database.transaction { sql in try Self.position(of: feed, &sql) }
    }

    static func position(of feed: String, _ sql: inout SQLTransaction) throws -> Int64 {
        try sql.queryFirst("SELECT position FROM feed_positions WHERE feed = $1", .text(feed))?.int64("position") ?? 0
    }

    /// Applies every event published so far; returns the position reached. Concurrent calls in
    /// this process wait for each other's pages through the database, not twice the work: a page
    /// already applied is skipped by position.
    @discardableResult
    public func catchUp() async throws -> Int64 {
        try await gate.withPermit { try await catchUpAlone() }
    }

    private func catchUpAlone() async throws -> Int64 {
        var position = try await self.position()
        while true {
            try Task.checkCancellation()
            let page = try await fetch(position, pageSize)
            lastKnown.store(page.lastSequence, ordering: .relaxed)
            lag.record(position: position, source: page.lastSequence)
            if page.events.isEmpty { return position }
            let before = position
            position = try await applyPage(page.events)
            lag.record(position: position, source: page.lastSequence)
            // After the commit: whoever reads what the page wrote (an in-memory copy) reloads it.
            if position != before, let applied { try await applied() }
            // Caught up, or a page that moved nothing (the source served only events already
            // applied): the next poll asks again rather than spinning here.
            if position >= page.lastSequence || position == before { return position }
        }
    }

    /// Applies one page in one transaction with the new position; returns the position.
    private func applyPage(_ events: [Event]) async throws -> Int64 {
        let feed = self.feed
        let sequence = self.sequence
        let apply = self.apply
        return try await database.transaction { sql in
            // Lock the position row first: a concurrent application of the same feed waits here,
            // then fails to serialize and is retried, re-reading the position.
            let now = JournalTransaction.milliseconds(Date())
            try sql.execute(
                "INSERT INTO feed_positions (feed, position, updated_at_unix_ms) VALUES ($1, 0, $2) ON CONFLICT (feed) DO NOTHING",
                .text(feed), .int64(now))
            try sql.execute("UPDATE feed_positions SET updated_at_unix_ms = $2 WHERE feed = $1", .text(feed), .int64(now))
            var position = try Self.position(of: feed, &sql)
            let start = position
            for event in events {
                let number = sequence(event)
                if number <= position { continue }
                guard number == position + 1 else {
                    throw FeedError(feed: feed, message: "expected event \(position + 1), got \(number): the feed has a gap")
                }
                try apply(&sql, event)
                position = number
            }
            if position != start {
                try sql.execute("UPDATE feed_positions SET position = $2 WHERE feed = $1", .text(feed), .int64(position))
            }
            return position
        }
    }
}

/// A follower's position, its source's last sequence and the difference, as gauges; they exist
/// (at 0) from the follower's creation, so a follower that never reached its source still shows.
struct FeedLagGauges: Sendable {
    let lag: Gauge
    let position: Gauge
    let source: Gauge

    init(feed: String) {
        lag = Gauge(label: ServiceMetrics.feedLag.name, dimensions: [("follower", feed)])
        position = Gauge(label: ServiceMetrics.feedPosition.name, dimensions: [("follower", feed)])
        source = Gauge(label: ServiceMetrics.feedSourceSequence.name, dimensions: [("follower", feed)])
        lag.record(0)
        position.record(0)
        source.record(0)
    }

    func record(position: Int64, source: Int64) {
        self.position.record(position)
        self.source.record(source)
        lag.record(max(0, source - position))
    }
}

/// A feed that cannot be followed as published.
public struct FeedError: Error, CustomStringConvertible {
    public let feed: String
    public let message: String
    public var description: String { "feed \(feed): \(message)" }

    public init(feed: String, message: String) {
        self.feed = feed
        self.message = message
    }
}

/// A lock for async code: one holder at a time, waiters resumed in arrival order.
final class AsyncGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
