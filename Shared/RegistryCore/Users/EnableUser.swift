import Domain
import ProtoMessages
import RPC
import ServiceKit

/// §24.4: the administrator enables a disabled login again. An agent it never approved goes back
/// to waiting for approval (§7.2.1), never straight to active.
struct EnableUser {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_EnableUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_EnableUserResponse {
        try UserRules.checkID(request.userId, field: "user_id")
        let actor = context.caller.actor
        return try await journal.mutate("EnableUser", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            var user = try transaction.existingUser(request.userId)
            try UserRules.apply(.enable, to: &user, at: transaction.timestamp)
            user.statusReason = ""
            try transaction.saveUser(user, action: "EnableUser", actor: actor)
            var response = Recs_Registry_V1_EnableUserResponse()
            response.user = user
            return response
        }
    }
}
