import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// The issuance service's feed (docs/API.md, event feeds): every change in commit order, for the
/// services that follow it and the administrator.
struct ListIssuanceEvents {
    let store: IssuanceStore

    func handle(_ request: Recs_Issuance_V1_ListEventsRequest) async throws -> Recs_Issuance_V1_ListEventsResponse {
        let after = try EventPaging.after(request.afterSequence)
        let limit = try EventPaging.limit(request.limit)
        return try await store.read { transaction in
            var response = Recs_Issuance_V1_ListEventsResponse()
            response.events = try transaction.chainedEvents(after: after, limit: limit, as: Recs_Issuance_V1_Event.self)
            response.lastSequence = try transaction.lastEventSequence()
            return response
        }
    }
}
