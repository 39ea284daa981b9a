import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §9.2, §10, Appendix B-1, Appendix D Table 27: the unit's QRE (or Balancing Authority) and the
/// UNITID it uses in its files, or self-reporting (Classes I and J only, §9.2.2).
struct DesignateReportingEntity {
    let journal: RequestJournal

    func handle(
        _ request: Recs_Registry_V1_DesignateReportingEntityRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_DesignateReportingEntityResponse {
        let actor = context.caller.actor
        return try await journal.mutate("DesignateReportingEntity", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            let unitID = try RegistryRules.parse(field: "generating_unit_id") { () throws(RuleViolation) in
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
                entityID = try RegistryRules.parse(field: "reporting_entity_organization_id") { () throws(RuleViolation) in
                    try OrganizationID(parsing: request.reportingEntityOrganizationId)
                }.description
                entityUnitID = try RegistryRules.parse(field: "reporting_entity_unit_id") { () throws(RuleViolation) in
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
                    let named = try RegistryRules.parse(field: "reporting_entity_organization_id") { () throws(RuleViolation) in
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
}
