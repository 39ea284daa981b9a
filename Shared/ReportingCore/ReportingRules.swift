import GRPCWire
import ProtoMessages
import ServiceKit

/// The reporting service's checks of request fields that several use cases share.
enum ReportingRules {
    /// docs/API.md, paging: 0 means 100, more than 1000 means 1000.
    static func pageSize(_ page: Recs_Common_V1_PageRequest?) throws -> Int {
        try Paging(page).size
    }
}
