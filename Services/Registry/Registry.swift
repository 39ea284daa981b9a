import ArgumentParser
import Foundation
import RegistryCore
import ServiceCommand

enum RegistryIdentity: ServiceIdentity {
    static let name = "registry"
    static let defaultPort = 50061
}

/// The registry service: organizations, accounts, subaccounts, users and generating units
/// (docs/API.md). Data: SQLite in DIR/registry.sqlite, or PostgreSQL when a database URL is given.
@main
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Serves recs.registry.v1.RegistryService, plus health and reflection.")

    @OptionGroup var options: ServiceOptions<RegistryIdentity>

    @Flag(
        name: .customLong("issue-admin-key"),
        help: ArgumentHelp(
            "Recovery of a lost administrator key: write a new one to <data-dir>/admin-api-key (refused while that file "
                + "exists; revoke the old key first). [env: RECS_ISSUE_ADMIN_KEY]"))
    var issueAdminKey = ["1", "true", "yes"].contains((ProcessInfo.processInfo.environment["RECS_ISSUE_ADMIN_KEY"] ?? "").lowercased())

    func run() async throws {
        let checks = try options.access()
        let clock = options.clock()
        try await ServiceMain.run(options) { storage, server, logger in
            // The administrator's first key goes to the data directory (ADR 0006).
            try await RegistryApplication.build(
                storage: storage, server: server,
                access: RegistryApplication.Access(
                    keyDirectory: URL(fileURLWithPath: options.dataDirectory), checks: checks, issueAdministratorKey: issueAdminKey),
                logger: logger, clock: clock)
        }
    }
}
