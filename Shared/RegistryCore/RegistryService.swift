import Domain
import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

/// `recs.registry.v1.RegistryService`, first slice: organizations with their account and default
/// subaccounts, generating unit registration, approval and reporting entity designation, and the
/// event feed. Every other method answers UNIMPLEMENTED (the generated default).
///
/// Who may call each method is ``RegistryAccessRules`` (checked before a handler runs, when the
/// server has ``AccessControl``); events carry the caller as their actor.
public struct RegistryService: Recs_Registry_V1_RegistryServiceProvider {
    public let repository: RegistryRepository
    /// The callers this service knows; refreshed after every change, since a change of an
    /// organization, login or key may change who may call.
    public let directory: PrincipalDirectory
    let logger: Logger

    /// docs/API.md, idempotency rule 1.
    public static let requestIDCharactersMax = RequestJournal.requestIDCharactersMax
    /// docs/API.md, event feeds and paging.
    public static let pageSizeMax = 1_000
    public static let pageSizeDefault = 100
    /// Our limit on free text (names), so no input makes a record unbounded.
    public static let nameCharactersMax = 200

    public init(repository: RegistryRepository, directory: PrincipalDirectory = PrincipalDirectory(), logger: Logger = Logger(label: "registry")) {
        self.repository = repository
        self.directory = directory
        self.logger = logger
    }

    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { RegistryAccessRules.rules }

    // MARK: Callers and API keys (§7, §11)

    public func whoAmI(request: Recs_Registry_V1_WhoAmIRequest, context: ServerContext) async throws -> Recs_Registry_V1_WhoAmIResponse {
        WhoAmI(directory: directory).handle(request, caller: context.caller)
    }

    public func createApiKey(
        request: Recs_Registry_V1_CreateApiKeyRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_CreateApiKeyResponse {
        try await refreshingDirectory { try await CreateApiKey(journal: repository.journal).handle(request, caller: context.caller) }
    }

    public func listApiKeys(
        request: Recs_Registry_V1_ListApiKeysRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ListApiKeysResponse {
        try await ListApiKeys(journal: repository.journal).handle(request, caller: context.caller)
    }

    public func revokeApiKey(
        request: Recs_Registry_V1_RevokeApiKeyRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_RevokeApiKeyResponse {
        try await refreshingDirectory { try await RevokeApiKey(journal: repository.journal).handle(request, caller: context.caller) }
    }

    /// Runs a change, then re-reads the callers: the next call already sees a new or revoked key.
    func refreshingDirectory<T>(_ body: () async throws -> T) async throws -> T {
        let result = try await body()
        try await directory.refresh(from: repository.database)
        return result
    }

    // MARK: Organizations

    public func createOrganization(
        request: Recs_Registry_V1_CreateOrganizationRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_CreateOrganizationResponse {
        let actor = context.caller.actor
        return try await mutate("CreateOrganization", request, requestID: request.requestId, clearing: { $0.requestId = "" }) {
            transaction in
            try Self.checkName(request.name, field: "name", section: "Operating Rules §5.2")
            switch request.type {
            case .accountHolder, .qualifiedReportingEntity, .programAdministrator, .registryAdministrator: break
            case .unspecified, .unrecognized:
                throw RegistryErrors.invalid(
                    "type", "the organization type is required (account holder, QRE, program administrator)",
                    section: "Operating Rules §5.2, §5.5, §10.2")
            }
            var programCodes: [String] = []
            for (index, code) in request.administeredProgramCodes.enumerated() {
                do throws(RuleViolation) {
                    programCodes.append(try EligibilityProgram(code: code).code)
                } catch {
                    throw RegistryErrors.status(error, field: "administered_program_codes[\(index)]")
                }
            }
            if request.type == .programAdministrator, programCodes.isEmpty {
                throw RegistryErrors.failedPrecondition(
                    "administered_program_codes: a program administrator administers at least one program (Appendix C Table 7)",
                    reason: "PROGRAM_CODE_MISSING")
            }
            if request.type != .programAdministrator, !programCodes.isEmpty {
                throw RegistryErrors.invalid(
                    "administered_program_codes", "only a program administrator administers programs",
                    section: "Appendix C Table 7", code: .programUnknown)
            }

            // §7.1: the account's one Manager is created with it.
            try Self.checkName(request.managerPersonName, field: "manager_person_name", section: "Operating Rules §7.1")
            try Self.checkLogin(request.managerLogin, field: "manager_login")
            if request.managerEmail.count > Self.nameCharactersMax {
                throw RegistryErrors.invalid(
                    "manager_email", "has more than \(Self.nameCharactersMax) characters", section: "Operating Rules §7.1", code: .valueTooLong)
            }
            if try transaction.loginTaken(request.managerLogin) {
                throw RegistryErrors.status(
                    .alreadyExists, "manager_login: login \"\(request.managerLogin)\" is taken (Operating Rules §7)",
                    reason: "LOGIN_TAKEN")
            }

            let number = try transaction.nextNumber("organization")
            let organizationID: OrganizationID
            do {
                organizationID = try OrganizationID(number: Int(number))
            } catch {
                throw RPCError(.resourceExhausted, "the registry has assigned every organization id (A1 to A9999, MCT)")
            }
            var organization = transaction.newOrganization(organizationID.description, name: request.name, type: request.type)
            organization.contact = request.contact
            organization.administeredProgramCodes = programCodes

            // §6: every account starts with one Active, Retirement, Reserve and Export subaccount.
            for kind in SubaccountKind.allCases {
                var subaccount = Recs_Registry_V1_Subaccount()
                subaccount.subaccountId = Self.newSubaccountID()
                subaccount.organizationId = organization.organizationId
                subaccount.kind = RegistryCodes.proto(kind)
                subaccount.openedWithAccount = true
                subaccount.createdAt = transaction.timestamp
                organization.subaccounts.append(subaccount)
            }
            let manager = try transaction.newManager(
                of: organization.organizationId, personName: request.managerPersonName, email: request.managerEmail,
                login: request.managerLogin)
            organization.managerUserId = manager.userId
            try transaction.insertOrganization(number: number, organization)
            for subaccount in organization.subaccounts { try transaction.insertSubaccount(subaccount) }
            try transaction.insertUser(manager)
            try transaction.appendEvent(action: "CreateOrganization", actor: actor, .organization(organization))
            // The Manager's login is its own record in the feed: every service learns its callers there.
            try transaction.appendEvent(action: "CreateOrganization", actor: actor, .user(manager))

            var response = Recs_Registry_V1_CreateOrganizationResponse()
            response.organization = organization
            response.manager = manager
            return response
        }
    }

    public func getOrganization(
        request: Recs_Registry_V1_GetOrganizationRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_GetOrganizationResponse {
        let organizationID = try Self.parse(field: "organization_id") { () throws(RuleViolation) in
            try OrganizationID(parsing: request.organizationId)
        }.description
        return try await repository.read { transaction in
            guard let organization = try transaction.organization(organizationID) else {
                throw RegistryErrors.notFound("organization \(organizationID)", field: "organization_id")
            }
            try context.authorize(
                .viewAccount,
                on: AccessTarget(organizationID: organizationID, programAdministrators: Set(organization.programAccessOrganizationIds)))
            var response = Recs_Registry_V1_GetOrganizationResponse()
            response.organization = organization
            return response
        }
    }

    public func listOrganizations(
        request: Recs_Registry_V1_ListOrganizationsRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ListOrganizationsResponse {
        let page = request.page ?? Recs_Common_V1_PageRequest()
        guard page.pageSize >= 0 else {
            throw RegistryErrors.invalid("page.page_size", "page_size must not be negative", section: "docs/API.md, Paging")
        }
        let size = page.pageSize == 0 ? Self.pageSizeDefault : min(Int(page.pageSize), Self.pageSizeMax)
        var afterNumber: Int64 = 0
        if !page.pageToken.isEmpty {
            guard let value = Int64(page.pageToken), value >= 0 else {
                throw RegistryErrors.invalid(
                    "page.page_token", "the page token was not returned by this method", section: "docs/API.md, Paging")
            }
            afterNumber = value
        }
        let after = afterNumber
        let type: String? = request.type == .unspecified ? nil : RegistryCodes.name(request.type)
        let status: String? = request.status == .unspecified ? nil : RegistryCodes.name(request.status)
        return try await repository.read { transaction in
            let rows = try transaction.organizations(afterNumber: after, limit: size + 1, type: type, status: status)
            var response = Recs_Registry_V1_ListOrganizationsResponse()
            // The administrator sees every organization; anybody else the ones it may view (its
            // own, and for a program administrator those that granted it access).
            response.organizations = rows.prefix(size).map(\.organization).filter { organization in
                (try? context.authorize(
                    .viewAccount,
                    on: AccessTarget(
                        organizationID: organization.organizationId,
                        programAdministrators: Set(organization.programAccessOrganizationIds)))) != nil
            }
            var pageResponse = Recs_Common_V1_PageResponse()
            if rows.count > size, let last = rows.prefix(size).last { pageResponse.nextPageToken = String(last.number) }
            response.page = pageResponse
            return response
        }
    }

    // MARK: Generating units

    public func registerGeneratingUnit(
        request: Recs_Registry_V1_RegisterGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_RegisterGeneratingUnitResponse {
        let actor = context.caller.actor
        return try await mutate("RegisterGeneratingUnit", request, requestID: request.requestId, clearing: { $0.requestId = "" }) {
            transaction in
            let organizationID = try Self.parse(field: "organization_id") { () throws(RuleViolation) in
                try OrganizationID(parsing: request.organizationId)
            }.description
            let depositID = try Self.parse(field: "deposit_subaccount_id") { () throws(RuleViolation) in
                try SubaccountID(parsing: request.depositSubaccountId)
            }.description
            guard var staticData = request.staticData else {
                throw RegistryErrors.invalid("static_data", "the unit's static data is required", section: "Operating Rules §5.3; Appendix B-1")
            }
            try context.authorize(.manageGeneration, on: AccessTarget(organizationID: organizationID))
            let unitClass = try Self.validate(&staticData)

            guard let organization = try transaction.organization(organizationID) else {
                throw RegistryErrors.notFound("organization \(organizationID)", field: "organization_id")
            }
            guard organization.type == .accountHolder, organization.status == .active else {
                throw RegistryErrors.failedPrecondition(
                    "organization_id: \(organizationID) is not an active account holder; only they register generating units (Operating Rules §5.3)",
                    reason: "ORGANIZATION_NOT_ACTIVE_ACCOUNT_HOLDER")
            }
            guard let deposit = try transaction.subaccount(depositID), deposit.organizationId == organizationID,
                deposit.kind == .active
            else {
                throw RegistryErrors.failedPrecondition(
                    "deposit_subaccount_id: \(depositID) is not an Active subaccount of \(organizationID) (Operating Rules §5.3, §6.1)",
                    reason: "DEPOSIT_SUBACCOUNT_NOT_ACTIVE")
            }

            let number = try transaction.nextNumber("generating_unit")
            let unitID = try GeneratingUnitID(parsing: "W\(number)")
            var unit = Recs_Registry_V1_GeneratingUnit()
            unit.generatingUnitId = unitID.description
            unit.organizationId = organizationID
            unit.status = .registered
            unit.staticData = staticData
            unit.unitClass = RegistryCodes.proto(unitClass)
            unit.depositSubaccountId = depositID
            unit.registeredAt = transaction.timestamp
            unit.statusChangedAt = transaction.timestamp
            try transaction.insertGeneratingUnit(number: number, unit)
            try transaction.appendEvent(action: "RegisterGeneratingUnit", actor: actor, .generatingUnit(unit))

            var response = Recs_Registry_V1_RegisterGeneratingUnitResponse()
            response.generatingUnit = unit
            return response
        }
    }

    public func getGeneratingUnit(
        request: Recs_Registry_V1_GetGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_GetGeneratingUnitResponse {
        let unitID = try Self.parse(field: "generating_unit_id") { () throws(RuleViolation) in
            try GeneratingUnitID(parsing: request.generatingUnitId)
        }.description
        return try await repository.read { transaction in
            guard let unit = try transaction.generatingUnit(unitID) else {
                throw RegistryErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
            }
            try context.authorize(.viewAccount, on: AccessTarget(organizationID: unit.organizationId, generatingUnitID: unitID))
            var response = Recs_Registry_V1_GetGeneratingUnitResponse()
            response.generatingUnit = unit
            return response
        }
    }

    /// §5.3.1: only approved units are eligible for certificates; §5.3: not before commercial
    /// operation. (Administrator only, once callers are identified.)
    public func approveGeneratingUnit(
        request: Recs_Registry_V1_ApproveGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ApproveGeneratingUnitResponse {
        let actor = context.caller.actor
        return try await mutate("ApproveGeneratingUnit", request, requestID: request.requestId, clearing: { $0.requestId = "" }) {
            transaction in
            let unitID = try Self.parse(field: "generating_unit_id") { () throws(RuleViolation) in
                try GeneratingUnitID(parsing: request.generatingUnitId)
            }.description
            guard var unit = try transaction.generatingUnit(unitID) else {
                throw RegistryErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
            }
            switch unit.status {
            case .registered, .suspended, .inactive: break
            case .approved:
                throw RegistryErrors.failedPrecondition(
                    "generating_unit_id: \(unitID) is already approved (Operating Rules §5.3.1)", reason: "UNIT_ALREADY_APPROVED")
            default:
                throw RegistryErrors.failedPrecondition(
                    "generating_unit_id: \(unitID) is terminated and cannot be approved (Operating Rules §5.3.7)",
                    reason: "UNIT_TERMINATED")
            }
            let today = Self.utcDate(transaction.now)
            if let commenced = unit.staticData?.commencedOperationOn, Self.isAfter(commenced, today) {
                throw RegistryErrors.failedPrecondition(
                    "generating_unit_id: \(unitID) has not reached commercial operation (static_data.commenced_operation_on is in the future; Operating Rules §5.3)",
                    reason: "COMMERCIAL_OPERATION_NOT_REACHED")
            }
            unit.status = .approved
            unit.approvedOn = today
            var due = today
            due.year += 1
            if due.month == 2, due.day == 29 { due.day = 28 }
            unit.annualReviewDueOn = due
            unit.statusChangedAt = transaction.timestamp
            try transaction.updateGeneratingUnit(unit, statusChanged: true)
            try transaction.appendEvent(action: "ApproveGeneratingUnit", actor: actor, .generatingUnit(unit))
            var response = Recs_Registry_V1_ApproveGeneratingUnitResponse()
            response.generatingUnit = unit
            return response
        }
    }

    /// §9.2, §10, Appendix B-1, Appendix D Table 27: the unit's QRE (or Balancing Authority) and the
    /// UNITID it uses in its files, or self-reporting (Classes I and J only, §9.2.2).
    public func designateReportingEntity(
        request: Recs_Registry_V1_DesignateReportingEntityRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_DesignateReportingEntityResponse {
        let actor = context.caller.actor
        return try await mutate("DesignateReportingEntity", request, requestID: request.requestId, clearing: { $0.requestId = "" }) {
            transaction in
            let unitID = try Self.parse(field: "generating_unit_id") { () throws(RuleViolation) in
                try GeneratingUnitID(parsing: request.generatingUnitId)
            }.description
            let selfReporting: Bool
            switch request.type {
            case .accountHolder: selfReporting = true
            case .qualifiedReportingEntity, .balancingAuthorityOperator: selfReporting = false
            case .unspecified, .unrecognized:
                throw RegistryErrors.invalid(
                    "type", "the reporting entity type is required", section: "Appendix B-1 (Reporting Entity type)")
            }
            var entityID = ""
            var entityUnitID = ""
            if selfReporting {
                if !request.reportingEntityUnitId.isEmpty {
                    throw RegistryErrors.invalid(
                        "reporting_entity_unit_id", "is empty for self-reporting", section: "Operating Rules §9.2.2",
                        code: .reportingEntityUnitIDMalformed)
                }
            } else {
                entityID = try Self.parse(field: "reporting_entity_organization_id") { () throws(RuleViolation) in
                    try OrganizationID(parsing: request.reportingEntityOrganizationId)
                }.description
                entityUnitID = try Self.parse(field: "reporting_entity_unit_id") { () throws(RuleViolation) in
                    try ReportingEntityUnitID(parsing: request.reportingEntityUnitId)
                }.description
            }
            guard var unit = try transaction.generatingUnit(unitID) else {
                throw RegistryErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
            }
            try context.authorize(.manageGeneration, on: AccessTarget(organizationID: unit.organizationId, generatingUnitID: unitID))
            if unit.status == .terminated {
                throw RegistryErrors.failedPrecondition(
                    "generating_unit_id: \(unitID) is terminated (Operating Rules §5.3.7)", reason: "UNIT_TERMINATED")
            }
            if selfReporting {
                if !request.reportingEntityOrganizationId.isEmpty {
                    let named = try Self.parse(field: "reporting_entity_organization_id") { () throws(RuleViolation) in
                        try OrganizationID(parsing: request.reportingEntityOrganizationId)
                    }.description
                    guard named == unit.organizationId else {
                        throw RegistryErrors.invalid(
                            "reporting_entity_organization_id", "a self-reporting unit is reported by its own organization",
                            section: "Operating Rules §9.2.2", code: .organizationIDMalformed)
                    }
                }
                entityID = unit.organizationId
                guard let unitClass = RegistryCodes.domain(unit.unitClass) else {
                    throw RPCError(.internal, "the unit's class is not recorded")
                }
                do throws(RuleViolation) {
                    try unitClass.checkSelfReportingAllowed()
                } catch {
                    // The API lists selfReportingNotAllowed (511) as FAILED_PRECONDITION: it depends on
                    // the unit's recorded class, not on the request alone.
                    var status = RegistryErrors.status(error, field: "type")
                    status.code = .failedPrecondition
                    throw status
                }
            } else {
                guard let entity = try transaction.organization(entityID) else {
                    throw RegistryErrors.notFound("organization \(entityID)", field: "reporting_entity_organization_id")
                }
                guard entity.type == .qualifiedReportingEntity, entity.status == .active else {
                    throw RegistryErrors.failedPrecondition(
                        "reporting_entity_organization_id: \(entityID) is not an active qualified reporting entity (Operating Rules §10)",
                        reason: "REPORTING_ENTITY_NOT_ACTIVE_QRE")
                }
                if let other = try transaction.unitDesignated(entity: entityID, entityUnitID: entityUnitID), other != unitID {
                    throw RegistryErrors.failedPrecondition(
                        "reporting_entity_unit_id: \(entityID) already reports unit \(other) as \(entityUnitID) (Appendix D §6.1, Table 27)",
                        reason: "REPORTING_ENTITY_UNIT_ID_TAKEN")
                }
            }
            try transaction.designate(
                unitID: unitID, type: RegistryCodes.name(request.type), entity: entityID, entityUnitID: entityUnitID)
            var designation = Recs_Registry_V1_ReportingEntityDesignation()
            designation.type = request.type
            designation.reportingEntityOrganizationId = entityID
            designation.reportingEntityUnitId = entityUnitID
            designation.designatedAt = transaction.timestamp
            unit.reportingEntity = designation
            try transaction.updateGeneratingUnit(unit, statusChanged: false)
            try transaction.appendEvent(action: "DesignateReportingEntity", actor: actor, .generatingUnit(unit))
            var response = Recs_Registry_V1_DesignateReportingEntityResponse()
            response.generatingUnit = unit
            return response
        }
    }

    // MARK: Event feed

    public func listEvents(
        request: Recs_Registry_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ListEventsResponse {
        let after = try EventPaging.after(request.afterSequence)
        let limit = try EventPaging.limit(request.limit)
        return try await repository.read { transaction in
            var response = Recs_Registry_V1_ListEventsResponse()
            response.events = try transaction.registryEvents(after: after, limit: limit)
            response.lastSequence = try transaction.lastEventSequence()
            return response
        }
    }

    // MARK: Helpers

    /// Runs `body` once per request id (ServiceKit's RequestJournal.mutate).
    func mutate<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, requestID: String, clearing: (inout Request) -> Void,
        _ body: @escaping @Sendable (inout RegistryTransaction) throws -> Response
    ) async throws -> Response {
        try await refreshingDirectory {
            try await repository.journal.mutate(method, request, requestID: requestID, clearing: clearing, body)
        }
    }

    static func checkRequestID(_ requestID: String) throws {
        try RequestJournal.checkRequestID(requestID)
    }

    /// Logins: 1 to 100 printable ASCII characters without spaces (our limit; §7 sets none).
    static func checkLogin(_ login: String, field: String) throws {
        guard !login.isEmpty else { throw RegistryErrors.invalid(field, "is required", section: "Operating Rules §7.1") }
        guard login.utf8.count <= 100, login.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw RegistryErrors.invalid(
                field, "must be 1 to 100 printable ASCII characters without spaces", section: "Operating Rules §7.1",
                code: .valueTooLong)
        }
    }

    static func parse<T>(field: String, _ parse: () throws(RuleViolation) -> T) throws -> T {
        do {
            return try parse()
        } catch {
            throw RegistryErrors.status(error, field: field)
        }
    }

    static func checkName(_ name: String, field: String, section: String) throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RegistryErrors.invalid(field, "is required", section: section)
        }
        if name.count > nameCharactersMax {
            throw RegistryErrors.invalid(field, "has more than \(nameCharactersMax) characters", section: section, code: .valueTooLong)
        }
    }

    /// Validates the static data with the domain (§4, §5.3, §12.5, Appendix B-1, B-2, Table 8,
    /// Table 9-1), canonicalizes its codes and returns the derived class.
    static func validate(_ data: inout Recs_Registry_V1_GeneratingUnitStaticData) throws -> GeneratingUnitClass {
        try checkName(data.name, field: "static_data.name", section: "Operating Rules §5.3; Appendix B-1")
        let state = try parse(field: "static_data.state_or_province") { () throws(RuleViolation) in
            try StateOrProvinceCode(parsing: data.stateOrProvince)
        }
        data.stateOrProvince = state.description
        guard !data.fuels.isEmpty else {
            throw invalidFuel("static_data.fuels", "at least one fuel type is required", code: .valueMissing)
        }
        var fuelTypes: [FuelType] = []
        var sources: [FuelSource] = []
        for index in data.fuels.indices {
            let fuelType = try parse(field: "static_data.fuels[\(index)].fuel_type_code") { () throws(RuleViolation) in
                try FuelType(code: data.fuels[index].fuelTypeCode)
            }
            data.fuels[index].fuelTypeCode = fuelType.code
            fuelTypes.append(fuelType)
            guard !data.fuels[index].fuelSourceCodes.isEmpty else {
                throw invalidFuel(
                    "static_data.fuels[\(index)].fuel_source_codes", "at least one fuel source of \(fuelType.code) is required",
                    code: .valueMissing)
            }
            for (sourceIndex, code) in data.fuels[index].fuelSourceCodes.enumerated() {
                let field = "static_data.fuels[\(index)].fuel_source_codes[\(sourceIndex)]"
                guard let source = FuelSource(rawValue: code.lowercased()) else {
                    throw invalidFuel(field, "fuel source code \"\(code)\" is not in Appendix B-2", code: .fuelTypeUnknown)
                }
                guard source.fuelType == fuelType else {
                    throw invalidFuel(field, "fuel source \(source.code) is not a source of fuel type \(fuelType.code)", code: .fuelTypeUnknown)
                }
                data.fuels[index].fuelSourceCodes[sourceIndex] = source.code
                sources.append(source)
            }
        }
        if Set(fuelTypes).count != fuelTypes.count {
            throw invalidFuel("static_data.fuels", "a fuel type is listed twice", code: .fuelTypeUnknown)
        }
        let capacity = try parse(field: "static_data.nameplate_capacity_watts") { () throws(RuleViolation) in
            try Capacity(watts: data.nameplateCapacityWatts)
        }
        _ = try parse(field: "static_data.capacity_factor_parts_per_million") { () throws(RuleViolation) in
            try CapacityFactor(partsPerMillion: data.capacityFactorPartsPerMillion)
        }
        if let commenced = data.commencedOperationOn, !isValid(commenced) {
            throw RegistryErrors.invalid(
                "static_data.commenced_operation_on", "is not a calendar date", section: "Operating Rules §5.3", code: .dateMalformed)
        }
        guard let classification = data.classification else {
            throw RegistryErrors.invalid(
                "static_data.classification", "the Table 9-1 characteristics are required", section: "Operating Rules §9.1, Table 9-1")
        }
        let siting: GeneratingUnitClass.Siting
        switch classification.siting {
        case .wholesale: siting = .wholesale
        case .wholesaleAlsoServingOnSiteLoad: siting = .wholesaleAlsoServingOnSiteLoad
        case .customerSitedDistributedGeneration: siting = .customerSitedDistributedGeneration
        case .unspecified, .unrecognized:
            guard classification.reportedToBalancingAuthorityUnitByUnit else {
                throw RegistryErrors.invalid(
                    "static_data.classification.siting", "is required unless reported to a Balancing Authority unit by unit",
                    section: "Operating Rules §9.1, Table 9-1")
            }
            siting = .wholesale
        }
        let production = MegawattHours(kilowattHours: classification.technicallyPossibleAnnualProduction?.kilowattHours ?? 0)
        if production.isNegative {
            throw RegistryErrors.invalid(
                "static_data.classification.technically_possible_annual_production", "must not be negative",
                section: "Operating Rules §9.1, Table 9-1", code: .energyMalformed)
        }

        // State-dependent rules come after every field is known to be well formed.
        if !state.mayHostGeneratingUnits {
            throw RegistryErrors.failedPrecondition(
                "static_data.state_or_province: \(state) is outside the Western Interconnection and not a bisected state (Operating Rules §4, §12.5)",
                reason: "LOCATION_OUTSIDE_WESTERN_INTERCONNECTION")
        }
        if fuelTypes.count > 1, !data.multiFuel {
            throw RegistryErrors.failedPrecondition(
                "static_data.multi_fuel: more than one fuel type requires the multi-fuel indicator (Appendix B-1)",
                reason: "MULTI_FUEL_NOT_DECLARED")
        }
        if !data.multiFuel, let source = sources.first(where: \.requiresMultiFuelUnit) {
            throw RegistryErrors.failedPrecondition(
                "static_data.fuels: non-renewable fuel source \(source.code) only on a multi-fuel unit (Appendix B-2)",
                reason: "NON_RENEWABLE_SOURCE_ON_SINGLE_FUEL_UNIT")
        }
        return GeneratingUnitClass.classify(
            GeneratingUnitClass.Characteristics(
                reportedToBalancingAuthorityUnitByUnit: classification.reportedToBalancingAuthorityUnitByUnit, siting: siting,
                nameplateCapacity: capacity,
                contractAllowsReadingLessOftenThanMonthly: classification.contractAllowsReadingLessOftenThanMonthly,
                technicallyPossibleAnnualProduction: production))
    }

    static func invalidFuel(_ field: String, _ message: String, code: RuleViolation.Code) -> RPCError {
        RegistryErrors.invalid(field, message, section: "Appendix C §4.1, Table 8; Appendix B-2", code: code)
    }

    /// A new subaccount id in the `DDDDLLLL-DDLL` shape (§6, MCT `1234ABCD-55ZZ`); uniqueness is the
    /// primary key's (a collision fails the insert, and the transaction runs again).
    static func newSubaccountID() -> String {
        let digits = Array("0123456789")
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var text = ""
        for _ in 0..<4 { text.append(digits.randomElement()!) }
        for _ in 0..<4 { text.append(letters.randomElement()!) }
        text.append("-")
        for _ in 0..<2 { text.append(digits.randomElement()!) }
        for _ in 0..<2 { text.append(letters.randomElement()!) }
        return text
    }

    static func utcDate(_ date: Date) -> Recs_Common_V1_Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        var result = Recs_Common_V1_Date()
        result.year = Int32(parts.year ?? 1970)
        result.month = Int32(parts.month ?? 1)
        result.day = Int32(parts.day ?? 1)
        return result
    }

    static func isAfter(_ lhs: Recs_Common_V1_Date, _ rhs: Recs_Common_V1_Date) -> Bool {
        (lhs.year, lhs.month, lhs.day) > (rhs.year, rhs.month, rhs.day)
    }

    static func isValid(_ date: Recs_Common_V1_Date) -> Bool {
        guard (1...9999).contains(date.year), (1...12).contains(date.month), date.day >= 1 else { return false }
        let days: [Int32] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0
        let max = date.month == 2 && leap ? 29 : days[Int(date.month) - 1]
        return date.day <= max
    }
}
