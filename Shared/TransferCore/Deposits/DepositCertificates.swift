import GRPCWire
import Domain
import Foundation
import Ledger
import ProtoMessages
import RPC
import ServiceKit

/// §14.2: the issuance service deposits a batch it issued into the unit's deposit subaccount,
/// exactly once per batch whatever the request id. The subaccount must be an Active subaccount the
/// registry published for that organization: a deposit never makes up a subaccount (issue 7).
struct DepositCertificates {
    let store: TransferStore
    let registry: RegistryLookup

    func handle(
        _ request: Recs_Transfer_V1_DepositCertificatesRequest, context: ServerContext, now: Date
    ) async throws -> Recs_Transfer_V1_DepositCertificatesResponse {
        let requestID = try TransferMessages.requestID(request.requestId)
        guard let proto = request.batch else { throw ServiceErrors.invalid("batch", "the batch is required (§14.2)") }
        let batch = try Self.batch(proto)
        let organization = try TransferMessages.organization(request.organizationId, field: "organization_id").description
        let subaccount = try TransferMessages.subaccount(request.depositSubaccountId, field: "deposit_subaccount_id")
        try await registry.ensureKnown { transaction in try transaction.subaccount(subaccount.description) != nil }
        let actor = context.caller.actor
        return try await store.journal.mutate(
            "DepositCertificates", request, requestID: request.requestId, now: now, actor: context.caller.actor, clearing: { $0.requestId = "" }
        ) { transaction in
            guard let known = try transaction.subaccount(subaccount.description) else {
                throw ServiceErrors.failedPrecondition(
                    "deposit_subaccount_id: the registry has published no subaccount \(subaccount) (§14.2)", reason: "SUBACCOUNT_UNKNOWN")
            }
            guard known.organization == organization, known.kind == SubaccountKind.active.rawValue else {
                throw ServiceErrors.status(
                    RuleViolation(
                        .destinationNotActive,
                        "\(subaccount) is not an Active subaccount of \(organization); new certificates go to the unit's Active subaccount",
                        section: "Operating Rules §14.2"), field: "deposit_subaccount_id")
            }
            var response = Recs_Transfer_V1_DepositCertificatesResponse()
            // Exactly once per batch: the same batch again (another request id) answers where it went.
            if let existing = try Ledger.batch(number: batch.identity.batchNumber, in: &transaction.sql) {
                guard existing == batch else {
                    throw ServiceErrors.status(
                        .alreadyExists, "batch \(batch.identity.batchNumber) was deposited with other content (§12.1)",
                        reason: "BATCH_EXISTS")
                }
                response.placements = [TransferMessages.placement(of: batch, organization: organization, subaccount: subaccount.description)]
                return response
            }
            let operation = try TransferMessages.prepare { () throws(LedgerError) in
                try store.ledger.depositing(requestID: requestID, batch: batch, into: subaccount, at: now)
            }
            _ = try TransferMessages.apply(operation, &transaction)
            try transaction.appendTransferEvent(
                action: "DepositCertificates", actor: actor,
                .certificatesDeposited(TransferMessages.deposited(batch, organization: organization, subaccount: subaccount.description)))
            response.placements = [TransferMessages.placement(of: batch, organization: organization, subaccount: subaccount.description)]
            return response
        }
    }

    static func batch(_ proto: Recs_Common_V1_CertificateBatch) throws -> CertificateBatch {
        guard let attributes = proto.attributes, let vintage = attributes.vintage, let createdOn = attributes.createdOn else {
            throw ServiceErrors.invalid("batch.attributes", "the vintage and creation date are required (§12.2)")
        }
        guard proto.quantity > 0 else { throw ServiceErrors.invalid("batch.quantity", "a batch has at least one certificate") }
        do throws(RuleViolation) {
            return try CertificateBatch(
                identity: CertificateBatchIdentity(
                    generatingUnit: GeneratingUnitID(parsing: attributes.generatingUnitId),
                    location: StateOrProvinceCode(parsing: attributes.stateOrProvince), batchNumber: proto.batchNumber),
                vintage: Vintage(year: Int(vintage.year), month: Int(vintage.month)),
                fuelType: FuelType(code: attributes.fuelTypeCode), quantity: proto.quantity,
                createdOn: CalendarDate(year: Int(createdOn.year), month: Int(createdOn.month), day: Int(createdOn.day)))
        } catch {
            throw ServiceErrors.status(error, field: "batch")
        }
    }
}
