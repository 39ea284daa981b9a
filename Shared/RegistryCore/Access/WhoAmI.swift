import Domain
import ProtoMessages
import ServiceKit

/// §7, §11: the caller as this service authenticated it.
struct WhoAmI {
    let directory: PrincipalDirectory

    func handle(_ request: Recs_Registry_V1_WhoAmIRequest, caller: Caller) -> Recs_Registry_V1_WhoAmIResponse {
        var response = Recs_Registry_V1_WhoAmIResponse()
        response.actor = caller.actor
        response.credential = caller.credential
        if let user = caller.user, let record = directory.userRecord(user.userID) { response.user = record }
        return response
    }
}
