import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ReportingCore
import ServiceKit
import StandardServices
import Storage
import ServiceTestSupport
import StorageTestSupport
import Synchronization
import Testing

/// A feed whose events a test writes by hand, served the way `ListEvents` serves them (after a
/// sequence, at most a limit, with the newest sequence), plus the ways a real feed can misbehave:
/// answering again from an older position (at-least-once delivery) or missing an event.
final class ScriptedFeed<Event: Sendable>: Sendable {
    private struct State {
        var events: [Event] = []
        /// Answer with only these events, whatever position is asked for: a stale page (events
        /// delivered again after they were applied).
        var stale: ClosedRange<Int64>?
        /// Leave the event with this sequence out (a gap).
        var dropped: Int64?
        var fetches = 0
        /// Events served that were at or below the position asked for.
        var replayed = 0
    }

    private let state = Mutex(State())
    private let sequence: @Sendable (Event) -> Int64

    init(sequence: @escaping @Sendable (Event) -> Int64) {
        self.sequence = sequence
    }

    func append(_ event: Event) { state.withLock { $0.events.append(event) } }
    func stale(_ sequences: ClosedRange<Int64>?) { state.withLock { $0.stale = sequences } }
    func drop(_ sequence: Int64?) { state.withLock { $0.dropped = sequence } }
    var fetches: Int { state.withLock { $0.fetches } }
    var replayed: Int { state.withLock { $0.replayed } }
    var last: Int64 { state.withLock { $0.events.last.map(sequence) ?? 0 } }

    var fetch: FeedFollower<Event>.Fetch {
        { [self] after, limit in
            state.withLock { state in
                state.fetches += 1
                let dropped = state.dropped
                let wanted = state.stale ?? (after + 1)...Int64.max
                let page = state.events.filter { wanted.contains(sequence($0)) && sequence($0) != dropped }.prefix(Int(limit))
                state.replayed += page.filter { sequence($0) <= after }.count
                return (Array(page), state.events.last.map(sequence) ?? 0)
            }
        }
    }
}

/// Reporting in process on a free port, on a fresh database, with hand-written feeds.
struct Harness {
    let application: ReportingApplication
    let client: Recs_Reporting_V1_ReportingServiceClient
    let database: TestDatabase
    let registry: ScriptedFeed<Recs_Registry_V1_Event>
    let issuance: ScriptedFeed<Recs_Issuance_V1_Event>
    let transfer: ScriptedFeed<Recs_Transfer_V1_Event>

    func catchUp() async throws { try await application.followers.catchUp() }

    func lookUp(_ text: String) async throws -> [Recs_Reporting_V1_SerialNumberStatus] {
        var request = Recs_Reporting_V1_LookUpSerialNumbersRequest()
        var range = Recs_Common_V1_SerialRange()
        range.text = text
        request.serialRange = range
        return try await client.lookUpSerialNumbers(request).statuses
    }

    /// Every segment row as text, to compare states of the read model exactly.
    func segmentRows() async throws -> [String] {
        try await database.database.transaction { sql in
            try sql.query(
                """
                SELECT batch_number, first_number, last_number, organization_id, subaccount_id, subaccount_kind, status,
                    changed_at_unix_ms, last_event
                FROM certificate_segments ORDER BY batch_number, first_number
                """
            ).map { row in row.values.map(\.description).joined(separator: " ") }
        }
    }
}

func withReporting(
    _ kind: TestDatabaseKind, sourceLocation: SourceLocation = #_sourceLocation, _ body: (Harness) async throws -> Void
) async throws {
    var logger = Logger(label: "reporting-test")
    logger.logLevel = .critical
    let registry = ScriptedFeed<Recs_Registry_V1_Event> { $0.sequence }
    let issuance = ScriptedFeed<Recs_Issuance_V1_Event> { $0.sequence }
    let transfer = ScriptedFeed<Recs_Transfer_V1_Event> { $0.sequence }
    let feeds = ReportingFeeds(registry: registry.fetch, issuance: issuance.fetch, transfer: transfer.fetch)
    try await withServedApplication(kind, sourceLocation: sourceLocation) { testDatabase in
        try await ReportingApplication.build(
            database: testDatabase.database, server: ServerConfiguration(port: 0), feeds: feeds, access: .unenforced, logger: logger)
    } _: { application, client, testDatabase in
        try await body(
            Harness(
                application: application, client: Recs_Reporting_V1_ReportingServiceClient(client), database: testDatabase,
                registry: registry, issuance: issuance, transfer: transfer))
    }
}

