import ArgumentParser
import ReportingCore
import ServiceCommand
import ServiceKit

enum ReportingIdentity: ServiceIdentity {
    static let name = "reporting"
    static let defaultPort = 50064
}

/// The reporting service: read models built from the registry, issuance and transfer event feeds
/// (docs/API.md, event feeds), served as recs.reporting.v1.ReportingService. The feeds are polled
/// in the background; a peer that is down is retried at the next poll, and the service still serves
/// what it has applied (GetFeedPositions says how far that is).
@main
struct ReportingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reporting",
        abstract: "Serves recs.reporting.v1.ReportingService, plus health and reflection, from the other services' feeds.")

    @OptionGroup var options: ServiceOptions<ReportingIdentity>
    @OptionGroup var registry: RegistryPeer
    @OptionGroup var issuance: IssuancePeer
    @OptionGroup var transfer: TransferPeer
    @OptionGroup var peerTLS: PeerTLS
    @OptionGroup var feeds: FeedPolling

    func validate() throws {
        try options.requirePeerCertificate(peerTLS)
    }

    func run() async throws {
        let tls = options.peerTLS(peerTLS)
        let access = try options.access()
        let clock = options.clock()
        let sources = ReportingFeeds.remote(
            registry: try registry.address().client(tls: tls), issuance: try issuance.address().client(tls: tls),
            transfer: try transfer.address().client(tls: tls))
        let interval = feeds.interval
        try await ServiceMain.run(options) { storage, server, logger in
            try await ReportingApplication.build(storage: storage, server: server, feeds: sources, access: access, logger: logger, clock: clock)
        } background: { application, _ in
            application.followers.all.map { follower in BackgroundWork(follower.name, every: interval, follower.catchUp) }
        }
    }
}
