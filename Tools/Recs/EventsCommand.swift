import ArgumentParser
import ProtoMessages

/// `recs events SERVICE`: a page of a service's event feed (ListEvents).
struct Events: RecsCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a service's events in commit order: registry, issuance, transfer or reporting.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "registry, issuance, transfer or reporting.")
    var service: Service

    @Option(help: "Only events with a larger sequence.")
    var after: Int64 = 0

    @Option(help: "At most this many (0: the service's default, 100).")
    var limit: Int32 = 0

    func validate() throws {
        if after < 0 { throw ValidationError("--after must not be negative") }
        if limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func execute(_ session: Session) async throws {
        let options = session.callOptions
        switch service {
        case .registry:
            let response = try await session.registry.listEvents(request(), options: options)
            emit(session, response.events, lastSequence: response.lastSequence)
        case .issuance:
            let response = try await session.issuance.listEvents(request(), options: options)
            emit(session, response.events, lastSequence: response.lastSequence)
        case .transfer:
            let response = try await session.transfer.listEvents(request(), options: options)
            emit(session, response.events, lastSequence: response.lastSequence)
        case .reporting:
            let response = try await session.reporting.listEvents(request(), options: options)
            emit(session, response.events, lastSequence: response.lastSequence)
        }
    }

    private func request<Request: EventsRequest>() -> Request {
        var request = Request()
        request.afterSequence = after
        request.limit = limit
        return request
    }

    private func emit(_ session: Session, _ events: [some FeedEvent], lastSequence: Int64) {
        session.printer.emit(list: "events", events.map(\.record), extra: ["last_sequence": .int(lastSequence)])
    }
}

/// The four services' ListEventsRequest messages have the same fields.
protocol EventsRequest {
    init()
    var afterSequence: Int64 { get set }
    var limit: Int32 { get set }
}

extension Recs_Registry_V1_ListEventsRequest: EventsRequest {}
extension Recs_Issuance_V1_ListEventsRequest: EventsRequest {}
extension Recs_Transfer_V1_ListEventsRequest: EventsRequest {}
extension Recs_Reporting_V1_ListEventsRequest: EventsRequest {}

/// The four services' Event messages share their envelope; only the payload oneof differs.
protocol FeedEvent {
    associatedtype Payload
    var sequence: Int64 { get }
    var at: Recs_Common_V1_Timestamp? { get }
    var actor: Recs_Common_V1_Actor? { get }
    var action: String { get }
    var requestId: String { get }
    var payload: Payload? { get }
}

extension Recs_Registry_V1_Event: FeedEvent {}
extension Recs_Issuance_V1_Event: FeedEvent {}
extension Recs_Transfer_V1_Event: FeedEvent {}
extension Recs_Reporting_V1_Event: FeedEvent {}

extension FeedEvent {
    var record: Record {
        let actor: Record? = self.actor.map {
            ["kind": .name($0.kind), "id": .string($0.id), "organization_id": .string($0.organizationId)]
        }
        let (kind, id) = payloadSummary
        return [
            "sequence": .int(sequence), "at": .time(at), "action": .string(action), "request_id": .string(requestId),
            "actor": actor.map(OutputValue.record), "payload": kind.map(OutputValue.name), "payload_id": id.map(OutputValue.string),
        ]
    }

    /// The payload's case (e.g. `generatingUnit`) and the first non-empty `…Id` field of its
    /// message (e.g. the unit id): enough to find the record with a `get` command. Read by
    /// reflection so that one summary serves every feed's oneof.
    private var payloadSummary: (kind: String?, id: String?) {
        guard let payload, let choice = Mirror(reflecting: payload).children.first else { return (nil, nil) }
        let id = Mirror(reflecting: choice.value).children.lazy
            .compactMap { child -> String? in
                guard let label = child.label, label.hasSuffix("Id"), let text = child.value as? String, !text.isEmpty
                else { return nil }
                return text
            }.first
        return (choice.label, id ?? (choice.value as? String))
    }
}
