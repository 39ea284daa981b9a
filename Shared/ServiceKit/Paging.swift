import Domain
import GRPCWire
import ProtoMessages

/// docs/API.md, Paging: how every paged list reads its `PageRequest` and fills its page. A page is
/// keyed by something stable in the list's order (a line number, a unit id, a certificate number):
/// the token is the key of the previous page's last item, and the next page starts after it, so
/// the pages partition the list however it is read.
public struct Paging: Sendable {
    /// Items on the page at most: `page_size`, 0 meaning ``Limits/pageSizeDefault``, more than
    /// ``Limits/pageSizeMax`` meaning that.
    public let size: Int
    /// The previous page's token; empty on the first page.
    public let token: String
    /// The request's `PageRequest` field, named in errors (`records_page`).
    public let field: String

    public init(_ page: Recs_Common_V1_PageRequest?, field: String = "page") throws {
        let page = page ?? Recs_Common_V1_PageRequest()
        guard page.pageSize >= 0 else { throw ServiceErrors.invalid("\(field).page_size", "must not be negative") }
        size = page.pageSize == 0 ? Limits.pageSizeDefault : min(Int(page.pageSize), Limits.pageSizeMax)
        token = page.pageToken
        self.field = field
    }

    /// The key the previous page ended at, nil on the first page; INVALID_ARGUMENT naming
    /// `<field>.page_token` when `parse` does not take the token.
    public func after<Key>(_ parse: (String) -> Key?) throws -> Key? {
        guard !token.isEmpty else { return nil }
        guard let key = parse(token) else {
            throw ServiceErrors.invalid(
                "\(field).page_token", "\"\(token.prefix(64))\" was not returned by this method (docs/API.md, Paging)")
        }
        return key
    }

    /// A key that is a number, 0 or more.
    public func afterNumber() throws -> Int64? {
        try after { text in Int64(text).flatMap { $0 >= 0 && String($0) == text ? $0 : nil } }
    }

    /// A page from `candidates`, read in key order with one more than ``size`` when more remain:
    /// at most ``size`` items and `bytesMax` bytes of encoded items, but always at least one, so a
    /// reader always advances. The next token is the key of the last item kept when any item is
    /// left out (``Limits/listPageBytesMax`` keeps a page far under the 4 MiB message limit).
    public func fill<Item: ProtoMessage>(
        _ candidates: [(key: String, item: Item)], bytesMax: Int = Limits.listPageBytesMax
    ) -> (items: [Item], next: Recs_Common_V1_PageResponse) {
        var items: [Item] = []
        var bytes = 0
        for candidate in candidates.prefix(size) {
            // The item's bytes, its field tag and its length prefix.
            let itemBytes = candidate.item.protobufBytes().count + Self.itemOverheadBytes
            if !items.isEmpty, bytes + itemBytes > bytesMax { break }
            items.append(candidate.item)
            bytes += itemBytes
        }
        var next = Recs_Common_V1_PageResponse()
        if items.count < candidates.count { next.nextPageToken = candidates[items.count - 1].key }
        return (items, next)
    }

    /// A repeated field's tag and an item's length prefix (at most five bytes), generously.
    static let itemOverheadBytes = 6
}
