import Domain
import ProtoMessages
import ServiceKit

/// The keys of a login, never with their secrets or hashes, in the order they were made (revoked
/// ones included), in pages (docs/API.md, Paging). The page token is the creation time and key id
/// of the previous page's last key.
struct ListApiKeys {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_ListApiKeysRequest, caller: Caller) async throws -> Recs_Registry_V1_ListApiKeysResponse {
        let paging = try Paging(request.page)
        let after = try paging.after(Self.position)
        return try await journal.read { transaction in
            let user = try ApiKeyAccess.owner(request.userId, caller: caller, in: &transaction)
            let candidates = try transaction.apiKeys(ofUser: user.userId, after: after, limit: paging.size + 1).map { position, key in
                var key = key
                key.secretSha256 = []
                return (key: "\(position.createdAtMilliseconds):\(position.keyID)", item: key)
            }
            let page = paging.fill(candidates)
            var response = Recs_Registry_V1_ListApiKeysResponse()
            response.apiKeys = page.items
            response.page = page.next
            return response
        }
    }

    /// A page token: `<created at, ms>:<key id>`.
    static func position(_ token: String) -> ApiKeyPosition? {
        let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let milliseconds = Int64(parts[0]), milliseconds >= 0, String(milliseconds) == parts[0],
            parts[1].count <= ApiKeyAccess.idCharactersMax, parts[1].first == "K"
        else { return nil }
        return ApiKeyPosition(createdAtMilliseconds: milliseconds, keyID: String(parts[1]))
    }
}

/// Where a key stands in its login's list: keys are listed by creation time, then id.
struct ApiKeyPosition: Sendable {
    var createdAtMilliseconds: Int64
    var keyID: String
}
