import ArgumentParser
import Foundation
import Logging
import ServiceCommand
import ServiceKit
import TransferCore

enum TransferIdentity: ServiceIdentity {
    static let name = "transfer"
    static let defaultPort = 50063
}

/// The transfer service: deposits, inter-account transfers, retirement, event feed (docs/API.md).
/// It follows the registry's event feed for subaccounts. Data: SQLite in DIR/transfer.sqlite, or
/// PostgreSQL when a database URL is given.
@main
struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Serves recs.transfer.v1.TransferService, plus health and reflection.")

    @OptionGroup var options: ServiceOptions<TransferIdentity>
    @OptionGroup var registry: RegistryPeer
    @OptionGroup var peerTLS: PeerTLS
    @OptionGroup var feeds: FeedPolling

    @Option(
        name: .customLong("expiry-sweep-seconds"),
        help: "Seconds between sweeps that expire 14-day-old pending transfers (§15.2, §15.3). [env: RECS_TRANSFER_EXPIRY_SWEEP_SECONDS]")
    var expirySweepSeconds: Int = Int(ProcessInfo.processInfo.environment["RECS_TRANSFER_EXPIRY_SWEEP_SECONDS"] ?? "") ?? 60

    func validate() throws {
        if expirySweepSeconds < 1 { throw ValidationError("--expiry-sweep-seconds must be at least 1") }
        try options.requirePeerCertificate(peerTLS)
    }

    func run() async throws {
        let registryClient = try registry.address().client(tls: options.peerTLS(peerTLS))
        let access = try options.access()
        let clock = options.clock()
        let interval = expirySweepSeconds
        let polling = feeds.interval
        do {
            try await ServiceMain.run(options) { storage, server, logger in
                try await TransferApplication.build(
                    storage: storage, server: server, access: access, logger: logger, clock: clock,
                    registryEvents: FeedSources.registry(registryClient))
            } background: { application, logger in
                [
                    BackgroundWork("registry feed", every: polling) { _ = try await application.registryFeed?.catchUp() },
                    BackgroundWork("registry callers", every: polling) { _ = try await application.principalFeed?.catchUp() },
                    BackgroundWork("transfer expiry (§15.2)", every: .seconds(interval)) {
                        let expired = try await application.service.expirePendingTransfers(now: clock.now())
                        if !expired.isEmpty { logger.info("transfers expired", metadata: ["count": "\(expired.count)"]) }
                    },
                ]
            }
        } catch {
            await registryClient.close()
            throw error
        }
        await registryClient.close()
    }
}
