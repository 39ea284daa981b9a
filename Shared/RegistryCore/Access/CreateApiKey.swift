import Domain
import ProtoMessages
import ServiceKit

/// §7, §11: a new API key for a login. The secret leaves the registry once, in the response; the
/// registry keeps and publishes only its SHA-256, so every service can check it (ADR 0006).
struct CreateApiKey {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_CreateApiKeyRequest, caller: Caller) async throws -> Recs_Registry_V1_CreateApiKeyResponse {
        guard request.label.count <= ApiKeyAccess.labelCharactersMax else {
            throw ServiceErrors.invalid("label", "has more than \(ApiKeyAccess.labelCharactersMax) characters")
        }
        let actor = caller.actor
        // The secret is drawn before the transaction and is part of no fingerprint: a retry with the
        // same request id replays the first response, secret included, to the caller who sent it.
        return try await journal.mutate("CreateApiKey", request, requestID: request.requestId, actor: actor, clearing: { $0.requestId = "" }) {
            transaction in
            let user = try ApiKeyAccess.owner(request.userId, caller: caller, in: &transaction)
            // §7.2.1: an agent's credentials are set when its login is requested; its key acts
            // once the administrator approved the login (the policy refuses it until then).
            guard user.status == .active || user.status == .pendingApproval else {
                throw ServiceErrors.failedPrecondition(
                    "user_id: login \(user.userId) is rejected or disabled, so it cannot have a new key (Operating Rules §7.2)",
                    reason: "USER_NOT_ACTIVE")
            }
            var (key, secret) = try transaction.createApiKey(for: user, label: request.label, actor: actor)
            var response = Recs_Registry_V1_CreateApiKeyResponse()
            key.secretSha256 = []
            response.apiKey = key
            response.secret = secret.token
            return response
        }
    }
}
