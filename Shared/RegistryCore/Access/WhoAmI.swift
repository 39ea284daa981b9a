import Domain
import ProtoMessages
import ServiceKit

/// §7, §11: the caller as this service authenticated it, with its login as the registry keeps it.
struct WhoAmI {
    let repository: RegistryRepository

    func handle(_ request: Recs_Registry_V1_WhoAmIRequest, caller: Caller) async throws -> Recs_Registry_V1_WhoAmIResponse {
        var response = Recs_Registry_V1_WhoAmIResponse()
        response.actor = caller.actor
        response.credential = caller.credential
        if let userID = caller.user?.userID, let user = try await repository.read({ transaction in try transaction.user(userID) }) {
            response.user = user
        }
        return response
    }
}
