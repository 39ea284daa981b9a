/// The authorization matrix: who may call each RPC of the four services, written from the Operating
/// Rules (§3, §7, §7.1, §7.2.1, §10, §11, §15.4, §17, §19, §20, Appendix C §5.1, Appendix D §6.1,
/// M-RETS §4.6) as this test's own statement. Nothing here is computed from `AccessPolicy` or the
/// services' `AccessRules`: the test compares what the servers do with what this file says.
///
/// Reading it: every method of every service has a ``Row`` naming the ``Rule`` that says who may call
/// it, and whether the method is built (an unbuilt one answers UNIMPLEMENTED once admitted). Each
/// rule is one line of ``MatrixTable/grid``: per kind of caller (``CallerKind``, the columns) either
/// `ok` (admitted by the interception point) or the rule code of the refusal (1001 unauthenticated,
/// 1002 not for this kind of caller, 1003 agent not approved, 1005 administrator only, 1006 access
/// level too low, 1008 permission not granted).
///
/// The interception point only knows who calls and the method's action, not the record acted on, so
/// this table is coarse: the Manager of the owning account (A2) and the Manager of another account
/// (A3) are admitted alike, and so are the designated and another QRE, and the program administrator
/// the account granted access and one it did not. The use cases tell them apart with the record
/// (and, for program administrators, with the accounts that selected them, which the login
/// carries); ``TargetTable`` has cells for some built methods where that is cheap to show.
enum MatrixTable {
    /// Who may call, per kind of caller. Columns in ``CallerKind`` order (the header is checked).
    static let grid = """
        rule                                 anon view mnt  sup  mgr  oth  agt  pend qreD qreO paG  paN  adm  prt  reg  iss  trf  rpt
        publicReport                         1001 ok   ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        anyCaller                            1001 ok   ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
        signedIn                             1001 ok   ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        ownCredentials                       1001 ok   ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        viewAccount                          1001 ok   ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        lookUpSerials                        1001 ok   ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        holdingsSummary                      1001 ok   ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   1002 ok   1002 1002 1002
        maintainAccount                      1001 1006 ok   ok   ok   ok   ok   1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        manageLogins                         1001 1006 1006 ok   ok   ok   1006 1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        terminateAccount                     1001 1006 1006 1006 ok   ok   1006 1003 ok   ok   ok   ok   ok   1002 1002 1002 1002 1002
        manageGeneration                     1001 1006 1008 ok   ok   ok   ok   1003 1002 1002 1002 1002 1002 1002 1002 1002 1002 1002
        manageCertificates                   1001 1006 1008 ok   ok   ok   ok   1003 1002 1002 1002 1002 1002 1002 1002 1002 1002 1002
        manageCertificatesOrAdministrator    1001 1006 1008 ok   ok   ok   ok   1003 1002 1002 1002 1002 ok   1002 1002 1002 1002 1002
        reportGeneration                     1001 1006 ok   ok   ok   ok   ok   1003 ok   ok   1002 1002 ok   1002 1002 1002 1002 1002
        programAdministrator                 1001 1002 1002 1002 1002 1002 1002 1003 1002 1002 ok   ok   1002 1002 1002 1002 1002 1002
        programAdministratorOrAdministrator  1001 1002 1002 1002 1002 1002 1002 1003 1002 1002 ok   ok   ok   1002 1002 1002 1002 1002
        administrator                        1001 1005 1005 1005 1005 1005 1005 1003 1005 1005 1005 1005 ok   1002 1002 1002 1002 1002
        feed                                 1001 1005 1005 1005 1005 1005 1005 1003 1005 1005 1005 1005 ok   1002 ok   ok   ok   ok
        issuanceService                      1001 1002 1002 1002 1002 1002 1002 1003 1002 1002 1002 1002 1002 1002 1002 ok   1002 1002
        partnerOrAdministrator               1001 1002 1002 1002 1002 1002 1002 1003 1002 1002 1002 1002 ok   ok   1002 1002 1002 1002
        """

    /// The rules of ``grid``, each with where it comes from.
    enum Rule: String, CaseIterable, Sendable {
        /// §19, §19.2: the public reports, for every active login of any organization. The issue's
        /// decision (ADR 0006): health and reflection are the only methods open to anybody, so the
        /// website that publishes them calls with a login of its own.
        case publicReport
        /// WhoAmI (§7, §11): whoever authenticated, login, service or partner system, learns as whom.
        case anyCaller
        /// Every active login of any organization; services and partner systems call only what
        /// they are for (§11 item 2: access by participant and user role).
        case signedIn
        /// A login's own API keys (ADR 0006): every active login.
        case ownCredentials
        /// §7.1 View Only and up, §19.3.1: an account's own records; program administrators for
        /// accounts that selected them (§19.3.2); the administrator for all (§7). QREs and program
        /// administrators have accounts too (§5.5, §10.2, Appendix C), so every active login is
        /// admitted here and the use case checks whose record it is.
        case viewAccount
        /// §20: the holder, program administrators it selected, the administrator; as viewAccount,
        /// every active login here, the look-up checks every holder of the range.
        case lookUpSerials
        /// viewAccount, and the registry service, which asks before terminating an account (§5.2.1).
        case holdingsSummary
        /// §7.1: registration data, subaccounts and aliases: Account Maintenance and up.
        case maintainAccount
        /// §7.1, §7.2: assign and revoke access: the Manager and Supervisors (Supervisors only below
        /// themselves, checked on the login changed), the administrator.
        case manageLogins
        /// §7.1, §5.2.1: the Account Manager alone; the administrator on the holder's written request.
        case terminateAccount
        /// §7.1 Generation Management: Manager and Supervisors, Maintenance logins with the permission;
        /// account holders only (§5.3, §9.8.3, §12.3).
        case manageGeneration
        /// §7.1 Certificate Management and Maintenance: as manageGeneration (§15, §16, §17, §18).
        case manageCertificates
        /// manageCertificates, and the administrator: §15.4 (the administrator may rescind a
        /// standing order), M-RETS §4.6.4 (only the registry edits an irrevocable recurring transfer).
        case manageCertificatesOrAdministrator
        /// Appendix D §6.1: Qualified Reporting Entities, self-reporting account holders and the
        /// administrator load generation data; View Only changes nothing (§7.1).
        case reportGeneration
        /// Appendix C, §19.3.2: program administrators, on their own programs.
        case programAdministrator
        /// Appendix C §5.1: program administrators and the administrator load program extracts.
        case programAdministratorOrAdministrator
        /// §3, §12, §13, §16.2, §18.3, §24: the registry administrator's own acts.
        case administrator
        /// §11: a service's event feed: the deployment's services that follow it, and the administrator.
        case feed
        /// §12.2, §14.2: only issuance deposits what it issued.
        case issuanceService
        /// §17.1, M-RETS §4.6.2, §4.6.5: the partner system answers exports and offers imports, or the
        /// administrator on its behalf.
        case partnerOrAdministrator
    }

    /// One method's row: its rule, and whether it is built yet.
    struct Row: Sendable {
        var method: String
        var rule: Rule
        var built: Bool

        init(_ method: String, _ rule: Rule, built: Bool = false) {
            self.method = method
            self.rule = rule
            self.built = built
        }
    }

    /// Every method of every service. A method the descriptors declare without a row here, or a row
    /// naming a method they do not declare, fails the test.
    static let rows: [String: [Row]] = [
        "recs.registry.v1.RegistryService": [
            // Organizations and accounts (§5.2, §5.2.1, §6, §23).
            Row("CreateOrganization", .administrator, built: true),
            Row("GetOrganization", .viewAccount, built: true),
            Row("ListOrganizations", .viewAccount, built: true),
            Row("UpdateOrganization", .maintainAccount),
            Row("InactivateOrganization", .administrator),
            Row("ReactivateOrganization", .administrator),
            Row("TerminateOrganization", .terminateAccount),
            Row("CreateSubaccount", .maintainAccount),
            Row("SetSubaccountAlias", .maintainAccount),
            Row("GetSubaccount", .viewAccount),
            Row("ListSubaccounts", .viewAccount),
            // Logins and access (§7, §7.1, §7.2, §24.4).
            Row("CreateUser", .manageLogins, built: true),
            Row("ApproveAgent", .administrator, built: true),
            Row("RejectAgent", .administrator, built: true),
            Row("SetUserAccess", .manageLogins, built: true),
            Row("DisableUser", .manageLogins, built: true),
            Row("EnableUser", .administrator, built: true),
            Row("SetAccountManager", .administrator, built: true),
            Row("GetUser", .viewAccount, built: true),
            Row("ListUsers", .viewAccount, built: true),
            // §19.3.2, §20: granting program administrators access is assigning access to the account.
            Row("SetProgramAccessSelection", .manageLogins, built: true),
            Row("WhoAmI", .anyCaller, built: true),
            Row("CreateApiKey", .ownCredentials, built: true),
            Row("ListApiKeys", .ownCredentials, built: true),
            Row("RevokeApiKey", .ownCredentials, built: true),
            // Generating units (§5.3, §5.4, §8.2, §9.2, §10, §24.1).
            Row("RegisterGeneratingUnit", .manageGeneration, built: true),
            Row("GetGeneratingUnit", .viewAccount, built: true),
            Row("ListGeneratingUnits", .viewAccount),
            Row("UpdateGeneratingUnit", .manageGeneration),
            Row("ConfirmAnnualReview", .manageGeneration),
            Row("ApproveGeneratingUnit", .administrator, built: true),
            Row("InactivateGeneratingUnit", .administrator),
            Row("SuspendGeneratingUnit", .administrator),
            Row("TerminateGeneratingUnit", .administrator),
            Row("DesignateReportingEntity", .manageGeneration, built: true),
            Row("ChangeGeneratingUnitAccount", .administrator),
            Row("SetDepositSubaccount", .manageGeneration),
            Row("CreateMeterAggregation", .manageGeneration),
            Row("SetMeterAggregationSplit", .manageGeneration),
            Row("GetMeterAggregation", .viewAccount),
            Row("AssignRegistrationRights", .administrator),
            Row("TerminateRegistrationRights", .administrator),
            // Program eligibility (Appendix C, §5.3.2, §8.1).
            Row("SetUnitProgramAssignments", .manageGeneration),
            Row("UploadProgramExtract", .programAdministratorOrAdministrator),
            Row("SetProgramEligibility", .programAdministrator),
            Row("VerifyProgramEligibility", .administrator),
            Row("ListEvents", .feed, built: true),
            Row("WatchEvents", .feed),
        ],
        "recs.issuance.v1.IssuanceService": [
            // Generation data (§9, §10, §12.3, Appendix D).
            Row("UploadGenerationFile", .reportGeneration, built: true),
            Row("ValidateGenerationFile", .reportGeneration),
            Row("GetGenerationUpload", .viewAccount, built: true),
            Row("SubmitSelfReportedMeterRead", .reportGeneration),
            Row("ListPostedGeneration", .viewAccount),
            Row("AcceptGeneration", .manageGeneration),
            Row("DisputeGeneration", .manageGeneration),
            Row("ReviewGeneration", .administrator),
            // §13.2: "the WREGIS Administrator will ... initiate a Prior Period Adjustment" (those of
            // QREs arrive as late uploads, §9.4.2).
            Row("CreatePriorPeriodAdjustment", .administrator),
            Row("ListOverdueGenerationReports", .viewAccount),
            Row("GetGenerationActivityLog", .viewAccount, built: true),
            // §12.6: "a notes section for the WREGIS Administrator".
            Row("AddGenerationActivityLogNote", .administrator),
            // §9.8.3, §24.3: the account holder reports the fuel allocation of its multi-fuel unit.
            Row("SubmitFuelAllocation", .manageGeneration),
            Row("GetFuelAllocation", .viewAccount),
            // Issuance (§12.2) and corrections (§12.9, §13, §24.2).
            Row("RunIssuanceCycle", .administrator, built: true),
            Row("GetIssuanceCycle", .administrator, built: true),
            Row("ListIssuanceCycles", .administrator, built: true),
            Row("GetCertificateBatch", .viewAccount, built: true),
            Row("ListCertificateBatches", .viewAccount, built: true),
            Row("CreateRetroactiveCertificates", .administrator),
            Row("CorrectCertificateAttributes", .administrator),
            Row("ReissueCorrectedCertificates", .administrator),
            Row("ListEvents", .feed, built: true),
            Row("WatchEvents", .feed),
        ],
        "recs.transfer.v1.TransferService": [
            Row("DepositCertificates", .issuanceService, built: true),
            Row("ListHoldings", .viewAccount),
            Row("GetHoldingsSummary", .holdingsSummary, built: true),
            // Transfers (§15.1-§15.5, M-RETS §4.6.1-§4.6.4).
            Row("TransferWithinAccount", .manageCertificates),
            Row("RequestInterAccountTransfer", .manageCertificates, built: true),
            Row("AcceptTransfer", .manageCertificates, built: true),
            Row("RejectTransfer", .manageCertificates, built: true),
            Row("WithdrawTransfer", .manageCertificates, built: true),
            Row("GetTransfer", .viewAccount, built: true),
            Row("ListTransfers", .viewAccount),
            Row("CreateStandingOrder", .manageCertificates),
            Row("RespondToStandingOrder", .manageCertificates),
            Row("WithdrawStandingOrder", .manageCertificatesOrAdministrator),
            Row("GetStandingOrder", .viewAccount),
            Row("ListStandingOrders", .viewAccount),
            Row("CreateAutomaticRecurringTransfer", .manageCertificates),
            Row("UpdateAutomaticRecurringTransfer", .manageCertificatesOrAdministrator),
            Row("CancelAutomaticRecurringTransfer", .manageCertificatesOrAdministrator),
            Row("GetAutomaticRecurringTransfer", .viewAccount),
            Row("ListAutomaticRecurringTransfers", .viewAccount),
            // §15.5 item 1: only the transferor rescinds a forward transfer.
            Row("CreateForwardCertificateTransfer", .manageCertificates),
            Row("RespondToForwardCertificateTransfer", .manageCertificates),
            Row("RescindForwardCertificateTransfer", .manageCertificates),
            Row("GetForwardCertificateTransfer", .viewAccount),
            Row("ListForwardCertificateTransfers", .viewAccount),
            // Retirement and reserve (§16, §18); forced retirement (§13.1, §16.2).
            Row("RetireCertificates", .manageCertificates, built: true),
            Row("ReserveCertificates", .manageCertificates),
            Row("ForceRetireCertificates", .administrator),
            // Exports and imports (§17).
            Row("ExportCertificates", .manageCertificates),
            Row("AcceptExport", .partnerOrAdministrator),
            Row("RejectExport", .partnerOrAdministrator),
            Row("GetExport", .viewAccount),
            Row("ListExports", .viewAccount),
            Row("OfferImport", .partnerOrAdministrator),
            Row("AcceptImport", .manageCertificates),
            Row("RejectImport", .manageCertificates),
            Row("GetImport", .viewAccount),
            Row("ListImports", .viewAccount),
            Row("RegisterCompatibleTrackingSystem", .administrator),
            // §17.1 item 8: the drop-down list an exporting user picks from.
            Row("ListCompatibleTrackingSystems", .signedIn),
            Row("UploadMassCertificateTransfer", .manageCertificates),
            // Withdrawals (§16.2, §18.3): the holder asks, the administrator decides.
            Row("RequestWithdrawal", .manageCertificates),
            Row("ApproveWithdrawal", .administrator),
            Row("RefuseWithdrawal", .administrator),
            Row("ListWithdrawalRequests", .viewAccount),
            Row("ListEvents", .feed, built: true),
            Row("WatchEvents", .feed),
        ],
        "recs.reporting.v1.ReportingService": [
            Row("LookUpSerialNumbers", .lookUpSerials, built: true),
            // §19.2.1-§19.2.3.
            Row("ListActiveAccountHolders", .publicReport, built: true),
            Row("ListActiveGenerators", .publicReport, built: true),
            Row("GetCertificateActivityReport", .publicReport),
            // §19.3.1, §19.3.3 items 1-7: an account's own reports, the fees (item 5) and program
            // compliance (item 6) included; program administrators for accounts that selected them.
            Row("GetAccountActivityReport", .viewAccount),
            Row("SaveReportTemplate", .viewAccount),
            Row("ListReportTemplates", .viewAccount),
            Row("DeleteReportTemplate", .viewAccount),
            Row("GetActivityLog", .viewAccount),
            Row("GetGenerationReport", .viewAccount),
            Row("GetSubaccountDispositionReport", .viewAccount),
            Row("GetCertificateTransfersReport", .viewAccount),
            Row("GetAccountHolderFeesReport", .viewAccount),
            Row("GetProgramComplianceReport", .viewAccount),
            Row("RequestReportExport", .viewAccount),
            Row("CompleteReportExport", .administrator),
            Row("ListReportExportRequests", .viewAccount),
            Row("ListAccountsGrantingAccess", .programAdministrator),
            // §22.
            Row("RetrieveArchivedRecords", .viewAccount),
            Row("ListArchivedRecords", .viewAccount),
            Row("GetFeedPositions", .feed, built: true),
            Row("ListEvents", .feed, built: true),
            Row("WatchEvents", .feed),
        ],
    ]

    /// A cell where the implementation does not do what the rules say, reported and not fixed here:
    /// the test expects the implementation's present outcome in these cells (so CI stays green) and
    /// records each as a known issue; once the implementation follows the rules the test fails,
    /// asking for the entry to be removed.
    struct Disagreement: Sendable {
        var service: String
        var methods: [String]
        /// What the implementation answers now, per caller kind that differs from ``grid``.
        var implementation: [CallerKind: Expected]
        var why: String
    }

    static let disagreements: [Disagreement] = [
        Disagreement(
            service: "recs.transfer.v1.TransferService", methods: ["GetHoldingsSummary"],
            implementation: [.registryService: .refused(1002)],
            why: """
                transfer.proto and registry.proto (§5.2.1): the registry asks GetHoldingsSummary before terminating an account, \
                but the rule .viewAccount (and the use case's own check) refuses the registry service. Not live yet: \
                TerminateOrganization is not built.
                """),
    ]
}

/// The outcome of one cell.
enum Expected: Hashable, Sendable, CustomStringConvertible {
    /// Past the interception point (the use case then decides on the record).
    case admitted
    /// Refused with this rule code (UNAUTHENTICATED for 1001, PERMISSION_DENIED otherwise).
    case refused(UInt32)

    init?(_ text: Substring) {
        if text == "ok" {
            self = .admitted
        } else if let code = UInt32(text) {
            self = .refused(code)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .admitted: "admitted"
        case .refused(let code): "refused \(code)"
        }
    }
}

/// Cells where the use case checks the record after the interception point admitted the caller,
/// for built methods whose check comes before anything needs stored data (the request alone names
/// the target). Same columns as ``MatrixTable/grid``; 904 is "not the designated reporting entity"
/// (wrongParty, Appendix D Table 27), 1007 another organization's record (§7.3), 1009 a program
/// administrator the account did not select (§19.3.2, §20).
enum TargetTable {
    static let grid = """
        cell                                 anon view mnt  sup  mgr  oth  agt  pend qreD qreO paG  paN  adm  prt  reg  iss  trf  rpt
        holdingsOfA2                         1001 ok   ok   ok   ok   1007 ok   1003 1007 1007 ok   1009 ok   1002 ok   1002 1002 1002
        unitOfA2                             1001 1006 1008 ok   ok   1007 ok   1003 1002 1002 1002 1002 1002 1002 1002 1002 1002 1002
        uploadAsA4                           1001 1006 904  904  904  904  904  1003 ok   904  1002 1002 ok   1002 1002 1002 1002 1002
        """

    /// What the target cells expect that the implementation cannot give yet (see
    /// ``MatrixTable/Disagreement``).
    static let disagreements: [String: (implementation: [CallerKind: Expected], why: String)] = [
        "holdingsOfA2": (
            [.registryService: .refused(1002)],
            """
            The registry service is refused (see GetHoldingsSummary in MatrixTable.disagreements).
            """
        )
    ]
}
