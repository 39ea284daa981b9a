import Domain
import ProtoMessages
import ServiceKit

/// The keys of a login, never with their secrets or hashes.
struct ListApiKeys {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_ListApiKeysRequest, caller: Caller) async throws -> Recs_Registry_V1_ListApiKeysResponse {
        try await journal.read { transaction in
            let user = try ApiKeyAccess.owner(request.userId, caller: caller, in: &transaction)
            var response = Recs_Registry_V1_ListApiKeysResponse()
            response.apiKeys = try transaction.apiKeys(ofUser: user.userId).map { key in
                var key = key
                key.secretSha256 = []
                return key
            }
            return response
        }
    }
}
