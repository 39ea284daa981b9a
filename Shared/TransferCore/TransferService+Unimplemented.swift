import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

// The methods of TransferService not built yet: each answers UNIMPLEMENTED (docs/API.md, Errors).
extension TransferService {
    public func listHoldings(request: Recs_Transfer_V1_ListHoldingsRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListHoldingsResponse {
        throw RPCError(.unimplemented, "ListHoldings is not implemented yet")
    }

    public func transferWithinAccount(request: Recs_Transfer_V1_TransferWithinAccountRequest, context: ServerContext) async throws -> Recs_Transfer_V1_TransferWithinAccountResponse {
        throw RPCError(.unimplemented, "TransferWithinAccount is not implemented yet")
    }

    public func listTransfers(request: Recs_Transfer_V1_ListTransfersRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListTransfersResponse {
        throw RPCError(.unimplemented, "ListTransfers is not implemented yet")
    }

    public func createStandingOrder(request: Recs_Transfer_V1_CreateStandingOrderRequest, context: ServerContext) async throws -> Recs_Transfer_V1_CreateStandingOrderResponse {
        throw RPCError(.unimplemented, "CreateStandingOrder is not implemented yet")
    }

    public func respondToStandingOrder(request: Recs_Transfer_V1_RespondToStandingOrderRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RespondToStandingOrderResponse {
        throw RPCError(.unimplemented, "RespondToStandingOrder is not implemented yet")
    }

    public func withdrawStandingOrder(request: Recs_Transfer_V1_WithdrawStandingOrderRequest, context: ServerContext) async throws -> Recs_Transfer_V1_WithdrawStandingOrderResponse {
        throw RPCError(.unimplemented, "WithdrawStandingOrder is not implemented yet")
    }

    public func getStandingOrder(request: Recs_Transfer_V1_GetStandingOrderRequest, context: ServerContext) async throws -> Recs_Transfer_V1_GetStandingOrderResponse {
        throw RPCError(.unimplemented, "GetStandingOrder is not implemented yet")
    }

    public func listStandingOrders(request: Recs_Transfer_V1_ListStandingOrdersRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListStandingOrdersResponse {
        throw RPCError(.unimplemented, "ListStandingOrders is not implemented yet")
    }

    public func createAutomaticRecurringTransfer(request: Recs_Transfer_V1_CreateAutomaticRecurringTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_CreateAutomaticRecurringTransferResponse {
        throw RPCError(.unimplemented, "CreateAutomaticRecurringTransfer is not implemented yet")
    }

    public func updateAutomaticRecurringTransfer(request: Recs_Transfer_V1_UpdateAutomaticRecurringTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_UpdateAutomaticRecurringTransferResponse {
        throw RPCError(.unimplemented, "UpdateAutomaticRecurringTransfer is not implemented yet")
    }

    public func cancelAutomaticRecurringTransfer(request: Recs_Transfer_V1_CancelAutomaticRecurringTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_CancelAutomaticRecurringTransferResponse {
        throw RPCError(.unimplemented, "CancelAutomaticRecurringTransfer is not implemented yet")
    }

    public func getAutomaticRecurringTransfer(request: Recs_Transfer_V1_GetAutomaticRecurringTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_GetAutomaticRecurringTransferResponse {
        throw RPCError(.unimplemented, "GetAutomaticRecurringTransfer is not implemented yet")
    }

    public func listAutomaticRecurringTransfers(request: Recs_Transfer_V1_ListAutomaticRecurringTransfersRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListAutomaticRecurringTransfersResponse {
        throw RPCError(.unimplemented, "ListAutomaticRecurringTransfers is not implemented yet")
    }

    public func createForwardCertificateTransfer(request: Recs_Transfer_V1_CreateForwardCertificateTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_CreateForwardCertificateTransferResponse {
        throw RPCError(.unimplemented, "CreateForwardCertificateTransfer is not implemented yet")
    }

    public func respondToForwardCertificateTransfer(request: Recs_Transfer_V1_RespondToForwardCertificateTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RespondToForwardCertificateTransferResponse {
        throw RPCError(.unimplemented, "RespondToForwardCertificateTransfer is not implemented yet")
    }

    public func rescindForwardCertificateTransfer(request: Recs_Transfer_V1_RescindForwardCertificateTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RescindForwardCertificateTransferResponse {
        throw RPCError(.unimplemented, "RescindForwardCertificateTransfer is not implemented yet")
    }

    public func getForwardCertificateTransfer(request: Recs_Transfer_V1_GetForwardCertificateTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_GetForwardCertificateTransferResponse {
        throw RPCError(.unimplemented, "GetForwardCertificateTransfer is not implemented yet")
    }

    public func listForwardCertificateTransfers(request: Recs_Transfer_V1_ListForwardCertificateTransfersRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListForwardCertificateTransfersResponse {
        throw RPCError(.unimplemented, "ListForwardCertificateTransfers is not implemented yet")
    }

    public func reserveCertificates(request: Recs_Transfer_V1_ReserveCertificatesRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ReserveCertificatesResponse {
        throw RPCError(.unimplemented, "ReserveCertificates is not implemented yet")
    }

    public func forceRetireCertificates(request: Recs_Transfer_V1_ForceRetireCertificatesRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ForceRetireCertificatesResponse {
        throw RPCError(.unimplemented, "ForceRetireCertificates is not implemented yet")
    }

    public func exportCertificates(request: Recs_Transfer_V1_ExportCertificatesRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ExportCertificatesResponse {
        throw RPCError(.unimplemented, "ExportCertificates is not implemented yet")
    }

    public func acceptExport(request: Recs_Transfer_V1_AcceptExportRequest, context: ServerContext) async throws -> Recs_Transfer_V1_AcceptExportResponse {
        throw RPCError(.unimplemented, "AcceptExport is not implemented yet")
    }

    public func rejectExport(request: Recs_Transfer_V1_RejectExportRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RejectExportResponse {
        throw RPCError(.unimplemented, "RejectExport is not implemented yet")
    }

    public func getExport(request: Recs_Transfer_V1_GetExportRequest, context: ServerContext) async throws -> Recs_Transfer_V1_GetExportResponse {
        throw RPCError(.unimplemented, "GetExport is not implemented yet")
    }

    public func listExports(request: Recs_Transfer_V1_ListExportsRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListExportsResponse {
        throw RPCError(.unimplemented, "ListExports is not implemented yet")
    }

    public func offerImport(request: Recs_Transfer_V1_OfferImportRequest, context: ServerContext) async throws -> Recs_Transfer_V1_OfferImportResponse {
        throw RPCError(.unimplemented, "OfferImport is not implemented yet")
    }

    public func acceptImport(request: Recs_Transfer_V1_AcceptImportRequest, context: ServerContext) async throws -> Recs_Transfer_V1_AcceptImportResponse {
        throw RPCError(.unimplemented, "AcceptImport is not implemented yet")
    }

    public func rejectImport(request: Recs_Transfer_V1_RejectImportRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RejectImportResponse {
        throw RPCError(.unimplemented, "RejectImport is not implemented yet")
    }

    public func getImport(request: Recs_Transfer_V1_GetImportRequest, context: ServerContext) async throws -> Recs_Transfer_V1_GetImportResponse {
        throw RPCError(.unimplemented, "GetImport is not implemented yet")
    }

    public func listImports(request: Recs_Transfer_V1_ListImportsRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListImportsResponse {
        throw RPCError(.unimplemented, "ListImports is not implemented yet")
    }

    public func registerCompatibleTrackingSystem(request: Recs_Transfer_V1_RegisterCompatibleTrackingSystemRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RegisterCompatibleTrackingSystemResponse {
        throw RPCError(.unimplemented, "RegisterCompatibleTrackingSystem is not implemented yet")
    }

    public func listCompatibleTrackingSystems(request: Recs_Transfer_V1_ListCompatibleTrackingSystemsRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListCompatibleTrackingSystemsResponse {
        throw RPCError(.unimplemented, "ListCompatibleTrackingSystems is not implemented yet")
    }

    public func uploadMassCertificateTransfer(request: Recs_Transfer_V1_UploadMassCertificateTransferRequest, context: ServerContext) async throws -> Recs_Transfer_V1_UploadMassCertificateTransferResponse {
        throw RPCError(.unimplemented, "UploadMassCertificateTransfer is not implemented yet")
    }

    public func requestWithdrawal(request: Recs_Transfer_V1_RequestWithdrawalRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RequestWithdrawalResponse {
        throw RPCError(.unimplemented, "RequestWithdrawal is not implemented yet")
    }

    public func approveWithdrawal(request: Recs_Transfer_V1_ApproveWithdrawalRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ApproveWithdrawalResponse {
        throw RPCError(.unimplemented, "ApproveWithdrawal is not implemented yet")
    }

    public func refuseWithdrawal(request: Recs_Transfer_V1_RefuseWithdrawalRequest, context: ServerContext) async throws -> Recs_Transfer_V1_RefuseWithdrawalResponse {
        throw RPCError(.unimplemented, "RefuseWithdrawal is not implemented yet")
    }

    public func listWithdrawalRequests(request: Recs_Transfer_V1_ListWithdrawalRequestsRequest, context: ServerContext) async throws -> Recs_Transfer_V1_ListWithdrawalRequestsResponse {
        throw RPCError(.unimplemented, "ListWithdrawalRequests is not implemented yet")
    }

    public func watchEvents(request: Recs_Transfer_V1_WatchEventsRequest, responses: ResponseWriter<Recs_Transfer_V1_Event>, context: ServerContext) async throws {
        throw RPCError(.unimplemented, "WatchEvents is not implemented yet")
    }
}
