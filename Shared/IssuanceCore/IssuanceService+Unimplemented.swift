import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

// The methods of IssuanceService not built yet: each answers UNIMPLEMENTED (docs/API.md, Errors).
extension IssuanceService {
    public func validateGenerationFile(request: Recs_Issuance_V1_ValidateGenerationFileRequest, context: ServerContext) async throws -> Recs_Issuance_V1_ValidateGenerationFileResponse {
        throw ServiceErrors.unimplemented("ValidateGenerationFile")
    }

    public func submitSelfReportedMeterRead(request: Recs_Issuance_V1_SubmitSelfReportedMeterReadRequest, context: ServerContext) async throws -> Recs_Issuance_V1_SubmitSelfReportedMeterReadResponse {
        throw ServiceErrors.unimplemented("SubmitSelfReportedMeterRead")
    }

    public func listPostedGeneration(request: Recs_Issuance_V1_ListPostedGenerationRequest, context: ServerContext) async throws -> Recs_Issuance_V1_ListPostedGenerationResponse {
        throw ServiceErrors.unimplemented("ListPostedGeneration")
    }

    public func acceptGeneration(request: Recs_Issuance_V1_AcceptGenerationRequest, context: ServerContext) async throws -> Recs_Issuance_V1_AcceptGenerationResponse {
        throw ServiceErrors.unimplemented("AcceptGeneration")
    }

    public func disputeGeneration(request: Recs_Issuance_V1_DisputeGenerationRequest, context: ServerContext) async throws -> Recs_Issuance_V1_DisputeGenerationResponse {
        throw ServiceErrors.unimplemented("DisputeGeneration")
    }

    public func reviewGeneration(request: Recs_Issuance_V1_ReviewGenerationRequest, context: ServerContext) async throws -> Recs_Issuance_V1_ReviewGenerationResponse {
        throw ServiceErrors.unimplemented("ReviewGeneration")
    }

    public func createPriorPeriodAdjustment(request: Recs_Issuance_V1_CreatePriorPeriodAdjustmentRequest, context: ServerContext) async throws -> Recs_Issuance_V1_CreatePriorPeriodAdjustmentResponse {
        throw ServiceErrors.unimplemented("CreatePriorPeriodAdjustment")
    }

    public func listOverdueGenerationReports(request: Recs_Issuance_V1_ListOverdueGenerationReportsRequest, context: ServerContext) async throws -> Recs_Issuance_V1_ListOverdueGenerationReportsResponse {
        throw ServiceErrors.unimplemented("ListOverdueGenerationReports")
    }

    public func addGenerationActivityLogNote(request: Recs_Issuance_V1_AddGenerationActivityLogNoteRequest, context: ServerContext) async throws -> Recs_Issuance_V1_AddGenerationActivityLogNoteResponse {
        throw ServiceErrors.unimplemented("AddGenerationActivityLogNote")
    }

    public func submitFuelAllocation(request: Recs_Issuance_V1_SubmitFuelAllocationRequest, context: ServerContext) async throws -> Recs_Issuance_V1_SubmitFuelAllocationResponse {
        throw ServiceErrors.unimplemented("SubmitFuelAllocation")
    }

    public func getFuelAllocation(request: Recs_Issuance_V1_GetFuelAllocationRequest, context: ServerContext) async throws -> Recs_Issuance_V1_GetFuelAllocationResponse {
        throw ServiceErrors.unimplemented("GetFuelAllocation")
    }


    public func createRetroactiveCertificates(request: Recs_Issuance_V1_CreateRetroactiveCertificatesRequest, context: ServerContext) async throws -> Recs_Issuance_V1_CreateRetroactiveCertificatesResponse {
        throw ServiceErrors.unimplemented("CreateRetroactiveCertificates")
    }

    public func correctCertificateAttributes(request: Recs_Issuance_V1_CorrectCertificateAttributesRequest, context: ServerContext) async throws -> Recs_Issuance_V1_CorrectCertificateAttributesResponse {
        throw ServiceErrors.unimplemented("CorrectCertificateAttributes")
    }

    public func reissueCorrectedCertificates(request: Recs_Issuance_V1_ReissueCorrectedCertificatesRequest, context: ServerContext) async throws -> Recs_Issuance_V1_ReissueCorrectedCertificatesResponse {
        throw ServiceErrors.unimplemented("ReissueCorrectedCertificates")
    }

    public func watchEvents(
        request: Recs_Issuance_V1_WatchEventsRequest, responses: ResponseWriter<Recs_Issuance_V1_Event>, context: ServerContext
    ) async throws {
        throw ServiceErrors.unimplemented("WatchEvents")
    }
}
