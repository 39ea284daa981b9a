import Domain
import GRPCWire
import ProtoMessages
import ServiceKit
import Testing

/// docs/API.md, Paging: page sizes, tokens, and pages bounded by count and by bytes that always
/// advance and partition the list.
@Suite("Paging")
struct PagingTests {
    static func request(size: Int32 = 0, token: String = "") -> Recs_Common_V1_PageRequest {
        var page = Recs_Common_V1_PageRequest()
        (page.pageSize, page.pageToken) = (size, token)
        return page
    }

    /// Items of `bytes` bytes each, keyed by their position from 1.
    static func items(_ count: Int, bytes: Int) -> [(key: String, item: Recs_Common_V1_RuleViolation)] {
        (1...count).map { index in
            var violation = Recs_Common_V1_RuleViolation()
            violation.line = Int32(index)
            violation.message = String(repeating: "x", count: bytes)
            return (String(index), violation)
        }
    }

    /// Every page of `items` read with `paging`'s size and `bytesMax`, as a reader would.
    static func readAll(
        _ items: [(key: String, item: Recs_Common_V1_RuleViolation)], size: Int32, bytesMax: Int
    ) throws -> [[Int32]] {
        var pages: [[Int32]] = []
        var token = ""
        repeat {
            let paging = try Paging(request(size: size, token: token))
            let after = try paging.afterNumber() ?? 0
            let remaining = Array(items.drop { Int64($0.key)! <= after }.prefix(paging.size + 1))
            let (page, next) = paging.fill(remaining, bytesMax: bytesMax)
            pages.append(page.map(\.line))
            token = next.nextPageToken
        } while !token.isEmpty && pages.count <= items.count
        return pages
    }

    @Test("page_size 0 means 100, more than 1000 means 1000, negative is INVALID_ARGUMENT naming the field")
    func sizes() throws {
        #expect(try Paging(nil).size == Limits.pageSizeDefault)
        #expect(try Paging(Self.request(size: 7)).size == 7)
        #expect(try Paging(Self.request(size: 5_000)).size == Limits.pageSizeMax)
        #expect(throws: RPCError.self) { try Paging(Self.request(size: -1), field: "units_page") }
        do {
            _ = try Paging(Self.request(size: -1), field: "units_page")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument && error.message.contains("units_page.page_size"))
        }
    }

    @Test("Numeric tokens: canonical, not negative; anything else names <field>.page_token", arguments: ["x", "-1", "01", "+1", "1 ", ""])
    func numericTokens(token: String) throws {
        let paging = try Paging(Self.request(token: token), field: "records_page")
        if token.isEmpty {
            #expect(try paging.afterNumber() == nil)
            return
        }
        do {
            _ = try paging.afterNumber()
            Issue.record("\(token) was taken")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument && error.message.contains("records_page.page_token"))
        }
    }

    @Test("Pages bounded by bytes: at least one item each, none lost or repeated", arguments: [(1, 10), (10, 5), (100, 100), (1_000, 3)])
    func bytesBound(itemsPerPage: Int32, itemKilobytes: Int) throws {
        let items = Self.items(57, bytes: itemKilobytes * 1_024)
        let bytesMax = 16 * 1_024
        let pages = try Self.readAll(items, size: itemsPerPage, bytesMax: bytesMax)
        #expect(pages.flatMap { $0 } == Array(1...57), "the pages partition the list")
        #expect(pages.allSatisfy { !$0.isEmpty && $0.count <= Int(itemsPerPage) })
        for page in pages where page.count > 1 {
            #expect(page.count * (itemKilobytes * 1_024) <= bytesMax, "a page of several items stays within its bytes")
        }
    }

    @Test("The default bound keeps a page of the largest size far under the 4 MiB message limit")
    func defaultBound() throws {
        let items = Self.items(1_001, bytes: 4_000)
        let (page, next) = try Paging(Self.request(size: 1_000)).fill(items)
        let bytes = page.reduce(0) { $0 + $1.protobufBytes().count + 6 }
        #expect(bytes <= Limits.listPageBytesMax && page.count < 1_000)
        #expect(next.nextPageToken == String(page.count))
    }
}
