import Domain
import GRPCWire
import ProtoMessages
import Storage

/// An event of a service's feed that carries its link in the service's audit chain.
public protocol ChainedEvent: ProtoMessage {
    var sequence: Int64 { get }
    var chainHash: [UInt8] { get set }
}

extension Recs_Registry_V1_Event: ChainedEvent {}
extension Recs_Issuance_V1_Event: ChainedEvent {}
extension Recs_Transfer_V1_Event: ChainedEvent {}
extension Recs_Reporting_V1_Event: ChainedEvent {}

/// Each service's events form a hash chain (Operating Rules §7: who changed what, §11): every
/// stored event keeps SHA-256 of the previous event's link followed by its own encoding, so an
/// event altered, removed or reordered in the database no longer matches the chain. The services
/// write the links as they append (``JournalTransaction/appendEvent(action:_:)``) and serve them
/// in `chain_hash`; `recs audit verify` recomputes them (``Verifier``).
///
/// What it does not stop: someone who can rewrite the database and recompute every later link.
/// Comparing the newest link with one kept elsewhere (`recs audit verify` prints it) detects that too.
public enum EventChain {
    /// The link before the first event.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func link(previous: [UInt8], payload: [UInt8]) -> [UInt8] {
        SHA256.hash(previous + payload)
    }

    /// Where a chain stops matching.
    public struct Break: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable { case missing, altered, outOfOrder }
        public let kind: Kind
        public let sequence: Int64
        public let detail: String

        public init(kind: Kind, sequence: Int64, detail: String) {
            self.kind = kind
            self.sequence = sequence
            self.detail = detail
        }

        public var description: String {
            switch kind {
            case .missing: "event \(sequence) is missing (removed): \(detail)"
            case .altered: "event \(sequence) was altered: \(detail)"
            case .outOfOrder: "event \(sequence) is out of order: \(detail)"
            }
        }
    }

    /// Checks a feed event by event, from the first.
    public struct Verifier: Sendable {
        public private(set) var previous = EventChain.genesis
        public private(set) var count: Int64 = 0

        public init() {}

        /// The next event of the feed, in the order served.
        public mutating func check<Event: ChainedEvent>(_ event: Event) throws(Break) {
            let expected = count + 1
            if event.sequence > expected {
                throw Break(kind: .missing, sequence: expected, detail: "the feed goes from \(count) to \(event.sequence)")
            }
            if event.sequence < expected {
                throw Break(kind: .outOfOrder, sequence: event.sequence, detail: "it comes after event \(count)")
            }
            var unlinked = event
            unlinked.chainHash = []
            let link = EventChain.link(previous: previous, payload: unlinked.protobufBytes())
            guard link == event.chainHash else {
                throw Break(
                    kind: .altered, sequence: event.sequence,
                    detail: event.chainHash.isEmpty
                        ? "it has no link" : "its content or position does not match the link stored when it was written")
            }
            previous = link
            count = expected
        }
    }
}

extension JournalTransaction {
    /// Rows read per query while filling a page: a page never holds more than this many stored
    /// events beyond its budget in memory, however large they are.
    static let eventRowsPerReadMax = 16

    /// The events after `sequence`, oldest first, each with its link: at most `limit`, and no more
    /// than fit in `bytesMax` bytes of encoded events (``Limits/feedPageBytesMax``), but always at
    /// least one, so a follower always advances. Issue 8: two large events used to push a whole
    /// page past the 4 MiB message limit, and every follower of the feed stalled on it for good.
    public mutating func chainedEvents<Event: ChainedEvent>(
        after sequence: Int64, limit: Int, bytesMax: Int = Limits.feedPageBytesMax, as type: Event.Type
    ) throws -> [Event] {
        var events: [Event] = []
        var bytes = 0
        var after = sequence
        while events.count < limit {
            let chunk = min(limit - events.count, Self.eventRowsPerReadMax)
            let rows = try sql.query(
                "SELECT sequence, payload, chain_hash FROM events WHERE sequence > $1 ORDER BY sequence LIMIT $2",
                .int64(after), .int64(Int64(chunk)))
            for row in rows {
                let payload = try row.bytes("payload")
                let chainHash = try row.optionalBytes("chain_hash") ?? []
                // The event's share of the response: its bytes, the link, and their field headers.
                let size = payload.count + chainHash.count + Self.eventOverheadBytes
                if !events.isEmpty, bytes + size > bytesMax { return events }
                var event = try Event(protobufBytes: payload)
                event.chainHash = chainHash
                events.append(event)
                bytes += size
                after = try row.int64("sequence")
            }
            if rows.count < chunk { break }
        }
        return events
    }

    /// What an event adds to a `ListEventsResponse` besides its payload and link: the `events` tag
    /// and length, the `chain_hash` tag and length (generous).
    static let eventOverheadBytes = 16
}

extension ServiceSchema {
    /// Adds the audit chain to a service's `events` table and links the events already stored, in
    /// order (the first migration of the chain; later events are linked as they are appended).
    public static func chainMigration(_ name: String) -> Migration {
        Migration(
            name: name, statements: [],
            overrides: [
                .sqlite: ["ALTER TABLE events ADD COLUMN chain_hash BLOB CHECK (chain_hash IS NULL OR length(chain_hash) = 32)"],
                .postgres: ["ALTER TABLE events ADD COLUMN chain_hash BYTEA CHECK (chain_hash IS NULL OR length(chain_hash) = 32)"],
            ],
            transform: { sql in
                var previous = EventChain.genesis
                for row in try sql.query("SELECT sequence, payload FROM events ORDER BY sequence") {
                    let link = EventChain.link(previous: previous, payload: try row.bytes("payload"))
                    try sql.execute("UPDATE events SET chain_hash = $2 WHERE sequence = $1", .int64(try row.int64("sequence")), .bytes(link))
                    previous = link
                }
            })
    }
}

/// A service's `Event` message as the journal writes it: every service's has the same head.
public protocol JournalEvent: ChainedEvent {
    init()
    var sequence: Int64 { get set }
    var at: Recs_Common_V1_Timestamp? { get set }
    var actor: Recs_Common_V1_Actor? { get set }
    var action: String { get set }
    var requestId: String { get set }
}

extension Recs_Registry_V1_Event: JournalEvent {}
extension Recs_Issuance_V1_Event: JournalEvent {}
extension Recs_Transfer_V1_Event: JournalEvent {}
extension Recs_Reporting_V1_Event: JournalEvent {}

extension JournalTransaction {
    /// ``now`` as the API writes an instant.
    public var timestamp: Recs_Common_V1_Timestamp {
        var timestamp = Recs_Common_V1_Timestamp()
        timestamp.unixSeconds = nowSeconds
        return timestamp
    }

    /// Appends an event of this request to the service's feed: its sequence, time, actor (the
    /// request's unless `actor` is given), action and request id, then what `fill` sets (the payload).
    public mutating func appendEvent<Event: JournalEvent>(
        _ type: Event.Type, action: String, actor: Recs_Common_V1_Actor? = nil, _ fill: (inout Event) -> Void
    ) throws {
        var event = Event()
        (event.at, event.actor, event.action, event.requestId) = (timestamp, actor ?? self.actor, action, requestID)
        fill(&event)
        try appendEvent(action: action) { sequence in
            event.sequence = sequence
            return event.protobufBytes()
        }
    }
}
