import Domain
import ServiceKit

/// Who may call each method of the transfer service (ADR 0006). The coarse action is checked
/// before the handler runs; the use case checks the record it acts on again (the source
/// subaccount's organization and the Certificate Management grant for moves out of it, the
/// destination's for answers). A method missing here is never served.
enum TransferAccessRules {
    static let rules = AccessRules(
        service: "recs.transfer.v1.TransferService",
        methods: [
            // Only the issuance service deposits what it issued (§12.2).
            "DepositCertificates": .requires(.serviceCall([.issuance])),
            "ListHoldings": .requires(.viewAccount),
            "GetHoldingsSummary": .requires(.viewAccount),
            // Transfers (§15, M-RETS 4.3).
            "TransferWithinAccount": .requires(.manageCertificates),
            "RequestInterAccountTransfer": .requires(.manageCertificates),
            "AcceptTransfer": .requires(.manageCertificates),
            "RejectTransfer": .requires(.manageCertificates),
            "WithdrawTransfer": .requires(.manageCertificates),
            "GetTransfer": .requires(.viewAccount),
            "ListTransfers": .requires(.viewAccount),
            "CreateStandingOrder": .requires(.manageCertificates),
            "RespondToStandingOrder": .requires(.manageCertificates),
            // §15.4: the transferor or the administrator rescinds a standing order.
            "WithdrawStandingOrder": .requiresAny([.manageCertificates, .administer]),
            "GetStandingOrder": .requires(.viewAccount),
            "ListStandingOrders": .requires(.viewAccount),
            "CreateAutomaticRecurringTransfer": .requires(.manageCertificates),
            // M-RETS §4.6.4: only the registry changes an irrevocable one (with both parties' consent).
            "UpdateAutomaticRecurringTransfer": .requiresAny([.manageCertificates, .administer]),
            "CancelAutomaticRecurringTransfer": .requiresAny([.manageCertificates, .administer]),
            "GetAutomaticRecurringTransfer": .requires(.viewAccount),
            "ListAutomaticRecurringTransfers": .requires(.viewAccount),
            "CreateForwardCertificateTransfer": .requires(.manageCertificates),
            "RespondToForwardCertificateTransfer": .requires(.manageCertificates),
            "RescindForwardCertificateTransfer": .requires(.manageCertificates),
            "GetForwardCertificateTransfer": .requires(.viewAccount),
            "ListForwardCertificateTransfers": .requires(.viewAccount),
            // Retirement and reservation (§16); forced retirement is the administrator's (§16.2).
            "RetireCertificates": .requires(.manageCertificates),
            "ReserveCertificates": .requires(.manageCertificates),
            "ForceRetireCertificates": .requires(.administer),
            // Exports and imports (§17): the partner system answers, or the administrator for it.
            "ExportCertificates": .requires(.manageCertificates),
            "AcceptExport": .requiresAny([.partnerExchange, .administer]),
            "RejectExport": .requiresAny([.partnerExchange, .administer]),
            "GetExport": .requires(.viewAccount),
            "ListExports": .requires(.viewAccount),
            "OfferImport": .requiresAny([.partnerExchange, .administer]),
            "AcceptImport": .requires(.manageCertificates),
            "RejectImport": .requires(.manageCertificates),
            "GetImport": .requires(.viewAccount),
            "ListImports": .requires(.viewAccount),
            "RegisterCompatibleTrackingSystem": .requires(.administer),
            "ListCompatibleTrackingSystems": .requires(.readPublic),
            // Mass Certificate Transfer (the WREGIS MCT specification).
            "UploadMassCertificateTransfer": .requires(.manageCertificates),
            // Withdrawals (§18.3): the holder asks, the administrator decides.
            "RequestWithdrawal": .requires(.manageCertificates),
            "ApproveWithdrawal": .requires(.administer),
            "RefuseWithdrawal": .requires(.administer),
            "ListWithdrawalRequests": .requires(.viewAccount),
            // The feed: the services that follow it, and the administrator.
            "ListEvents": .requires(.readFeed),
            "WatchEvents": .requires(.readFeed),
        ])
}
