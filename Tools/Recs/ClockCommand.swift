import ArgumentParser
import Foundation
import ProtoMessages
import ProtoServices

// recs clock ...: the simulated time of services started with --test-clock (ADR 0007), moved on
// all four at once, in the order their work depends on each other.

struct ClockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock",
        abstract: "FOR TESTS: the simulated time of services started with --test-clock (administrator).",
        subcommands: [Show.self, Set.self, Advance.self])

    /// Registry first, then transfer (expiries), issuance (cycles, which deposit into transfer),
    /// reporting.
    static let order: [Service] = [.registry, .transfer, .issuance, .reporting]

    static func emit(_ service: Service, _ time: Recs_Testing_V1_ClockTime, _ session: Session) {
        session.printer.emit([
            "service": .string(service.rawValue), "time": .time(time.time), "time_zone": .string(time.timeZone),
            "work_done": .strings(time.workDone),
        ])
    }

    struct Show: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Each service's time.")
        @OptionGroup var global: GlobalOptions

        func execute(_ session: Session) async throws {
            for service in ClockCommand.order {
                let client = Recs_Testing_V1_TestClockClient(try session.client(service))
                ClockCommand.emit(service, try await client.getTime(Recs_Testing_V1_GetTimeRequest(), options: session.callOptions), session)
            }
        }
    }

    struct Set: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set every service's time (ISO 8601, e.g. 2025-02-10T12:00:00Z); work due up to it runs.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The time, ISO 8601 with a zone.", transform: ClockCommand.instant) var time: Date

        func execute(_ session: Session) async throws {
            var request = Recs_Testing_V1_SetTimeRequest()
            var timestamp = Recs_Common_V1_Timestamp()
            timestamp.unixSeconds = Int64(time.timeIntervalSince1970)
            request.time = timestamp
            for service in ClockCommand.order {
                let client = Recs_Testing_V1_TestClockClient(try session.client(service))
                ClockCommand.emit(service, try await client.setTime(request, options: session.callOptions), session)
            }
        }
    }

    struct Advance: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move every service's time forward (e.g. 14d, 90d, 12h, 1d6h30m); returns once the work due has run.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "How far: days d, hours h, minutes m, seconds s.", transform: ClockCommand.duration) var seconds: Int64

        func execute(_ session: Session) async throws {
            var request = Recs_Testing_V1_AdvanceRequest()
            request.seconds = seconds
            for service in ClockCommand.order {
                let client = Recs_Testing_V1_TestClockClient(try session.client(service))
                ClockCommand.emit(service, try await client.advance(request, options: session.callOptions), session)
            }
        }
    }

    static func instant(_ text: String) throws -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw ValidationError("\"\(text)\" is not an ISO 8601 time with a zone, e.g. 2025-02-10T12:00:00Z")
        }
        return date
    }

    static func duration(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        var total: Int64 = 0
        var number = ""
        for character in text {
            if character.isASCII, character.isNumber {
                number.append(character)
            } else if let unit = units[character], let value = Int64(number), value > 0 {
                total += value * unit
                number = ""
            } else {
                throw ValidationError("\"\(text)\" is not a duration like 14d, 12h, 1d6h30m")
            }
        }
        guard number.isEmpty, total > 0 else { throw ValidationError("\"\(text)\" is not a duration like 14d, 12h, 1d6h30m") }
        return total
    }
}
