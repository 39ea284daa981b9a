import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

// The methods of ReportingService not built yet: each answers UNIMPLEMENTED (docs/API.md, Errors).
extension ReportingService {
    public func getCertificateActivityReport(request: Recs_Reporting_V1_GetCertificateActivityReportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetCertificateActivityReportResponse {
        throw ServiceErrors.unimplemented("GetCertificateActivityReport")
    }

    public func getAccountActivityReport(request: Recs_Reporting_V1_GetAccountActivityReportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetAccountActivityReportResponse {
        throw ServiceErrors.unimplemented("GetAccountActivityReport")
    }

    public func saveReportTemplate(request: Recs_Reporting_V1_SaveReportTemplateRequest, context: ServerContext) async throws -> Recs_Reporting_V1_SaveReportTemplateResponse {
        throw ServiceErrors.unimplemented("SaveReportTemplate")
    }

    public func listReportTemplates(request: Recs_Reporting_V1_ListReportTemplatesRequest, context: ServerContext) async throws -> Recs_Reporting_V1_ListReportTemplatesResponse {
        throw ServiceErrors.unimplemented("ListReportTemplates")
    }

    public func deleteReportTemplate(request: Recs_Reporting_V1_DeleteReportTemplateRequest, context: ServerContext) async throws -> Recs_Reporting_V1_DeleteReportTemplateResponse {
        throw ServiceErrors.unimplemented("DeleteReportTemplate")
    }

    public func getActivityLog(request: Recs_Reporting_V1_GetActivityLogRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetActivityLogResponse {
        throw ServiceErrors.unimplemented("GetActivityLog")
    }

    public func getGenerationReport(request: Recs_Reporting_V1_GetGenerationReportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetGenerationReportResponse {
        throw ServiceErrors.unimplemented("GetGenerationReport")
    }

    public func getSubaccountDispositionReport(request: Recs_Reporting_V1_GetSubaccountDispositionReportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetSubaccountDispositionReportResponse {
        throw ServiceErrors.unimplemented("GetSubaccountDispositionReport")
    }

    public func getCertificateTransfersReport(request: Recs_Reporting_V1_GetCertificateTransfersReportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetCertificateTransfersReportResponse {
        throw ServiceErrors.unimplemented("GetCertificateTransfersReport")
    }

    public func getAccountHolderFeesReport(request: Recs_Reporting_V1_GetAccountHolderFeesReportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetAccountHolderFeesReportResponse {
        throw ServiceErrors.unimplemented("GetAccountHolderFeesReport")
    }

    public func getProgramComplianceReport(request: Recs_Reporting_V1_GetProgramComplianceReportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_GetProgramComplianceReportResponse {
        throw ServiceErrors.unimplemented("GetProgramComplianceReport")
    }

    public func requestReportExport(request: Recs_Reporting_V1_RequestReportExportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_RequestReportExportResponse {
        throw ServiceErrors.unimplemented("RequestReportExport")
    }

    public func completeReportExport(request: Recs_Reporting_V1_CompleteReportExportRequest, context: ServerContext) async throws -> Recs_Reporting_V1_CompleteReportExportResponse {
        throw ServiceErrors.unimplemented("CompleteReportExport")
    }

    public func listReportExportRequests(request: Recs_Reporting_V1_ListReportExportRequestsRequest, context: ServerContext) async throws -> Recs_Reporting_V1_ListReportExportRequestsResponse {
        throw ServiceErrors.unimplemented("ListReportExportRequests")
    }

    public func listAccountsGrantingAccess(request: Recs_Reporting_V1_ListAccountsGrantingAccessRequest, context: ServerContext) async throws -> Recs_Reporting_V1_ListAccountsGrantingAccessResponse {
        throw ServiceErrors.unimplemented("ListAccountsGrantingAccess")
    }

    public func retrieveArchivedRecords(request: Recs_Reporting_V1_RetrieveArchivedRecordsRequest, context: ServerContext) async throws -> Recs_Reporting_V1_RetrieveArchivedRecordsResponse {
        throw ServiceErrors.unimplemented("RetrieveArchivedRecords")
    }

    public func listArchivedRecords(request: Recs_Reporting_V1_ListArchivedRecordsRequest, context: ServerContext) async throws -> Recs_Reporting_V1_ListArchivedRecordsResponse {
        throw ServiceErrors.unimplemented("ListArchivedRecords")
    }
}

extension ReportingService {
    public func watchEvents(
        request: Recs_Reporting_V1_WatchEventsRequest, responses: ResponseWriter<Recs_Reporting_V1_Event>, context: ServerContext
    ) async throws {
        throw ServiceErrors.unimplemented("WatchEvents")
    }
}
