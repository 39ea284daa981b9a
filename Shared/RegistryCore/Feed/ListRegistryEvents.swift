import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// The registry's feed (docs/API.md, event feeds): every change of an organization, login, key or
/// unit in commit order, for the services that follow it.
struct ListRegistryEvents {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_ListEventsRequest) async throws -> Recs_Registry_V1_ListEventsResponse {
        let after = try EventPaging.after(request.afterSequence)
        let limit = try EventPaging.limit(request.limit)
        return try await journal.read { transaction in
            var response = Recs_Registry_V1_ListEventsResponse()
            response.events = try transaction.registryEvents(after: after, limit: limit)
            response.lastSequence = try transaction.lastEventSequence()
            return response
        }
    }
}
