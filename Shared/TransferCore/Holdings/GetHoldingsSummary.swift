import GRPCWire
import Domain
import Ledger
import ProtoMessages
import RPC
import ServiceKit

/// §5.2.1, §6: totals by subaccount kind and status over an organization's subaccounts, and its
/// open transactions (only pending inter-account transfers exist in this slice), in one read. The
/// ledger sums each subaccount's holdings in the database, so the cost does not depend on how
/// fragmented the account is beyond one index range per subaccount.
struct GetHoldingsSummary {
    let store: TransferStore

    func handle(
        _ request: Recs_Transfer_V1_GetHoldingsSummaryRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_GetHoldingsSummaryResponse {
        let organization = try TransferMessages.organization(request.organizationId, field: "organization_id").description
        try context.authorize(.viewAccount, on: AccessTarget(organizationID: organization))
        return try await store.journal.read { transaction in
            var totals: [String: (kind: SubaccountKind, status: CertificateLifecycle.Kind, quantity: Int64)] = [:]
            for (id, kindText) in try transaction.subaccounts(of: organization) {
                guard let kind = SubaccountKind(rawValue: kindText) else { continue }
                let subaccount = try TransferMessages.subaccount(id, field: "organization_id")
                for (status, quantity) in try Ledger.totals(in: subaccount, in: &transaction.sql) {
                    totals["\(kind.rawValue)/\(status)", default: (kind, status, 0)].quantity += quantity
                }
            }
            var response = Recs_Transfer_V1_GetHoldingsSummaryResponse()
            response.totals = totals.sorted { $0.key < $1.key }.map { _, total in
                var proto = Recs_Transfer_V1_HoldingsTotal()
                proto.subaccountKind =
                    switch total.kind {
                    case .active: .active
                    case .retirement: .retirement
                    case .reserve: .reserve
                    case .export: .export
                    }
                proto.status =
                    switch total.status {
                    case .active: .active
                    case .pendingTransfer: .pendingTransfer
                    case .retired: .retired
                    case .reserved: .reserved
                    case .exportPending: .exportPending
                    case .exported: .exported
                    }
                proto.quantity = total.quantity
                return proto
            }
            response.openTransactionCount = Int32(clamping: try transaction.pendingTransferCount(of: organization))
            return response
        }
    }
}
