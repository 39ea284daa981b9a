import ProtoMessages
import ProtoServices
import RPC

/// Each service's `ListEvents` as a ``FeedFollower`` fetch: what a follower in another process
/// reads. Every call has a deadline, so a peer that stops answering fails the catch-up (retried on
/// the next poll) instead of holding the follower, and every request waiting on it, forever.
public enum FeedSources {
    public static let callTimeout: Duration = .seconds(10)

    static var options: CallOptions { CallOptions(timeout: callTimeout) }

    public static func registry(_ client: RPCClient) -> FeedFollower<Recs_Registry_V1_Event>.Fetch {
        let registry = Recs_Registry_V1_RegistryServiceClient(client)
        return { after, limit in
            var request = Recs_Registry_V1_ListEventsRequest()
            (request.afterSequence, request.limit) = (after, limit)
            let response = try await registry.listEvents(request, options: options)
            return (response.events, response.lastSequence)
        }
    }

    public static func issuance(_ client: RPCClient) -> FeedFollower<Recs_Issuance_V1_Event>.Fetch {
        let issuance = Recs_Issuance_V1_IssuanceServiceClient(client)
        return { after, limit in
            var request = Recs_Issuance_V1_ListEventsRequest()
            (request.afterSequence, request.limit) = (after, limit)
            let response = try await issuance.listEvents(request, options: options)
            return (response.events, response.lastSequence)
        }
    }

    public static func transfer(_ client: RPCClient) -> FeedFollower<Recs_Transfer_V1_Event>.Fetch {
        let transfer = Recs_Transfer_V1_TransferServiceClient(client)
        return { after, limit in
            var request = Recs_Transfer_V1_ListEventsRequest()
            (request.afterSequence, request.limit) = (after, limit)
            let response = try await transfer.listEvents(request, options: options)
            return (response.events, response.lastSequence)
        }
    }
}
