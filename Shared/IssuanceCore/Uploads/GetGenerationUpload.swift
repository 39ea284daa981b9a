import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// GetGenerationUpload: an upload's stored report, processed or rejected as a whole, one page of its
/// records at a time by line number (docs/API.md, Paging), for the organization that loaded it and
/// the administrator.
struct GetGenerationUpload {
    let store: IssuanceStore

    func handle(
        _ request: Recs_Issuance_V1_GetGenerationUploadRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetGenerationUploadResponse {
        let uploadID = request.uploadId
        guard !uploadID.isEmpty else { throw ServiceErrors.invalid("upload_id", "is required") }
        let paging = try Paging(request.recordsPage, field: "records_page")
        let after = try paging.afterNumber() ?? -1
        return try await store.read { transaction in
            guard var upload = try UploadReports.summary(uploadID, &transaction.sql) else {
                throw ServiceErrors.notFound("upload \(uploadID)", field: "upload_id")
            }
            // The organization that loaded it (and the administrator) reads its report.
            try context.authorize(.viewAccount, on: AccessTarget(organizationID: upload.reporterOrganizationId))
            let records = try UploadReports.records(uploadID, afterLine: after, limit: paging.size + 1, &transaction.sql)
            var response = Recs_Issuance_V1_GetGenerationUploadResponse()
            (upload.records, response.recordsPage) = paging.fill(records.map { (String($0.line), $0) })
            response.upload = upload
            return response
        }
    }
}
