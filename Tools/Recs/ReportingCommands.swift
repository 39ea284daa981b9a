import ArgumentParser
import ProtoMessages

// recs lookup, recs generators: the reporting service.

struct Lookup: RecsCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look up certificates by serial number: status, holder and every certificate field (§20).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A serial range unit-state-batch-first-last (a single certificate is n-n).", transform: Parse.serialRange)
    var serialRange: Recs_Common_V1_SerialRange

    func execute(_ session: Session) async throws {
        var request = Recs_Reporting_V1_LookUpSerialNumbersRequest()
        request.serialRange = serialRange
        var response = try await session.reporting.lookUpSerialNumbers(request, options: session.callOptions)
        response.statuses = try await everyPage((response.statuses, response.page)) { token in
            request.page = pageRequest(after: token)
            let page = try await session.reporting.lookUpSerialNumbers(request, options: session.callOptions)
            return (page.statuses, page.page)
        }
        let positions: [OutputValue] = response.positions.map {
            .record([
                "service": .string($0.service), "applied_sequence": .int($0.appliedSequence),
                "last_known_sequence": .int($0.lastKnownSequence),
            ])
        }
        session.printer.emit(list: "statuses", response.statuses.map(\.record), extra: ["positions": .list(positions)])
    }
}

struct Generators: RecsCommand {
    static let configuration = CommandConfiguration(abstract: "The public list of active generators (§19.2.2).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var page: PageOptions

    func execute(_ session: Session) async throws {
        var request = Recs_Reporting_V1_ListActiveGeneratorsRequest()
        request.page = page.proto
        let response = try await session.reporting.listActiveGenerators(request, options: session.callOptions)
        session.printer.emit(list: "generators", response.generators.map(\.record), extra: pageFooter(response.page))
    }
}
