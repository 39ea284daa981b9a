import GRPCWire
import Domain
import Foundation
import Ledger
import ProtoMessages
import RPC
import ServiceKit

/// §16.1: active certificates into one of the holder's Retirement subaccounts, with a reason;
/// irreversible for the holder. Needs Certificate Management over the source subaccount (§7.1).
struct RetireCertificates {
    let store: TransferStore
    let registry: RegistryLookup

    func handle(
        _ request: Recs_Transfer_V1_RetireCertificatesRequest, context: ServerContext, now: Date
    ) async throws -> Recs_Transfer_V1_RetireCertificatesResponse {
        let requestID = try TransferMessages.requestID(request.requestId)
        let selections = try TransferMessages.selections(request.items)
        guard let reasonProto = request.reason else { throw ServiceErrors.invalid("reason", "a retirement reason is required (§16.1)") }
        let reason = try Self.reason(reasonProto)
        let organization = try TransferMessages.organization(request.organizationId, field: "organization_id").description
        let retirement = try TransferMessages.subaccount(request.retirementSubaccountId, field: "retirement_subaccount_id")
        try context.authorize(.manageCertificates, on: AccessTarget(organizationID: organization))
        // A Retirement subaccount opened a moment ago may not have reached the ledger yet.
        try await registry.ensureKnown { transaction in try transaction.subaccount(retirement.description) != nil }
        let actor = context.caller.actor
        return try await store.journal.mutate(
            "RetireCertificates", request, requestID: request.requestId, now: now, actor: context.caller.actor, clearing: { $0.requestId = "" }
        ) { transaction in
            let source = try TransferMessages.sourceSubaccount(of: selections, organization: organization, &transaction)
            try context.authorize(.manageCertificates, on: AccessTarget(organizationID: organization, subaccountID: source.description))
            let operation = try TransferMessages.prepare { () throws(LedgerError) in
                try store.ledger.retiring(requestID: requestID, selections: selections, from: source, to: retirement, reason: reason, at: now)
            }
            let change = try TransferMessages.apply(operation, &transaction)
            let recorded = TransferMessages.ledgerTransaction(
                change, fromOrganization: organization, fromSubaccount: source.description, reason: TransferMessages.retirementReason(reason))
            try transaction.appendTransferEvent(action: "RetireCertificates", actor: actor, .ledgerTransaction(recorded))
            var response = Recs_Transfer_V1_RetireCertificatesResponse()
            response.transaction = recorded
            return response
        }
    }

    /// §16.1: program (with its Table 7 code), voluntary market activity or other, with optional details.
    static func reason(_ proto: Recs_Common_V1_RetirementReason) throws -> RetirementReason {
        do {
            let details = proto.details.isEmpty ? nil : proto.details
            switch proto.category {
            case .program: return try RetirementReason(.program(EligibilityProgram(code: proto.programCode)), details: details)
            case .voluntaryMarketActivity: return try RetirementReason(.voluntaryMarketActivity, details: details)
            case .other: return try RetirementReason(.other, details: details)
            case .administrative, .unspecified, .unrecognized:
                throw ServiceErrors.invalid("reason.category", "program, voluntary market activity or other (§16.1)")
            }
        } catch let violation as RuleViolation {
            throw ServiceErrors.status(violation, field: "reason")
        }
    }
}
