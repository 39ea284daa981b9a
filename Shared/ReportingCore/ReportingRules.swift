import GRPCWire
import ProtoMessages
import ServiceKit

/// The reporting service's checks of request fields that several use cases share.
enum ReportingRules {
    /// docs/API.md, paging: 0 means 100, more than 1000 means 1000.
    static func pageSize(_ page: Recs_Common_V1_PageRequest?) throws -> Int {
        let requested = page?.pageSize ?? 0
        guard requested >= 0 else { throw ServiceErrors.invalid("page.page_size", "must not be negative") }
        return requested == 0 ? ReportingService.pageSizeDefault : min(Int(requested), ReportingService.pageSizeMax)
    }
}
