import Domain
import ProtoMessages
import RPC
import ServiceKit

/// §7.2.1: the administrator approves an agent's login once the signed Agent Authorization Form
/// arrived (its reference is kept on the login), or rejects it. ApproveAgent and RejectAgent.
struct AnswerAgent {
    let journal: RequestJournal

    func approve(_ request: Recs_Registry_V1_ApproveAgentRequest, context: ServerContext) async throws -> Recs_Registry_V1_ApproveAgentResponse {
        try UserRules.checkID(request.userId, field: "user_id")
        try UserRules.checkText(
            request.authorizationFormReference, field: "authorization_form_reference", required: true, section: "Operating Rules §7.2.1")
        let actor = context.caller.actor
        return try await journal.mutate("ApproveAgent", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            var user = try transaction.existingUser(request.userId)
            try UserRules.apply(.approve, to: &user, at: transaction.timestamp)
            user.agentAuthorizationFormReference = request.authorizationFormReference
            user.statusReason = ""
            try transaction.saveUser(user, action: "ApproveAgent", actor: actor)
            var response = Recs_Registry_V1_ApproveAgentResponse()
            response.user = user
            return response
        }
    }

    func reject(_ request: Recs_Registry_V1_RejectAgentRequest, context: ServerContext) async throws -> Recs_Registry_V1_RejectAgentResponse {
        try UserRules.checkID(request.userId, field: "user_id")
        try UserRules.checkText(request.reason, field: "reason", required: false, section: "Operating Rules §7.2.1")
        let actor = context.caller.actor
        return try await journal.mutate("RejectAgent", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            var user = try transaction.existingUser(request.userId)
            try UserRules.apply(.reject, to: &user, at: transaction.timestamp)
            user.statusReason = request.reason
            try transaction.saveUser(user, action: "RejectAgent", actor: actor)
            var response = Recs_Registry_V1_RejectAgentResponse()
            response.user = user
            return response
        }
    }
}
