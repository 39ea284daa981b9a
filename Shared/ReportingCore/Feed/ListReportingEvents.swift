import ProtoMessages
import ServiceKit

/// Reporting's own feed (docs/API.md, event feeds). Nothing writes to it yet (templates, export
/// requests and retrievals will), so it is empty with last_sequence 0; the contract holds.
struct ListReportingEvents {
    let store: ReportingStore

    func handle(_ request: Recs_Reporting_V1_ListEventsRequest) async throws -> Recs_Reporting_V1_ListEventsResponse {
        let after = try EventPaging.after(request.afterSequence)
        let limit = try EventPaging.limit(request.limit)
        let page = try await store.events(after: after, limit: limit)
        var response = Recs_Reporting_V1_ListEventsResponse()
        response.events = page.events
        response.lastSequence = page.last
        return response
    }
}
