import ArgumentParser
import ProtoMessages

/// `recs`: the command-line client of the registry's four services (docs/API.md).
@main
struct Recs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recs",
        abstract: "Command-line client of the recs registry, issuance, transfer and reporting services.",
        discussion: """
            Output is `key: value` lines, one block per record (--json: one JSON object per \
            response). A failed call prints `error: STATUS: message` and its rule violations on \
            stderr and exits 1; a usage error exits 64. Mutating commands print the request id they \
            used on stderr: retry with --request-id to be sure the change happens at most once. \
            Options, --json included, follow the subcommand: `recs org list --json`.
            """,
        subcommands: [
            Health.self, WhoAmI.self, Key.self, UserCommand.self, Org.self, Unit.self, Generation.self, Issuance.self, TransferCommand.self,
            Retire.self, Holdings.self, Lookup.self, Generators.self, Events.self, Audit.self, ClockCommand.self,
        ])
}

/// `--page-size` and `--page-token` of list commands.
struct PageOptions: ParsableArguments {
    @Option(name: .customLong("page-size"), help: "At most this many records (0: the service's default, 100).")
    var pageSize: Int32 = 0

    @Option(name: .customLong("page-token"), help: "The next_page_token printed by the previous page.")
    var pageToken: String = ""

    var proto: Recs_Common_V1_PageRequest {
        var page = Recs_Common_V1_PageRequest()
        (page.pageSize, page.pageToken) = (pageSize, pageToken)
        return page
    }

    func validate() throws {
        if pageSize < 0 { throw ValidationError("--page-size must not be negative") }
    }
}

/// What a list response prints after its records.
func pageFooter(_ page: Recs_Common_V1_PageResponse?) -> Record {
    guard let token = page?.nextPageToken, !token.isEmpty else { return Record() }
    return ["next_page_token": .string(token)]
}

/// The request of the page after `token`, of the service's default size.
func pageRequest(after token: String) -> Recs_Common_V1_PageRequest {
    var page = Recs_Common_V1_PageRequest()
    page.pageToken = token
    return page
}

/// The items of a list the service answers in pages (docs/API.md, Paging), every page read:
/// `first` holds the first page and the token of the next, `next` reads the page after a token.
func everyPage<Item>(
    _ first: ([Item], Recs_Common_V1_PageResponse?),
    _ next: (String) async throws -> ([Item], Recs_Common_V1_PageResponse?)
) async throws -> [Item] {
    var (items, page) = first
    while let token = page?.nextPageToken, !token.isEmpty {
        let more: [Item]
        (more, page) = try await next(token)
        items += more
    }
    return items
}
