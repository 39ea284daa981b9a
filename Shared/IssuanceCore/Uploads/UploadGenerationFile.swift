import Domain
import Foundation
import GRPCWire
import Logging
import ProtoMessages
import RPC
import ServiceKit

/// UploadGenerationFile (Appendix D §4-§6, Tables 25-27): a file that does not parse is rejected as
/// a whole with every bad line; a file that parses is checked record by record, and each record's
/// outcome is in the response, not a call error (docs/API.md, Errors).
struct UploadGenerationFile {
    let store: IssuanceStore
    let registry: FeedFollower<Recs_Registry_V1_Event>
    let logger: Logger
    let clock: @Sendable () -> Date

    func handle(
        _ request: Recs_Issuance_V1_UploadGenerationFileRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_UploadGenerationFileResponse {
        try IssuanceRules.checkRequestID(request.requestId)
        // Appendix D §6.1, Table 27: the caller loads the file as its own organization (the
        // administrator for any); each line is then matched against the units that designated it.
        try context.authorize(
            .reportGeneration,
            on: AccessTarget(organizationID: request.reporterOrganizationId, reportingEntity: request.reporterOrganizationId))
        // A unit designated a moment ago must be known before its lines are matched; when the registry
        // cannot be reached, units already known are still served.
        let registryReachable = await catchUpRegistry()
        return try await store.journal.mutate(
            "UploadGenerationFile", request, requestID: request.requestId, now: clock(), actor: context.caller.actor,
            clearing: { $0.requestId = "" }
        ) {
            transaction in
            var upload = GenerationUploadRun(request: request, registryReachable: registryReachable)
            return try upload.run(&transaction)
        }
    }

    /// Applies the registry's feed so far; false when the registry could not be read.
    func catchUpRegistry() async -> Bool {
        do {
            try await registry.catchUp()
            return true
        } catch {
            logger.warning("the registry's feed could not be read", metadata: ["error": "\(error)"])
            return false
        }
    }
}

extension IssuanceService {
    static let uploadSection = "Appendix D §6.1, Table 27"
    /// Our limit on the uploaded file's name, which is stored with the upload's report.
    public static let fileNameCharactersMax = 255
}
