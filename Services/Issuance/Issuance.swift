import ArgumentParser
import IssuanceCore
import Logging
import RPC
import ServiceCommand

enum IssuanceIdentity: ServiceIdentity {
    static let name = "issuance"
    static let defaultPort = 50062
}

/// The issuance service: generation uploads, the Generation Activity Log, issuance cycles and
/// certificate batches (docs/API.md). Data: SQLite in DIR/issuance.sqlite, or PostgreSQL when a
/// database URL is given. Follows the registry's event feed for units and deposits batches through
/// the transfer service.
@main
struct IssuanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issuance",
        abstract: "Serves recs.issuance.v1.IssuanceService, plus health and reflection.")

    @OptionGroup var options: ServiceOptions<IssuanceIdentity>
    @OptionGroup var registry: RegistryPeer
    @OptionGroup var transfer: TransferPeer
    @OptionGroup var peerTLS: PeerTLS
    @OptionGroup var feeds: FeedPolling

    @Option(
        name: .customLong("deposit-retry-milliseconds"),
        help: "Milliseconds between attempts to deposit batches the transfer service has not taken yet.")
    var depositRetryMilliseconds: Int = 5_000

    func validate() throws {
        guard (100...3_600_000).contains(depositRetryMilliseconds) else {
            throw ValidationError("--deposit-retry-milliseconds must be 100 to 3600000")
        }
        try options.requirePeerCertificate(peerTLS)
    }

    func run() async throws {
        let registryClient = try registry.address().client(tls: options.peerTLS(peerTLS))
        let transferClient = try transfer.address().client(tls: options.peerTLS(peerTLS))
        let access = try options.access()
        let clock = options.clock()
        let interval = feeds.interval
        let retry = Duration.milliseconds(depositRetryMilliseconds)
        try await ServiceMain.run(options) { storage, server, logger in
            try await IssuanceApplication.build(
                storage: storage, server: server, registry: RegistryFeed.client(registryClient),
                transfer: TransferDepositor(client: transferClient), access: access, logger: logger, clock: clock)
        } background: { application, logger in
            [
                BackgroundWork("registry feed", every: interval) { _ = try await application.registryFollower.catchUp() },
                BackgroundWork("registry callers", every: interval) { _ = try await application.principalFeed.catchUp() },
                BackgroundWork("automatic issuance cycles (§12.2)", every: .seconds(60)) {
                    for line in try await application.runDueCycles() { logger.info("automatic issuance cycle", metadata: ["run": "\(line)"]) }
                },
                BackgroundWork("deposits to transfer (§14.2)", every: retry) {
                    guard await application.deposits.depositOutstanding() else {
                        throw BackgroundFailure("batches wait to be deposited: the transfer service did not take them")
                    }
                },
            ]
        }
        await registryClient.close()
        await transferClient.close()
    }
}
