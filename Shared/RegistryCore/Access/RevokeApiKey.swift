import Domain
import ProtoMessages
import ServiceKit

/// Revokes a key at once; every service refuses it as soon as the event reached it (ADR 0006).
struct RevokeApiKey {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_RevokeApiKeyRequest, caller: Caller) async throws -> Recs_Registry_V1_RevokeApiKeyResponse {
        guard !request.keyId.isEmpty, request.keyId.utf8.count <= ApiKeyAccess.idCharactersMax else {
            throw ServiceErrors.invalid("key_id", "is required (K followed by digits)")
        }
        let actor = caller.actor
        return try await journal.mutate("RevokeApiKey", request, requestID: request.requestId, actor: actor, clearing: { $0.requestId = "" }) {
            transaction in
            guard var key = try transaction.apiKey(request.keyId) else {
                throw ServiceErrors.notFound("API key \(request.keyId)", field: "key_id")
            }
            _ = try ApiKeyAccess.owner(key.userId, caller: caller, in: &transaction)
            guard key.status == .active else {
                throw ServiceErrors.failedPrecondition("key_id: API key \(key.keyId) is already revoked", reason: "API_KEY_REVOKED")
            }
            key.status = .revoked
            key.revokedAt = transaction.timestamp
            try transaction.updateApiKey(key)
            try transaction.appendEvent(action: "RevokeApiKey", actor: actor, .apiKey(key))
            var response = Recs_Registry_V1_RevokeApiKeyResponse()
            key.secretSha256 = []
            response.apiKey = key
            return response
        }
    }
}
