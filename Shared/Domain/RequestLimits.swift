import Foundation

/// A limit with its name (as written in ``RequestLimits``), value and unit, and the rule code a
/// value over it breaks: what a refusal names ("`notes`: 51 characters, more than
/// mctNotesCharactersMax = 50 characters").
public struct NamedLimit: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable {
        /// Unicode scalars (code points) of a string; a string never has fewer than it has
        /// user-perceived characters, so a value within the limit is within it however counted.
        case characters
        case bytes
        /// Elements of a repeated field.
        case items
    }

    public let name: String
    public let value: Int
    public let unit: Unit
    public let code: RuleViolation.Code
    /// Where the limit comes from, cited in the violation.
    public let section: String

    public init(_ name: String, _ value: Int, _ unit: Unit, code: RuleViolation.Code = .valueTooLong, section: String = "docs/API.md, Limits") {
        precondition(value > 0, "a limit of \(name) is positive")
        self.name = name
        self.value = value
        self.unit = unit
        self.code = code
        self.section = section
    }

    public var description: String { "\(name) = \(value) \(unit.rawValue)" }
}

/// What one string, bytes or repeated field of a request may hold: each value (`element`: the
/// string or bytes itself, or each element of a repeated string or bytes field) and, for repeated
/// fields, the number of elements (`items`).
public struct FieldLimit: Sendable, Hashable {
    public let element: NamedLimit?
    public let items: NamedLimit?

    /// A string field, in characters.
    public static func text(_ limit: NamedLimit) -> FieldLimit {
        precondition(limit.unit == .characters, "\(limit.name) does not count characters")
        return FieldLimit(element: limit, items: nil)
    }

    /// A bytes field.
    public static func bytes(_ limit: NamedLimit) -> FieldLimit {
        precondition(limit.unit == .bytes, "\(limit.name) does not count bytes")
        return FieldLimit(element: limit, items: nil)
    }

    /// A repeated field: how many elements and, for strings or bytes, what each may hold.
    public static func list(_ items: NamedLimit, each element: NamedLimit? = nil) -> FieldLimit {
        precondition(items.unit == .items, "\(items.name) does not count items")
        return FieldLimit(element: element, items: items)
    }
}

/// Issue 8, item 5: every string, bytes and repeated field of every request of the four services
/// has a limit, checked by the RPC layer before the request is decoded (ServiceKit's
/// `RequestLimitChecker`), so no request can make a service store, or later serve, an unbounded
/// value. Hostile testing found two organizations with 3 MiB `contact` fields pushing the
/// registry's first feed page past the 4 MiB message limit, wedging every follower of the feed.
///
/// ``fields`` assigns a limit to each field by its fully qualified proto name; a field of a nested
/// message (`recs.common.v1.PostalAddress.lines`) has one entry wherever it is used. The limits
/// documented in docs/API.md (Limits) are used where they apply; the others are ours, and a field
/// gets a general one (`identifierCharactersMax`, `itemsPerRequestMax`, …) only by being listed
/// here with it. `RequestLimitsTests` fails for a request field without an entry.
public enum RequestLimits {
    // MARK: Documented (docs/API.md, Limits)

    /// Idempotency rule 1: 1 to 128 printable ASCII characters.
    public static let requestIDCharactersMax = NamedLimit("requestIDCharactersMax", Limits.requestIDCharactersMax, .characters)
    /// MCT "Character Limit: 50", for the notes of a transfer.
    public static let mctNotesCharactersMax = NamedLimit(
        "mctNotesCharactersMax", Limits.mctNotesCharactersMax, .characters, code: .notesTooLong, section: "MCT Data File Specifications")
    /// Retirement (§16.1), reserve (§18.1) and forced retirement details.
    public static let reasonDetailsCharactersMax = NamedLimit(
        "reasonDetailsCharactersMax", Limits.reasonDetailsCharactersMax, .characters, code: .reasonTooLong)
    /// An uploaded file (generation, program extract, MCT).
    public static let uploadBytesMax = NamedLimit("uploadBytesMax", Limits.uploadBytesMax, .bytes, code: .fileTooLarge)
    /// Items of one transfer, retirement, reserve or export: as many as the lines of an MCT file.
    public static let transferItemsPerRequestMax = NamedLimit("transferItemsPerRequestMax", Limits.mctLinesMax, .items)

    // MARK: Ours

    /// Ids of records: organizations, subaccounts, units, users, keys, transfers, uploads, … (the
    /// domain's formats are far shorter; opaque ids are at most a request id long).
    public static let identifierCharactersMax = NamedLimit("identifierCharactersMax", 128, .characters)
    /// Codes of the documents: fuel types, fuel sources, programs, states and provinces.
    public static let codeCharactersMax = NamedLimit("codeCharactersMax", 32, .characters)
    /// Names of organizations, people, facilities, units, companies and recipients (the registry
    /// refuses longer organization and person names itself, RegistryService.nameCharactersMax).
    public static let nameCharactersMax = NamedLimit("nameCharactersMax", 200, .characters)
    /// Counties, cities and countries.
    public static let placeNameCharactersMax = NamedLimit("placeNameCharactersMax", 100, .characters)
    /// RFC 5321's longest forward path, less its brackets.
    public static let emailCharactersMax = NamedLimit("emailCharactersMax", 254, .characters)
    /// As the registry checks a login (RegistryRules).
    public static let loginCharactersMax = NamedLimit("loginCharactersMax", 100, .characters)
    public static let telephoneCharactersMax = NamedLimit("telephoneCharactersMax", 32, .characters)
    public static let websiteCharactersMax = NamedLimit("websiteCharactersMax", 2_048, .characters)
    public static let postalAddressLinesMax = NamedLimit("postalAddressLinesMax", 6, .items)
    public static let postalAddressLineCharactersMax = NamedLimit("postalAddressLineCharactersMax", 100, .characters)
    public static let postalCodeCharactersMax = NamedLimit("postalCodeCharactersMax", 20, .characters)
    /// References to documents kept elsewhere: written requests, forms, consents, agreements,
    /// partner references, certification and control numbers, original serial numbers.
    public static let referenceCharactersMax = NamedLimit("referenceCharactersMax", 200, .characters)
    /// Reasons, notes and justifications other than the MCT notes and reason details above.
    public static let freeTextCharactersMax = NamedLimit("freeTextCharactersMax", 500, .characters)
    /// As issuance checks an upload's file name.
    public static let fileNameCharactersMax = NamedLimit("fileNameCharactersMax", 255, .characters)
    /// As the registry checks an API key's label.
    public static let apiKeyLabelCharactersMax = NamedLimit("apiKeyLabelCharactersMax", 100, .characters)
    public static let subaccountAliasCharactersMax = NamedLimit("subaccountAliasCharactersMax", 100, .characters)
    /// The MCT text of a serial range is at most 54 characters (12-digit parts, ADR 0002).
    public static let serialRangeTextCharactersMax = NamedLimit("serialRangeTextCharactersMax", 128, .characters)
    /// Page tokens are the services' own, and short.
    public static let pageTokenCharactersMax = NamedLimit("pageTokenCharactersMax", 512, .characters)
    /// Elements of any other repeated field: ids, codes, records.
    public static let itemsPerRequestMax = NamedLimit("itemsPerRequestMax", 1_000, .items)
    /// Elements of a repeated enum (kinds, fields, ownership types): each value at most a few times.
    public static let enumValuesPerRequestMax = NamedLimit("enumValuesPerRequestMax", 100, .items)

    /// Every named limit above, for documentation and tests.
    public static let all: [NamedLimit] = [
        requestIDCharactersMax, mctNotesCharactersMax, reasonDetailsCharactersMax, uploadBytesMax, transferItemsPerRequestMax,
        identifierCharactersMax, codeCharactersMax, nameCharactersMax, placeNameCharactersMax, emailCharactersMax,
        loginCharactersMax, telephoneCharactersMax, websiteCharactersMax, postalAddressLinesMax, postalAddressLineCharactersMax,
        postalCodeCharactersMax, referenceCharactersMax, freeTextCharactersMax, fileNameCharactersMax, apiKeyLabelCharactersMax,
        subaccountAliasCharactersMax, serialRangeTextCharactersMax, pageTokenCharactersMax, itemsPerRequestMax,
        enumValuesPerRequestMax,
    ]

    /// The limit of every string, bytes and repeated field of every request message of the four
    /// services (nested messages included), by fully qualified field name.
    public static let fields: [String: FieldLimit] = [
        // MARK: recs.common.v1

        "recs.common.v1.CertificateAttributes.country": .text(placeNameCharactersMax),
        "recs.common.v1.CertificateAttributes.facility_county": .text(placeNameCharactersMax),
        "recs.common.v1.CertificateAttributes.facility_name": .text(nameCharactersMax),
        "recs.common.v1.CertificateAttributes.facility_operator": .text(nameCharactersMax),
        "recs.common.v1.CertificateAttributes.fuel_source_codes": .list(itemsPerRequestMax, each: codeCharactersMax),
        "recs.common.v1.CertificateAttributes.fuel_type_code": .text(codeCharactersMax),
        "recs.common.v1.CertificateAttributes.generating_unit_id": .text(identifierCharactersMax),
        "recs.common.v1.CertificateAttributes.generating_unit_name": .text(nameCharactersMax),
        "recs.common.v1.CertificateAttributes.generation_technology": .text(nameCharactersMax),
        "recs.common.v1.CertificateAttributes.interconnecting_utility": .text(nameCharactersMax),
        "recs.common.v1.CertificateAttributes.ownership_types": .list(enumValuesPerRequestMax),
        "recs.common.v1.CertificateAttributes.program_eligibilities": .list(itemsPerRequestMax),
        "recs.common.v1.CertificateAttributes.reporting_entity_name": .text(nameCharactersMax),
        "recs.common.v1.CertificateAttributes.state_or_province": .text(codeCharactersMax),
        "recs.common.v1.ContactInformation.contact_name": .text(nameCharactersMax),
        "recs.common.v1.ContactInformation.email": .text(emailCharactersMax),
        "recs.common.v1.ContactInformation.telephone": .text(telephoneCharactersMax),
        "recs.common.v1.ContactInformation.website": .text(websiteCharactersMax),
        "recs.common.v1.ExportDestination.recipient_account_id": .text(identifierCharactersMax),
        "recs.common.v1.ExportDestination.recipient_name": .text(nameCharactersMax),
        "recs.common.v1.ExportDestination.recipient_system_id": .text(identifierCharactersMax),
        "recs.common.v1.ExportDestination.tracking_system_id": .text(identifierCharactersMax),
        "recs.common.v1.ImportOrigin.original_serial_number": .text(referenceCharactersMax),
        "recs.common.v1.ImportOrigin.tracking_system_id": .text(identifierCharactersMax),
        "recs.common.v1.PageRequest.page_token": .text(pageTokenCharactersMax),
        "recs.common.v1.PostalAddress.city": .text(placeNameCharactersMax),
        "recs.common.v1.PostalAddress.country": .text(placeNameCharactersMax),
        "recs.common.v1.PostalAddress.lines": .list(postalAddressLinesMax, each: postalAddressLineCharactersMax),
        "recs.common.v1.PostalAddress.postal_code": .text(postalCodeCharactersMax),
        "recs.common.v1.PostalAddress.state_or_province": .text(codeCharactersMax),
        "recs.common.v1.ProgramEligibility.certification_number": .text(referenceCharactersMax),
        "recs.common.v1.ProgramEligibility.fuel_type_code": .text(codeCharactersMax),
        "recs.common.v1.ProgramEligibility.program_code": .text(codeCharactersMax),
        "recs.common.v1.ReserveReason.details": .text(reasonDetailsCharactersMax),
        "recs.common.v1.RetirementReason.details": .text(reasonDetailsCharactersMax),
        "recs.common.v1.RetirementReason.program_code": .text(codeCharactersMax),
        "recs.common.v1.SerialRange.generating_unit_id": .text(identifierCharactersMax),
        "recs.common.v1.SerialRange.state_or_province": .text(codeCharactersMax),
        "recs.common.v1.SerialRange.text": .text(serialRangeTextCharactersMax),

        // MARK: recs.issuance.v1

        "recs.issuance.v1.AcceptGenerationRequest.posted_generation_id": .text(identifierCharactersMax),
        "recs.issuance.v1.AcceptGenerationRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.AddGenerationActivityLogNoteRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.AddGenerationActivityLogNoteRequest.note": .text(freeTextCharactersMax),
        "recs.issuance.v1.AddGenerationActivityLogNoteRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.CorrectCertificateAttributesRequest.reason": .text(freeTextCharactersMax),
        "recs.issuance.v1.CorrectCertificateAttributesRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.CreatePriorPeriodAdjustmentRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.CreatePriorPeriodAdjustmentRequest.reason": .text(freeTextCharactersMax),
        "recs.issuance.v1.CreatePriorPeriodAdjustmentRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.CreateRetroactiveCertificatesRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.CreateRetroactiveCertificatesRequest.generation": .list(itemsPerRequestMax),
        "recs.issuance.v1.CreateRetroactiveCertificatesRequest.justification": .text(freeTextCharactersMax),
        "recs.issuance.v1.CreateRetroactiveCertificatesRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.CreateRetroactiveCertificatesRequest.requesting_program_code": .text(codeCharactersMax),
        "recs.issuance.v1.DisputeGenerationRequest.posted_generation_id": .text(identifierCharactersMax),
        "recs.issuance.v1.DisputeGenerationRequest.reason": .text(freeTextCharactersMax),
        "recs.issuance.v1.DisputeGenerationRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.FuelShare.fuel_type_code": .text(codeCharactersMax),
        "recs.issuance.v1.GetFuelAllocationRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.GetGenerationActivityLogRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.GetGenerationUploadRequest.upload_id": .text(identifierCharactersMax),
        "recs.issuance.v1.GetIssuanceCycleRequest.issuance_cycle_id": .text(identifierCharactersMax),
        "recs.issuance.v1.ListCertificateBatchesRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.ListCertificateBatchesRequest.issuance_cycle_id": .text(identifierCharactersMax),
        "recs.issuance.v1.ListOverdueGenerationReportsRequest.organization_id": .text(identifierCharactersMax),
        "recs.issuance.v1.ListPostedGenerationRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.ListPostedGenerationRequest.organization_id": .text(identifierCharactersMax),
        "recs.issuance.v1.ReissueCorrectedCertificatesRequest.reason": .text(freeTextCharactersMax),
        "recs.issuance.v1.ReissueCorrectedCertificatesRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.ReissueCorrectedCertificatesRequest.retired_serial_ranges": .list(itemsPerRequestMax),
        "recs.issuance.v1.RetroactiveGeneration.fuel_type_code": .text(codeCharactersMax),
        "recs.issuance.v1.ReviewGenerationRequest.notes": .text(freeTextCharactersMax),
        "recs.issuance.v1.ReviewGenerationRequest.posted_generation_id": .text(identifierCharactersMax),
        "recs.issuance.v1.ReviewGenerationRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.RunIssuanceCycleRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.SubmitFuelAllocationRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.SubmitFuelAllocationRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.SubmitFuelAllocationRequest.shares": .list(itemsPerRequestMax),
        "recs.issuance.v1.SubmitSelfReportedMeterReadRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.issuance.v1.SubmitSelfReportedMeterReadRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.UploadGenerationFileRequest.content": .bytes(uploadBytesMax),
        "recs.issuance.v1.UploadGenerationFileRequest.file_name": .text(fileNameCharactersMax),
        "recs.issuance.v1.UploadGenerationFileRequest.reporter_organization_id": .text(identifierCharactersMax),
        "recs.issuance.v1.UploadGenerationFileRequest.request_id": .text(requestIDCharactersMax),
        "recs.issuance.v1.ValidateGenerationFileRequest.content": .bytes(uploadBytesMax),
        "recs.issuance.v1.ValidateGenerationFileRequest.file_name": .text(fileNameCharactersMax),
        "recs.issuance.v1.ValidateGenerationFileRequest.reporter_organization_id": .text(identifierCharactersMax),

        // MARK: recs.registry.v1

        "recs.registry.v1.AggregationMember.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.ApproveAgentRequest.authorization_form_reference": .text(referenceCharactersMax),
        "recs.registry.v1.ApproveAgentRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.ApproveAgentRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.ApproveGeneratingUnitRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.ApproveGeneratingUnitRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.ApproveGeneratingUnitRequest.verification_notes": .text(freeTextCharactersMax),
        "recs.registry.v1.AssignRegistrationRightsRequest.agent_organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.AssignRegistrationRightsRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.AssignRegistrationRightsRequest.generator_owner_name": .text(nameCharactersMax),
        "recs.registry.v1.AssignRegistrationRightsRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.ChangeGeneratingUnitAccountRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.ChangeGeneratingUnitAccountRequest.new_deposit_subaccount_id": .text(identifierCharactersMax),
        "recs.registry.v1.ChangeGeneratingUnitAccountRequest.new_organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.ChangeGeneratingUnitAccountRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.ConfirmAnnualReviewRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.ConfirmAnnualReviewRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.CreateApiKeyRequest.label": .text(apiKeyLabelCharactersMax),
        "recs.registry.v1.CreateApiKeyRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.CreateApiKeyRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.CreateMeterAggregationRequest.members": .list(itemsPerRequestMax),
        "recs.registry.v1.CreateMeterAggregationRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.CreateMeterAggregationRequest.revenue_meter_id": .text(identifierCharactersMax),
        "recs.registry.v1.CreateOrganizationRequest.administered_program_codes": .list(itemsPerRequestMax, each: codeCharactersMax),
        "recs.registry.v1.CreateOrganizationRequest.manager_email": .text(emailCharactersMax),
        "recs.registry.v1.CreateOrganizationRequest.manager_login": .text(loginCharactersMax),
        "recs.registry.v1.CreateOrganizationRequest.manager_person_name": .text(nameCharactersMax),
        "recs.registry.v1.CreateOrganizationRequest.name": .text(nameCharactersMax),
        "recs.registry.v1.CreateOrganizationRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.CreateSubaccountRequest.alias": .text(subaccountAliasCharactersMax),
        "recs.registry.v1.CreateSubaccountRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.CreateSubaccountRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.CreateUserRequest.agent_company": .text(nameCharactersMax),
        "recs.registry.v1.CreateUserRequest.email": .text(emailCharactersMax),
        "recs.registry.v1.CreateUserRequest.login": .text(loginCharactersMax),
        "recs.registry.v1.CreateUserRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.CreateUserRequest.permissions": .list(itemsPerRequestMax),
        "recs.registry.v1.CreateUserRequest.person_name": .text(nameCharactersMax),
        "recs.registry.v1.CreateUserRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.DesignateReportingEntityRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.DesignateReportingEntityRequest.reporting_entity_organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.DesignateReportingEntityRequest.reporting_entity_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.DesignateReportingEntityRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.DisableUserRequest.reason": .text(freeTextCharactersMax),
        "recs.registry.v1.DisableUserRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.DisableUserRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.DistributedGenerationAggregation.approval_reference": .text(referenceCharactersMax),
        "recs.registry.v1.DistributedGenerationAggregation.control_number": .text(referenceCharactersMax),
        "recs.registry.v1.EnableUserRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.EnableUserRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.country": .text(placeNameCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.facility_county": .text(placeNameCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.facility_name": .text(nameCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.facility_operator": .text(nameCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.fuels": .list(itemsPerRequestMax),
        "recs.registry.v1.GeneratingUnitStaticData.generation_technology": .text(nameCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.interconnecting_utility": .text(nameCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.name": .text(nameCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.ownership_types": .list(enumValuesPerRequestMax),
        "recs.registry.v1.GeneratingUnitStaticData.revenue_meter_id": .text(identifierCharactersMax),
        "recs.registry.v1.GeneratingUnitStaticData.state_or_province": .text(codeCharactersMax),
        "recs.registry.v1.GetGeneratingUnitRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.GetMeterAggregationRequest.meter_aggregation_id": .text(identifierCharactersMax),
        "recs.registry.v1.GetOrganizationRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.GetSubaccountRequest.subaccount_id": .text(identifierCharactersMax),
        "recs.registry.v1.GetUserRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.InactivateGeneratingUnitRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.InactivateGeneratingUnitRequest.reason": .text(freeTextCharactersMax),
        "recs.registry.v1.InactivateGeneratingUnitRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.InactivateOrganizationRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.InactivateOrganizationRequest.reason": .text(freeTextCharactersMax),
        "recs.registry.v1.InactivateOrganizationRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.ListApiKeysRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.ListGeneratingUnitsRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.ListGeneratingUnitsRequest.reporting_entity_organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.ListGeneratingUnitsRequest.reporting_entity_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.ListSubaccountsRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.ListUsersRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.PermissionGrant.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.PermissionGrant.subaccount_id": .text(identifierCharactersMax),
        "recs.registry.v1.ReactivateOrganizationRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.ReactivateOrganizationRequest.reason": .text(freeTextCharactersMax),
        "recs.registry.v1.ReactivateOrganizationRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.RegisterGeneratingUnitRequest.deposit_subaccount_id": .text(identifierCharactersMax),
        "recs.registry.v1.RegisterGeneratingUnitRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.RegisterGeneratingUnitRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.RejectAgentRequest.reason": .text(freeTextCharactersMax),
        "recs.registry.v1.RejectAgentRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.RejectAgentRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.RevokeApiKeyRequest.key_id": .text(identifierCharactersMax),
        "recs.registry.v1.RevokeApiKeyRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetAccountManagerRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetAccountManagerRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetAccountManagerRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetDepositSubaccountRequest.deposit_subaccount_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetDepositSubaccountRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetDepositSubaccountRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetMeterAggregationSplitRequest.members": .list(itemsPerRequestMax),
        "recs.registry.v1.SetMeterAggregationSplitRequest.meter_aggregation_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetMeterAggregationSplitRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetProgramAccessSelectionRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetProgramAccessSelectionRequest.program_administrator_organization_ids": .list(itemsPerRequestMax, each: identifierCharactersMax),
        "recs.registry.v1.SetProgramAccessSelectionRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetProgramEligibilityRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetProgramEligibilityRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetSubaccountAliasRequest.alias": .text(subaccountAliasCharactersMax),
        "recs.registry.v1.SetSubaccountAliasRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetSubaccountAliasRequest.subaccount_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetUnitProgramAssignmentsRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.SetUnitProgramAssignmentsRequest.program_codes": .list(itemsPerRequestMax, each: codeCharactersMax),
        "recs.registry.v1.SetUnitProgramAssignmentsRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetUserAccessRequest.permissions": .list(itemsPerRequestMax),
        "recs.registry.v1.SetUserAccessRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.SetUserAccessRequest.user_id": .text(identifierCharactersMax),
        "recs.registry.v1.SuspendGeneratingUnitRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.SuspendGeneratingUnitRequest.reason": .text(freeTextCharactersMax),
        "recs.registry.v1.SuspendGeneratingUnitRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.TerminateGeneratingUnitRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.TerminateGeneratingUnitRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.TerminateOrganizationRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.TerminateOrganizationRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.TerminateOrganizationRequest.written_request_reference": .text(referenceCharactersMax),
        "recs.registry.v1.TerminateRegistrationRightsRequest.assignment_id": .text(identifierCharactersMax),
        "recs.registry.v1.TerminateRegistrationRightsRequest.documentation_reference": .text(referenceCharactersMax),
        "recs.registry.v1.TerminateRegistrationRightsRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.UnitFuel.fuel_source_codes": .list(itemsPerRequestMax, each: codeCharactersMax),
        "recs.registry.v1.UnitFuel.fuel_type_code": .text(codeCharactersMax),
        "recs.registry.v1.UpdateGeneratingUnitRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.UpdateGeneratingUnitRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.UpdateOrganizationRequest.administered_program_codes": .list(itemsPerRequestMax, each: codeCharactersMax),
        "recs.registry.v1.UpdateOrganizationRequest.name": .text(nameCharactersMax),
        "recs.registry.v1.UpdateOrganizationRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.UpdateOrganizationRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.UploadProgramExtractRequest.content": .bytes(uploadBytesMax),
        "recs.registry.v1.UploadProgramExtractRequest.file_name": .text(fileNameCharactersMax),
        "recs.registry.v1.UploadProgramExtractRequest.organization_id": .text(identifierCharactersMax),
        "recs.registry.v1.UploadProgramExtractRequest.request_id": .text(requestIDCharactersMax),
        "recs.registry.v1.VerifyProgramEligibilityRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.registry.v1.VerifyProgramEligibilityRequest.program_code": .text(codeCharactersMax),
        "recs.registry.v1.VerifyProgramEligibilityRequest.request_id": .text(requestIDCharactersMax),

        // MARK: recs.reporting.v1

        "recs.reporting.v1.AccountActivityQuery.fields": .list(enumValuesPerRequestMax),
        "recs.reporting.v1.AccountActivityQuery.kinds": .list(enumValuesPerRequestMax),
        "recs.reporting.v1.AccountActivityQuery.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.AccountActivityQuery.subaccount_ids": .list(itemsPerRequestMax, each: identifierCharactersMax),
        "recs.reporting.v1.CompleteReportExportRequest.notes": .text(freeTextCharactersMax),
        "recs.reporting.v1.CompleteReportExportRequest.report_export_id": .text(identifierCharactersMax),
        "recs.reporting.v1.CompleteReportExportRequest.request_id": .text(requestIDCharactersMax),
        "recs.reporting.v1.DeleteReportTemplateRequest.request_id": .text(requestIDCharactersMax),
        "recs.reporting.v1.DeleteReportTemplateRequest.template_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetAccountActivityReportRequest.template_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetAccountHolderFeesReportRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetActivityLogRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetCertificateActivityReportRequest.fuel_type_code": .text(codeCharactersMax),
        "recs.reporting.v1.GetCertificateActivityReportRequest.program_code": .text(codeCharactersMax),
        "recs.reporting.v1.GetCertificateActivityReportRequest.state_or_province": .text(codeCharactersMax),
        "recs.reporting.v1.GetCertificateTransfersReportRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetGenerationReportRequest.generating_unit_ids": .list(itemsPerRequestMax, each: identifierCharactersMax),
        "recs.reporting.v1.GetGenerationReportRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetProgramComplianceReportRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetProgramComplianceReportRequest.program_code": .text(codeCharactersMax),
        "recs.reporting.v1.GetSubaccountDispositionReportRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.GetSubaccountDispositionReportRequest.subaccount_ids": .list(itemsPerRequestMax, each: identifierCharactersMax),
        "recs.reporting.v1.ListAccountsGrantingAccessRequest.program_administrator_organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.ListArchivedRecordsRequest.retrieval_id": .text(identifierCharactersMax),
        "recs.reporting.v1.ListReportExportRequestsRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.ListReportTemplatesRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.RequestReportExportRequest.email": .text(emailCharactersMax),
        "recs.reporting.v1.RequestReportExportRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.RequestReportExportRequest.recipient_name": .text(nameCharactersMax),
        "recs.reporting.v1.RequestReportExportRequest.request_id": .text(requestIDCharactersMax),
        "recs.reporting.v1.RetrieveArchivedRecordsRequest.kinds": .list(enumValuesPerRequestMax),
        "recs.reporting.v1.RetrieveArchivedRecordsRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.RetrieveArchivedRecordsRequest.request_id": .text(requestIDCharactersMax),
        "recs.reporting.v1.SaveReportTemplateRequest.name": .text(nameCharactersMax),
        "recs.reporting.v1.SaveReportTemplateRequest.organization_id": .text(identifierCharactersMax),
        "recs.reporting.v1.SaveReportTemplateRequest.request_id": .text(requestIDCharactersMax),
        "recs.reporting.v1.SaveReportTemplateRequest.template_id": .text(identifierCharactersMax),

        // MARK: recs.transfer.v1

        "recs.transfer.v1.AcceptExportRequest.export_id": .text(identifierCharactersMax),
        "recs.transfer.v1.AcceptExportRequest.partner_reference": .text(referenceCharactersMax),
        "recs.transfer.v1.AcceptExportRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.AcceptImportRequest.import_id": .text(identifierCharactersMax),
        "recs.transfer.v1.AcceptImportRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.AcceptImportRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.AcceptTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.AcceptTransferRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.AcceptTransferRequest.transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ApproveWithdrawalRequest.notes": .text(freeTextCharactersMax),
        "recs.transfer.v1.ApproveWithdrawalRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.ApproveWithdrawalRequest.withdrawal_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CancelAutomaticRecurringTransferRequest.automatic_recurring_transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CancelAutomaticRecurringTransferRequest.consent_reference": .text(referenceCharactersMax),
        "recs.transfer.v1.CancelAutomaticRecurringTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.CompatibleTrackingSystem.agreement_reference": .text(referenceCharactersMax),
        "recs.transfer.v1.CompatibleTrackingSystem.certificate_subject": .text(referenceCharactersMax),
        "recs.transfer.v1.CompatibleTrackingSystem.name": .text(nameCharactersMax),
        "recs.transfer.v1.CompatibleTrackingSystem.tracking_system_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateAutomaticRecurringTransferRequest.destinations": .list(itemsPerRequestMax),
        "recs.transfer.v1.CreateAutomaticRecurringTransferRequest.fuel_type_code": .text(codeCharactersMax),
        "recs.transfer.v1.CreateAutomaticRecurringTransferRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateAutomaticRecurringTransferRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateAutomaticRecurringTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.CreateForwardCertificateTransferRequest.generating_unit_ids": .list(itemsPerRequestMax, each: identifierCharactersMax),
        "recs.transfer.v1.CreateForwardCertificateTransferRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateForwardCertificateTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.CreateForwardCertificateTransferRequest.to_organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateForwardCertificateTransferRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateStandingOrderRequest.from_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateStandingOrderRequest.fuel_type_codes": .list(itemsPerRequestMax, each: codeCharactersMax),
        "recs.transfer.v1.CreateStandingOrderRequest.generating_unit_ids": .list(itemsPerRequestMax, each: identifierCharactersMax),
        "recs.transfer.v1.CreateStandingOrderRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateStandingOrderRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.CreateStandingOrderRequest.to_organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.CreateStandingOrderRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.DepositCertificatesRequest.deposit_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.DepositCertificatesRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.DepositCertificatesRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.DepositCertificatesRequest.source_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ExportCertificatesRequest.export_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ExportCertificatesRequest.items": .list(transferItemsPerRequestMax),
        "recs.transfer.v1.ExportCertificatesRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ExportCertificatesRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.ForceRetireCertificatesRequest.details": .text(reasonDetailsCharactersMax),
        "recs.transfer.v1.ForceRetireCertificatesRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.ForceRetireCertificatesRequest.serial_ranges": .list(itemsPerRequestMax),
        "recs.transfer.v1.GetAutomaticRecurringTransferRequest.automatic_recurring_transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.GetExportRequest.export_id": .text(identifierCharactersMax),
        "recs.transfer.v1.GetForwardCertificateTransferRequest.forward_certificate_transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.GetHoldingsSummaryRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.GetImportRequest.import_id": .text(identifierCharactersMax),
        "recs.transfer.v1.GetStandingOrderRequest.standing_order_id": .text(identifierCharactersMax),
        "recs.transfer.v1.GetTransferRequest.transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ImportedBatch.original_serial_number": .text(referenceCharactersMax),
        "recs.transfer.v1.ListAutomaticRecurringTransfersRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListAutomaticRecurringTransfersRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListExportsRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListExportsRequest.tracking_system_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListForwardCertificateTransfersRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListForwardCertificateTransfersRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListHoldingsRequest.fuel_type_code": .text(codeCharactersMax),
        "recs.transfer.v1.ListHoldingsRequest.generating_unit_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListHoldingsRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListHoldingsRequest.subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListImportsRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListImportsRequest.tracking_system_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListStandingOrdersRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListTransfersRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListTransfersRequest.origin_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ListWithdrawalRequestsRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.OfferImportRequest.batches": .list(itemsPerRequestMax),
        "recs.transfer.v1.OfferImportRequest.partner_reference": .text(referenceCharactersMax),
        "recs.transfer.v1.OfferImportRequest.recipient_name": .text(nameCharactersMax),
        "recs.transfer.v1.OfferImportRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.OfferImportRequest.to_organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.OfferImportRequest.tracking_system_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RecurringTransferDestination.to_organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RecurringTransferDestination.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RefuseWithdrawalRequest.reason": .text(freeTextCharactersMax),
        "recs.transfer.v1.RefuseWithdrawalRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RefuseWithdrawalRequest.withdrawal_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RegisterCompatibleTrackingSystemRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RejectExportRequest.export_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RejectExportRequest.reason": .text(freeTextCharactersMax),
        "recs.transfer.v1.RejectExportRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RejectImportRequest.import_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RejectImportRequest.reason": .text(freeTextCharactersMax),
        "recs.transfer.v1.RejectImportRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RejectTransferRequest.reason": .text(freeTextCharactersMax),
        "recs.transfer.v1.RejectTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RejectTransferRequest.transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RequestInterAccountTransferRequest.items": .list(transferItemsPerRequestMax),
        "recs.transfer.v1.RequestInterAccountTransferRequest.notes": .text(mctNotesCharactersMax),
        "recs.transfer.v1.RequestInterAccountTransferRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RequestInterAccountTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RequestInterAccountTransferRequest.to_organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RequestWithdrawalRequest.justification": .text(freeTextCharactersMax),
        "recs.transfer.v1.RequestWithdrawalRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RequestWithdrawalRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RequestWithdrawalRequest.serial_ranges": .list(itemsPerRequestMax),
        "recs.transfer.v1.RequestWithdrawalRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RescindForwardCertificateTransferRequest.forward_certificate_transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RescindForwardCertificateTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.ReserveCertificatesRequest.items": .list(transferItemsPerRequestMax),
        "recs.transfer.v1.ReserveCertificatesRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.ReserveCertificatesRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.ReserveCertificatesRequest.reserve_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RespondToForwardCertificateTransferRequest.forward_certificate_transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RespondToForwardCertificateTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RespondToForwardCertificateTransferRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RespondToStandingOrderRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RespondToStandingOrderRequest.standing_order_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RespondToStandingOrderRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RetireCertificatesRequest.items": .list(transferItemsPerRequestMax),
        "recs.transfer.v1.RetireCertificatesRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.RetireCertificatesRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.RetireCertificatesRequest.retirement_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.TransferWithinAccountRequest.items": .list(transferItemsPerRequestMax),
        "recs.transfer.v1.TransferWithinAccountRequest.notes": .text(mctNotesCharactersMax),
        "recs.transfer.v1.TransferWithinAccountRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.TransferWithinAccountRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.TransferWithinAccountRequest.to_subaccount_id": .text(identifierCharactersMax),
        "recs.transfer.v1.UpdateAutomaticRecurringTransferRequest.automatic_recurring_transfer_id": .text(identifierCharactersMax),
        "recs.transfer.v1.UpdateAutomaticRecurringTransferRequest.consent_reference": .text(referenceCharactersMax),
        "recs.transfer.v1.UpdateAutomaticRecurringTransferRequest.destinations": .list(itemsPerRequestMax),
        "recs.transfer.v1.UpdateAutomaticRecurringTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.UploadMassCertificateTransferRequest.content": .bytes(uploadBytesMax),
        "recs.transfer.v1.UploadMassCertificateTransferRequest.file_name": .text(fileNameCharactersMax),
        "recs.transfer.v1.UploadMassCertificateTransferRequest.organization_id": .text(identifierCharactersMax),
        "recs.transfer.v1.UploadMassCertificateTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.WithdrawStandingOrderRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.WithdrawStandingOrderRequest.standing_order_id": .text(identifierCharactersMax),
        "recs.transfer.v1.WithdrawTransferRequest.request_id": .text(requestIDCharactersMax),
        "recs.transfer.v1.WithdrawTransferRequest.transfer_id": .text(identifierCharactersMax),
    ]
}
