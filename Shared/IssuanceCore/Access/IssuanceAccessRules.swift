import Domain
import ServiceKit

/// Who may call each method of the issuance service (ADR 0006). The coarse action is checked
/// before the handler runs; the use case checks each unit acted on again (the unit's designated
/// reporting entity for uploads, §10 and Appendix D Table 27; the unit's account for reads).
/// A method missing here is never served.
enum IssuanceAccessRules {
    static let rules = AccessRules(
        service: "recs.issuance.v1.IssuanceService",
        methods: [
            // Generation data (§10, §12.3, Appendix D): the unit's designated reporting entity.
            "UploadGenerationFile": .requires(.reportGeneration),
            "ValidateGenerationFile": .requires(.reportGeneration),
            "GetGenerationUpload": .requires(.viewAccount),
            "SubmitSelfReportedMeterRead": .requires(.reportGeneration),
            "ListPostedGeneration": .requires(.viewAccount),
            "AcceptGeneration": .requires(.manageGeneration),
            "DisputeGeneration": .requires(.manageGeneration),
            "ReviewGeneration": .requires(.administer),
            // §13.2: the administrator initiates a prior period adjustment (a QRE's arrive as late
            // uploads, §9.4.2).
            "CreatePriorPeriodAdjustment": .requires(.administer),
            "ListOverdueGenerationReports": .requires(.viewAccount),
            "GetGenerationActivityLog": .requires(.viewAccount),
            // §12.6: "a notes section for the WREGIS Administrator".
            "AddGenerationActivityLogNote": .requires(.administer),
            // §9.8.3, §24.3: the account holder of a multi-fuel unit reports its fuel allocation.
            "SubmitFuelAllocation": .requires(.manageGeneration),
            "GetFuelAllocation": .requires(.viewAccount),
            // Issuance (§12.2): cycles are the administrator's; batches are read by their unit's account.
            "RunIssuanceCycle": .requires(.administer),
            "GetIssuanceCycle": .requires(.administer),
            "ListIssuanceCycles": .requires(.administer),
            "GetCertificateBatch": .requires(.viewAccount),
            "ListCertificateBatches": .requires(.viewAccount),
            // Corrections (§13): the administrator's.
            "CreateRetroactiveCertificates": .requires(.administer),
            "CorrectCertificateAttributes": .requires(.administer),
            "ReissueCorrectedCertificates": .requires(.administer),
            // The feed: the services that follow it, and the administrator.
            "ListEvents": .requires(.readFeed),
            "WatchEvents": .requires(.readFeed),
        ])
}
