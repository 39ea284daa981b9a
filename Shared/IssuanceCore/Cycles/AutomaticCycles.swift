import Domain
import Foundation
import ProtoMessages
import RPC
import ServiceKit

/// §12.2: "WREGIS will create certificates 90 days following the end of a generation month." The
/// issuance cycle of every vintage with generation waiting runs by itself at the start of its cycle
/// date (the 90th day after the month, in the registry's time zone, ADR 0007), as the scheduler; the
/// administrator may still run one earlier by hand (RunIssuanceCycle). Each automatic run is a
/// request of its own (`auto-cycle:<YYYY-MM>`) through the journal, so it happens once.
struct AutomaticCycles: DueWork {
    let service: IssuanceService

    static var scheduler: Recs_Common_V1_Actor {
        var actor = Recs_Common_V1_Actor()
        actor.kind = .scheduler
        actor.id = "issuance cycle"
        return actor
    }

    /// Vintages with generation not issued yet and no cycle so far, with their cycle dates.
    func waiting() async throws -> [(vintage: Vintage, due: Date)] {
        let timeZone = service.store.journal.clock.timeZone
        return try await service.store.read { transaction in
            try transaction.vintagesAwaitingFirstCycle().map { vintage in
                (vintage, IssuanceCycleRun.cycleDate(vintage).instant(in: timeZone))
            }
        }
    }

    func nextDue(until: Date) async throws -> Date? {
        try await waiting().map(\.due).filter { $0 <= until }.min()
    }

    func run(at now: Date) async throws -> [String] {
        var done: [String] = []
        for (vintage, due) in try await waiting().sorted(by: { $0.due < $1.due }) where due <= now {
            var request = Recs_Issuance_V1_RunIssuanceCycleRequest()
            request.requestId = "auto-cycle:\(String(format: "%04d-%02d", vintage.year, vintage.month))"
            request.vintage = IssuanceCodes.proto(vintage)
            let response = try await service.runCycle(request, actor: Self.scheduler)
            let certificates = response.cycle?.certificatesIssued ?? 0
            done.append("RunIssuanceCycle \(vintage) (\(response.cycle?.issuanceCycleId ?? "?"), \(certificates) certificates)")
        }
        return done
    }
}

extension JournalTransaction {
    /// §12.2: the vintages whose generation waits for their first cycle.
    mutating func vintagesAwaitingFirstCycle() throws -> [Vintage] {
        try sql.query(
            """
            SELECT DISTINCT vintage_index FROM posted_generation p
            WHERE p.replaced_by IS NULL AND p.issuance_cycle_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM issuance_cycles c WHERE c.vintage_index = p.vintage_index)
            ORDER BY vintage_index
            """
        ).compactMap { row in
            let index = try row.int64("vintage_index")
            return try? Vintage(year: Int(index / 12), month: Int(index % 12) + 1)
        }
    }
}
