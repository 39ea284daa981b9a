import Domain
import ServiceKit

/// Who may call each method of the registry (ADR 0006). The coarse action is checked before the
/// handler runs; use cases that act on one organization's record check the target again.
/// A method missing here is never served, and the authorization matrix test fails.
enum RegistryAccessRules {
    static let rules = AccessRules(
        service: "recs.registry.v1.RegistryService",
        methods: [
            // Organizations and accounts.
            "CreateOrganization": .requires(.administer),
            "GetOrganization": .requires(.viewAccount),
            "ListOrganizations": .requires(.viewAccount),
            "UpdateOrganization": .requires(.maintainAccount),
            "InactivateOrganization": .requires(.administer),
            "ReactivateOrganization": .requires(.administer),
            "TerminateOrganization": .requires(.terminateAccount),
            "CreateSubaccount": .requires(.maintainAccount),
            "SetSubaccountAlias": .requires(.maintainAccount),
            "GetSubaccount": .requires(.viewAccount),
            "ListSubaccounts": .requires(.viewAccount),
            // Users, keys and access (§7).
            "CreateUser": .requires(.createUser(level: .viewOnly)),
            "ApproveAgent": .requires(.administer),
            "RejectAgent": .requires(.administer),
            "SetUserAccess": .requires(.changeUser(level: .viewOnly)),
            "DisableUser": .requires(.changeUser(level: .viewOnly)),
            "EnableUser": .requires(.administer),
            "SetAccountManager": .requires(.administer),
            "GetUser": .requires(.viewAccount),
            "ListUsers": .requires(.viewAccount),
            "SetProgramAccessSelection": .requires(.changeUser(level: .viewOnly)),
            // Any authenticated caller learns as whom it is known: a login, a peer service or a partner system.
            "WhoAmI": .requiresAny([.manageOwnCredentials, .serviceCall(Set(PeerService.allCases)), .partnerExchange]),
            "CreateApiKey": .requires(.manageOwnCredentials),
            "ListApiKeys": .requires(.manageOwnCredentials),
            "RevokeApiKey": .requires(.manageOwnCredentials),
            // Generating units.
            "RegisterGeneratingUnit": .requires(.manageGeneration),
            "GetGeneratingUnit": .requires(.viewAccount),
            "ListGeneratingUnits": .requires(.viewAccount),
            "UpdateGeneratingUnit": .requires(.manageGeneration),
            "ConfirmAnnualReview": .requires(.manageGeneration),
            "ApproveGeneratingUnit": .requires(.administer),
            "InactivateGeneratingUnit": .requires(.administer),
            "SuspendGeneratingUnit": .requires(.administer),
            "TerminateGeneratingUnit": .requires(.administer),
            "DesignateReportingEntity": .requires(.manageGeneration),
            "ChangeGeneratingUnitAccount": .requires(.administer),
            "SetDepositSubaccount": .requires(.manageGeneration),
            "CreateMeterAggregation": .requires(.manageGeneration),
            "SetMeterAggregationSplit": .requires(.manageGeneration),
            "GetMeterAggregation": .requires(.viewAccount),
            "AssignRegistrationRights": .requires(.administer),
            "TerminateRegistrationRights": .requires(.administer),
            // Program eligibility (Appendix C).
            "SetUnitProgramAssignments": .requires(.manageGeneration),
            // Appendix C §5.1: program administrators and the registry administrator load extracts.
            "UploadProgramExtract": .requiresAny([.administerProgram, .administer]),
            "SetProgramEligibility": .requires(.administerProgram),
            "VerifyProgramEligibility": .requires(.administer),
            // The feed: the services that follow it, and the administrator.
            "ListEvents": .requires(.readFeed),
            "WatchEvents": .requires(.readFeed),
        ])
}
