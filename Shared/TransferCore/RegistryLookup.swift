import GRPCWire
import Logging
import RPC
import ServiceKit

/// What the transfer service knows of the registry's records (organizations' subaccounts) comes
/// from the registry's feed only (issue 7). A request naming something not known yet catches up
/// with the feed first; when the registry cannot be read, the request is UNAVAILABLE (not recorded,
/// so the same request id may be retried) rather than refused for good.
struct RegistryLookup: Sendable {
    let store: TransferStore
    let feed: RegistryFeed.Follower?
    let logger: Logger

    func ensureKnown(_ known: @escaping @Sendable (inout JournalTransaction) throws -> Bool) async throws {
        if try await store.journal.read(known) { return }
        guard let feed else { return }
        do {
            try await feed.catchUp()
        } catch {
            logger.warning("could not catch up with the registry's feed", metadata: ["error": "\(error)"])
            throw RPCError(
                .unavailable, "the registry's records could not be read to check the request; retry with the same request_id")
        }
    }
}
