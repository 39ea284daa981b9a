import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// CreateOrganization (§5.2, §5.5, §10.2; Appendix C Table 7): the organization with its account,
/// its Active, Retirement, Reserve and Export subaccounts (§6) and its one Account Manager (§7.1),
/// whose login is its own record in the feed.
struct CreateOrganization {
    let journal: RequestJournal

    func handle(
        _ request: Recs_Registry_V1_CreateOrganizationRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_CreateOrganizationResponse {
        let actor = context.caller.actor
        return try await journal.mutate("CreateOrganization", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            try RegistryRules.checkName(request.name, field: "name", section: "Operating Rules §5.2")
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
            try RegistryRules.checkName(request.managerPersonName, field: "manager_person_name", section: "Operating Rules §7.1")
            try RegistryRules.checkLogin(request.managerLogin, field: "manager_login")
            if request.managerEmail.count > RegistryService.nameCharactersMax {
                throw RegistryErrors.invalid(
                    "manager_email", "has more than \(RegistryService.nameCharactersMax) characters", section: "Operating Rules §7.1",
                    code: .valueTooLong)
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
                subaccount.subaccountId = RegistryRules.newSubaccountID()
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
}
