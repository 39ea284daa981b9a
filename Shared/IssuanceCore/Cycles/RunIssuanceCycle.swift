import Foundation
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// RunIssuanceCycle (§12.1-§12.6, §14.2): one transaction turns the vintage's accepted generation into
/// batches; deposits follow, each in its own small transaction once transfer has the batch.
struct RunIssuanceCycle {
    let store: IssuanceStore
    let deposits: DepositQueue
    let clock: @Sendable () -> Date

    /// A cycle run by `actor`: the administrator by hand, or the scheduler on the cycle date.
    func run(
        _ request: Recs_Issuance_V1_RunIssuanceCycleRequest, actor: Recs_Common_V1_Actor
    ) async throws -> Recs_Issuance_V1_RunIssuanceCycleResponse {
        // The journal records a receipt (the cycle's id and whether this run issued anything), not
        // the cycle itself: a retry answers the same cycle with its deposit state read now, so a
        // batch deposited since is not reported as outstanding forever.
        let receipt = try await store.journal.mutate(
            "RunIssuanceCycle", request, requestID: request.requestId, now: clock(), actor: actor, clearing: { $0.requestId = "" }
        ) { transaction in
            var run = IssuanceCycleRun(vintageProto: request.vintage)
            return try run.run(&transaction)
        }
        await deposits.depositOutstanding()
        let id = receipt.cycle?.issuanceCycleId ?? ""
        let cycle = try await store.read { transaction in
            guard let cycle = try transaction.cycle(id: id) else {
                throw RPCError(.internal, "issuance cycle \(id) of a recorded run is missing")
            }
            return cycle
        }
        var response = Recs_Issuance_V1_RunIssuanceCycleResponse()
        (response.cycle, response.unitsPage) = try await store.withUnits(cycle, try Paging(nil, field: "units_page"), after: "")
        response.alreadyCompleted = receipt.alreadyCompleted
        return response
    }
}
