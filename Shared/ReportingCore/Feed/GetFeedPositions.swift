import ProtoMessages
import ProtoServices

/// GetFeedPositions: how far reporting has applied the feeds it follows; every answer built from
/// the read models reports them too.
struct GetFeedPositions {
    let store: ReportingStore
    let followers: ReportingFollowers

    func handle(_ request: Recs_Reporting_V1_GetFeedPositionsRequest) async throws -> Recs_Reporting_V1_GetFeedPositionsResponse {
        var response = Recs_Reporting_V1_GetFeedPositionsResponse()
        response.positions = try await positions()
        return response
    }

    /// The followed feeds, by producing service: position applied, when, and the newest sequence
    /// the producer reported to this process.
    func positions() async throws -> [Recs_Reporting_V1_FeedPosition] {
        let stored = try await store.feedPositions()
        let feeds = [
            (ReportingFeeds.registryName, Recs_Registry_V1_RegistryService.name),
            (ReportingFeeds.issuanceName, Recs_Issuance_V1_IssuanceService.name),
            (ReportingFeeds.transferName, Recs_Transfer_V1_TransferService.name),
        ]
        return feeds.map { feed, service in
            var position = Recs_Reporting_V1_FeedPosition()
            position.service = service
            position.appliedSequence = stored[feed]?.position ?? 0
            position.lastKnownSequence = max(followers.lastKnownSequence(of: feed), position.appliedSequence)
            if let at = stored[feed]?.updatedAtMilliseconds {
                var timestamp = Recs_Common_V1_Timestamp()
                timestamp.unixSeconds = at / 1_000
                position.appliedAt = timestamp
            }
            return position
        }
    }
}
