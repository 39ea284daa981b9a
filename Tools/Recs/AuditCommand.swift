import ArgumentParser
import Foundation
import ProtoMessages
import ServiceKit

// recs audit verify: recomputes each service's audit chain (Operating Rules §7, §11; EventChain).

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The services' audit trails: hash chains of their events.", subcommands: [Verify.self])

    struct Verify: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every service's event chain; name the first event altered, removed or reordered (exit 1).",
            discussion: """
                Reads each feed from its first event (ListEvents: the administrator's key or a peer service's).
                Prints, per service, the number of events and the newest link; keep that link elsewhere and
                compare it later to detect a rewrite of the whole chain.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Services to verify (default: all four).")
        var services: [Service] = []

        func execute(_ session: Session) async throws {
            var broken = false
            for service in services.isEmpty ? Service.allCases : services {
                var verifier = EventChain.Verifier()
                var failure: EventChain.Break?
                do {
                    try await verify(service, session, &verifier)
                } catch let error as EventChain.Break {
                    failure = error
                }
                let head = verifier.previous.map { String(format: "%02x", $0) }.joined()
                var record: Record = [
                    "service": .string(service.rawValue), "events_verified": .number(verifier.count),
                    "intact": .bool(failure == nil), "head": .string(head),
                ]
                if let failure {
                    broken = true
                    record["first_break"] = .string(failure.description)
                    record["first_break_sequence"] = .number(failure.sequence)
                }
                session.printer.emit(record)
            }
            if broken { throw ExitCode.failure }
        }

        func verify(_ service: Service, _ session: Session, _ verifier: inout EventChain.Verifier) async throws {
            var after: Int64 = 0
            while true {
                let (events, last): ([any ChainedEvent], Int64)
                switch service {
                case .registry:
                    var request = Recs_Registry_V1_ListEventsRequest()
                    (request.afterSequence, request.limit) = (after, 1_000)
                    let response = try await session.registry.listEvents(request, options: session.callOptions)
                    (events, last) = (response.events, response.lastSequence)
                case .issuance:
                    var request = Recs_Issuance_V1_ListEventsRequest()
                    (request.afterSequence, request.limit) = (after, 1_000)
                    let response = try await session.issuance.listEvents(request, options: session.callOptions)
                    (events, last) = (response.events, response.lastSequence)
                case .transfer:
                    var request = Recs_Transfer_V1_ListEventsRequest()
                    (request.afterSequence, request.limit) = (after, 1_000)
                    let response = try await session.transfer.listEvents(request, options: session.callOptions)
                    (events, last) = (response.events, response.lastSequence)
                case .reporting:
                    var request = Recs_Reporting_V1_ListEventsRequest()
                    (request.afterSequence, request.limit) = (after, 1_000)
                    let response = try await session.reporting.listEvents(request, options: session.callOptions)
                    (events, last) = (response.events, response.lastSequence)
                }
                for event in events { try Self.check(event, &verifier) }
                if let newest = events.last?.sequence { after = newest }
                if events.isEmpty || after >= last {
                    // The newest event the service says it has must have been seen (a removed tail).
                    if verifier.count < last {
                        throw EventChain.Break(kind: .missing, sequence: verifier.count + 1, detail: "the feed ends at \(last)")
                    }
                    return
                }
            }
        }

        static func check(_ event: any ChainedEvent, _ verifier: inout EventChain.Verifier) throws {
            try verifier.check(event)
        }
    }
}
