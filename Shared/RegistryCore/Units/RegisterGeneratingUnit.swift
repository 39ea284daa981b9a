import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// RegisterGeneratingUnit (§5.3; Appendix B-1): an active account holder registers a unit with its
/// static data, validated by the domain, and an Active subaccount of its own for the deposits.
struct RegisterGeneratingUnit {
    let journal: RequestJournal

    func handle(
        _ request: Recs_Registry_V1_RegisterGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_RegisterGeneratingUnitResponse {
        let actor = context.caller.actor
        return try await journal.mutate("RegisterGeneratingUnit", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            let organizationID = try RegistryRules.parse(field: "organization_id") { () throws(RuleViolation) in
                try OrganizationID(parsing: request.organizationId)
            }.description
            let depositID = try RegistryRules.parse(field: "deposit_subaccount_id") { () throws(RuleViolation) in
                try SubaccountID(parsing: request.depositSubaccountId)
            }.description
            guard var staticData = request.staticData else {
                throw RegistryErrors.invalid("static_data", "the unit's static data is required", section: "Operating Rules §5.3; Appendix B-1")
            }
            try context.authorize(.manageGeneration, on: AccessTarget(organizationID: organizationID))
            let unitClass = try RegistryRules.validate(&staticData)

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
}
