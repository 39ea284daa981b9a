import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// GetGenerationUpload: an upload with its per-record report, for the organization that loaded it
/// and the administrator.
struct GetGenerationUpload {
    let store: IssuanceStore

    func handle(
        _ request: Recs_Issuance_V1_GetGenerationUploadRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetGenerationUploadResponse {
        let uploadID = request.uploadId
        guard !uploadID.isEmpty else { throw ServiceErrors.invalid("upload_id", "is required") }
        return try await store.read { transaction in
            guard let upload = try transaction.upload(uploadID) else {
                throw ServiceErrors.notFound("upload \(uploadID)", field: "upload_id")
            }
            // The organization that loaded it (and the administrator) reads its report.
            try context.authorize(.viewAccount, on: AccessTarget(organizationID: upload.reporterOrganizationId))
            var response = Recs_Issuance_V1_GetGenerationUploadResponse()
            response.upload = upload
            return response
        }
    }
}
