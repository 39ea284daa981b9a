import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

// The methods of RegistryService not built yet: each answers UNIMPLEMENTED (docs/API.md, Errors).
extension RegistryService {
    public func updateOrganization(request: Recs_Registry_V1_UpdateOrganizationRequest, context: ServerContext) async throws -> Recs_Registry_V1_UpdateOrganizationResponse {
        throw RegistryErrors.unimplemented("UpdateOrganization")
    }

    public func inactivateOrganization(request: Recs_Registry_V1_InactivateOrganizationRequest, context: ServerContext) async throws -> Recs_Registry_V1_InactivateOrganizationResponse {
        throw RegistryErrors.unimplemented("InactivateOrganization")
    }

    public func reactivateOrganization(request: Recs_Registry_V1_ReactivateOrganizationRequest, context: ServerContext) async throws -> Recs_Registry_V1_ReactivateOrganizationResponse {
        throw RegistryErrors.unimplemented("ReactivateOrganization")
    }

    public func terminateOrganization(request: Recs_Registry_V1_TerminateOrganizationRequest, context: ServerContext) async throws -> Recs_Registry_V1_TerminateOrganizationResponse {
        throw RegistryErrors.unimplemented("TerminateOrganization")
    }

    public func createSubaccount(request: Recs_Registry_V1_CreateSubaccountRequest, context: ServerContext) async throws -> Recs_Registry_V1_CreateSubaccountResponse {
        throw RegistryErrors.unimplemented("CreateSubaccount")
    }

    public func setSubaccountAlias(request: Recs_Registry_V1_SetSubaccountAliasRequest, context: ServerContext) async throws -> Recs_Registry_V1_SetSubaccountAliasResponse {
        throw RegistryErrors.unimplemented("SetSubaccountAlias")
    }

    public func getSubaccount(request: Recs_Registry_V1_GetSubaccountRequest, context: ServerContext) async throws -> Recs_Registry_V1_GetSubaccountResponse {
        throw RegistryErrors.unimplemented("GetSubaccount")
    }

    public func listSubaccounts(request: Recs_Registry_V1_ListSubaccountsRequest, context: ServerContext) async throws -> Recs_Registry_V1_ListSubaccountsResponse {
        throw RegistryErrors.unimplemented("ListSubaccounts")
    }

    public func setProgramAccessSelection(request: Recs_Registry_V1_SetProgramAccessSelectionRequest, context: ServerContext) async throws -> Recs_Registry_V1_SetProgramAccessSelectionResponse {
        throw RegistryErrors.unimplemented("SetProgramAccessSelection")
    }

    public func listGeneratingUnits(request: Recs_Registry_V1_ListGeneratingUnitsRequest, context: ServerContext) async throws -> Recs_Registry_V1_ListGeneratingUnitsResponse {
        throw RegistryErrors.unimplemented("ListGeneratingUnits")
    }

    public func updateGeneratingUnit(request: Recs_Registry_V1_UpdateGeneratingUnitRequest, context: ServerContext) async throws -> Recs_Registry_V1_UpdateGeneratingUnitResponse {
        throw RegistryErrors.unimplemented("UpdateGeneratingUnit")
    }

    public func confirmAnnualReview(request: Recs_Registry_V1_ConfirmAnnualReviewRequest, context: ServerContext) async throws -> Recs_Registry_V1_ConfirmAnnualReviewResponse {
        throw RegistryErrors.unimplemented("ConfirmAnnualReview")
    }

    public func inactivateGeneratingUnit(request: Recs_Registry_V1_InactivateGeneratingUnitRequest, context: ServerContext) async throws -> Recs_Registry_V1_InactivateGeneratingUnitResponse {
        throw RegistryErrors.unimplemented("InactivateGeneratingUnit")
    }

    public func suspendGeneratingUnit(request: Recs_Registry_V1_SuspendGeneratingUnitRequest, context: ServerContext) async throws -> Recs_Registry_V1_SuspendGeneratingUnitResponse {
        throw RegistryErrors.unimplemented("SuspendGeneratingUnit")
    }

    public func terminateGeneratingUnit(request: Recs_Registry_V1_TerminateGeneratingUnitRequest, context: ServerContext) async throws -> Recs_Registry_V1_TerminateGeneratingUnitResponse {
        throw RegistryErrors.unimplemented("TerminateGeneratingUnit")
    }

    public func changeGeneratingUnitAccount(request: Recs_Registry_V1_ChangeGeneratingUnitAccountRequest, context: ServerContext) async throws -> Recs_Registry_V1_ChangeGeneratingUnitAccountResponse {
        throw RegistryErrors.unimplemented("ChangeGeneratingUnitAccount")
    }

    public func setDepositSubaccount(request: Recs_Registry_V1_SetDepositSubaccountRequest, context: ServerContext) async throws -> Recs_Registry_V1_SetDepositSubaccountResponse {
        throw RegistryErrors.unimplemented("SetDepositSubaccount")
    }

    public func createMeterAggregation(request: Recs_Registry_V1_CreateMeterAggregationRequest, context: ServerContext) async throws -> Recs_Registry_V1_CreateMeterAggregationResponse {
        throw RegistryErrors.unimplemented("CreateMeterAggregation")
    }

    public func setMeterAggregationSplit(request: Recs_Registry_V1_SetMeterAggregationSplitRequest, context: ServerContext) async throws -> Recs_Registry_V1_SetMeterAggregationSplitResponse {
        throw RegistryErrors.unimplemented("SetMeterAggregationSplit")
    }

    public func getMeterAggregation(request: Recs_Registry_V1_GetMeterAggregationRequest, context: ServerContext) async throws -> Recs_Registry_V1_GetMeterAggregationResponse {
        throw RegistryErrors.unimplemented("GetMeterAggregation")
    }

    public func assignRegistrationRights(request: Recs_Registry_V1_AssignRegistrationRightsRequest, context: ServerContext) async throws -> Recs_Registry_V1_AssignRegistrationRightsResponse {
        throw RegistryErrors.unimplemented("AssignRegistrationRights")
    }

    public func terminateRegistrationRights(request: Recs_Registry_V1_TerminateRegistrationRightsRequest, context: ServerContext) async throws -> Recs_Registry_V1_TerminateRegistrationRightsResponse {
        throw RegistryErrors.unimplemented("TerminateRegistrationRights")
    }

    public func setUnitProgramAssignments(request: Recs_Registry_V1_SetUnitProgramAssignmentsRequest, context: ServerContext) async throws -> Recs_Registry_V1_SetUnitProgramAssignmentsResponse {
        throw RegistryErrors.unimplemented("SetUnitProgramAssignments")
    }

    public func uploadProgramExtract(request: Recs_Registry_V1_UploadProgramExtractRequest, context: ServerContext) async throws -> Recs_Registry_V1_UploadProgramExtractResponse {
        throw RegistryErrors.unimplemented("UploadProgramExtract")
    }

    public func setProgramEligibility(request: Recs_Registry_V1_SetProgramEligibilityRequest, context: ServerContext) async throws -> Recs_Registry_V1_SetProgramEligibilityResponse {
        throw RegistryErrors.unimplemented("SetProgramEligibility")
    }

    public func verifyProgramEligibility(request: Recs_Registry_V1_VerifyProgramEligibilityRequest, context: ServerContext) async throws -> Recs_Registry_V1_VerifyProgramEligibilityResponse {
        throw RegistryErrors.unimplemented("VerifyProgramEligibility")
    }

    public func watchEvents(request: Recs_Registry_V1_WatchEventsRequest, responses: ResponseWriter<Recs_Registry_V1_Event>, context: ServerContext) async throws {
        throw RegistryErrors.unimplemented("WatchEvents")
    }
}
