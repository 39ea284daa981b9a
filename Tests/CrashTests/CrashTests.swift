import Domain
import Foundation
import GRPCWire
import Ledger
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import Storage
import StorageTestSupport
import Testing

/// Issue 8, item 7: the services killed with SIGKILL in the middle of their work, on SQLite and on
/// PostgreSQL. Issuance is killed while a cycle of many units runs and deposits; then 16 clients
/// send random transfers, answers and retirements, each retrying under the same request id until
/// answered, while the transfer service is killed every 2-4 s and started again on the same data.
/// Afterwards: conservation and no serial in two holdings (the ledger's own check), every
/// acknowledged operation applied exactly once, every answer (refusals included) the same when
/// the request is sent again (docs/API.md, Idempotency), one event per acknowledged change.
///
/// `RECS_CRASH_SECONDS` is how long the transfer service is killed per database (CI: 15);
/// `scripts/crash-soak.sh SECONDS` runs it longer outside CI. `RECS_CRASH_SEED` replays a run's
/// choices (the interleaving with the kills is not replayable).
@Suite("crash: services killed with SIGKILL under load", .serialized)
struct CrashTests {
    static let clientCount = 16
    static let holderCount = 4
    static let unitsPerHolder = 3
    static let megawattHoursPerUnit: Int64 = 1_500  // within the feasibility of a 20 MW unit at 25% (§9.3)

    static var killingSeconds: Int {
        ProcessInfo.processInfo.environment["RECS_CRASH_SECONDS"].flatMap(Int.init) ?? 15
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["RECS_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
    }

    @Test("issuance killed mid-cycle, transfer killed under 16 clients: nothing lost, nothing doubled, refusals replayed",
          .timeLimit(.minutes(killingSeconds / 60 + 10)), arguments: TestDatabaseKind.allCases)
    func killedUnderLoad(kind: TestDatabaseKind) async throws {
        let seed = Self.seed
        print("crash test on \(kind): RECS_CRASH_SEED=\(seed) RECS_CRASH_SECONDS=\(Self.killingSeconds)")
        var random = SeededGenerator(seed: seed)
        try await CrashSystem.withRunning(kind) { system in
            let setUp = try await CrashSetUp.make(
                system, prefix: "crash", holderCount: Self.holderCount, unitsPerHolder: Self.unitsPerHolder,
                megawattHours: Self.megawattHoursPerUnit)
            let batches = try await issuanceKilledMidCycle(system, setUp, random: &random)
            try await transferKilledUnderLoad(system, setUp, batches: batches, seed: random.next())
        }
    }

    // MARK: Issuance

    /// §12.2, §14.2; docs/API.md idempotency rules 7-8: RunIssuanceCycle sent, issuance killed a few
    /// times at random moments (inside the cycle's transaction, between deposits), restarted on
    /// its data, the same request sent again until answered. Every unit's batch is issued once and
    /// deposited once. Returns each batch with the organization it was deposited to.
    func issuanceKilledMidCycle(
        _ system: CrashSystem, _ setUp: CrashSetUp, random: inout SeededGenerator
    ) async throws -> [(organization: String, batch: Recs_Common_V1_CertificateBatch)] {
        let request = CrashSetUp.cycleRequest("crash-cycle")
        let options = TestDeployment.options(system.administratorKey, timeout: .seconds(10))
        var killedAfter: [Int] = []
        var cutOff: [Bool] = []
        for _ in 0..<3 {
            // The cycle and its deposits take some tens of milliseconds on SQLite: kill early.
            let delay = Int.random(in: 0...80, using: &random)
            killedAfter.append(delay)
            let client = system.issuanceClient
            let call = Task { try? await client.runIssuanceCycle(request, options: options) }
            try await Task.sleep(for: .milliseconds(delay))
            system.killIssuance()
            cutOff.append(await call.value == nil)
            try await system.restartIssuance()
        }
        print("issuance killed \(killedAfter) ms after RunIssuanceCycle was sent; the call cut off by the kill: \(cutOff)")

        // The same request until answered; then until every batch is deposited (a retry answers the
        // same cycle with its deposit state read now).
        var response: Recs_Issuance_V1_RunIssuanceCycleResponse?
        let deposited = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            do {
                response = try await system.issuanceClient.runIssuanceCycle(request, options: options)
            } catch let error as RPCError where CrashOutcome.isRetryable(error.code) {
                return false
            }
            return response?.cycle?.units.allSatisfy(\.deposited) == true
        }
        let cycle = try #require(response?.cycle, "RunIssuanceCycle was never answered after the kills")
        #expect(deposited, "every batch deposited after issuance was killed: \(cycle.units)")
        #expect(cycle.state == .completed)
        #expect(cycle.units.count == setUp.units.count)
        for unit in cycle.units {
            #expect(unit.outcome == .issued && unit.certificates == Self.megawattHoursPerUnit, "§12.2 whole MWh: \(unit)")
            #expect(unit.batchNumbers.count == 1, "one batch per unit and fuel (§9.8.2): \(unit)")
        }
        let numbers = cycle.units.flatMap(\.batchNumbers)
        #expect(Set(numbers).count == setUp.units.count, "no batch number twice: \(numbers)")

        // Issued once: one batch event per batch in issuance's feed; a new run issues nothing.
        let issued = try await CrashSetUp.issuanceEvents(system).compactMap { event -> Recs_Common_V1_CertificateBatch? in
            if case .batchIssued(let batch)? = event.payload { return batch }
            return nil
        }
        #expect(issued.map(\.batchNumber).sorted() == numbers.sorted(), "each batch issued exactly once")
        let again = try await system.issuanceClient.runIssuanceCycle(CrashSetUp.cycleRequest("crash-cycle-again"), options: options)
        #expect(again.alreadyCompleted, "idempotency rule 8: a vintage has one cycle")
        #expect(again.cycle?.units.flatMap(\.batchNumbers).sorted() == numbers.sorted())

        // Deposited once: one CertificatesDeposited event per batch in transfer's feed, and each
        // holder holds exactly its units' certificates.
        let depositedEvents = try await CrashSetUp.transferEvents(system).compactMap { event -> Int64? in
            if case .certificatesDeposited(let deposit)? = event.payload { return deposit.batch?.batchNumber }
            return nil
        }
        #expect(depositedEvents.sorted() == numbers.sorted(), "each batch deposited exactly once (§14.2)")
        for holder in setUp.holders {
            let owned = Int64(setUp.units.filter { $0.owner == holder.organizationID }.count) * Self.megawattHoursPerUnit
            let held = try await CrashSetUp.holdings(system, holder)
            #expect(held == [.active: owned], "\(holder.organizationID) holds its units' certificates once")
        }

        let unitOwners = Dictionary(uniqueKeysWithValues: setUp.units.map { ($0.generatingUnitID, $0.owner) })
        return try issued.map { batch in
            let owner = try #require(unitOwners[batch.serialRange?.generatingUnitId ?? ""])
            return (owner, batch)
        }
    }

    // MARK: Transfer

    /// 16 clients (four per account holder) send random RequestInterAccountTransfer, AcceptTransfer,
    /// RejectTransfer and RetireCertificates (§15.2, §16.1) with their own request ids, each retried
    /// under the same id until answered, while the transfer service is killed every 2-4 s.
    func transferKilledUnderLoad(
        _ system: CrashSystem, _ setUp: CrashSetUp, batches: [(organization: String, batch: Recs_Common_V1_CertificateBatch)],
        seed: UInt64
    ) async throws {
        let world = CrashWorld(batches: batches.compactMap { item in item.batch.serialRange.map { (item.organization, $0) } })
        let deadline = ContinuousClock.now + .seconds(Self.killingSeconds)
        let clients = try (0..<Self.clientCount).map { _ in try TestDeployment.client(port: system.transferPort) }
        let started = ContinuousClock.now

        let killer = Task {
            var random = SeededGenerator(seed: seed ^ 0xC0FFEE)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(Int.random(in: 2_000...4_000, using: &random)))
                try await system.killAndRestartTransfer()
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<Self.clientCount {
                let holder = setUp.holders[index % setUp.holders.count]
                let others = setUp.holders.filter { $0.organizationID != holder.organizationID }
                let client = Recs_Transfer_V1_TransferServiceClient(clients[index])
                group.addTask {
                    var random = SeededGenerator(seed: seed &+ UInt64(index))
                    var sequence = 0
                    while ContinuousClock.now < deadline {
                        sequence += 1
                        let requestID = "crash-c\(index)-\(sequence)"
                        guard let (operation, taken) = Self.nextOperation(requestID, holder, others, world, &random) else {
                            try? await Task.sleep(for: .milliseconds(20))
                            continue
                        }
                        guard let (outcome, attempts) = await sendUntilAnswered(operation, client: client, options: holder.options) else {
                            world.recordUnanswered(requestID)
                            continue
                        }
                        world.record(CrashJournalEntry(operation: operation, holder: holder, outcome: outcome, attempts: attempts))
                        Self.learn(operation, outcome, taken: taken, holder: holder, world)
                    }
                }
            }
        }
        let killed: Void? = try? await killer.value
        #expect(killed != nil, "the transfer service started again after every kill")
        let elapsed = ContinuousClock.now - started
        let journal = world.journal
        let retried = journal.filter { $0.attempts > 1 }.count
        print(
            "transfer killed \(system.kills.withLock { $0["transfer"] ?? 0 }) times in \(elapsed); \(journal.count) operations answered "
                + "(\(journal.filter(\.outcome.isSuccess).count) applied, \(journal.filter { !$0.outcome.isSuccess }.count) refused, "
                + "\(retried) answered after a retry)")
        #expect(world.unanswered.isEmpty, "requests never answered within 90 s of retries: \(world.unanswered)")
        #expect(system.kills.withLock { $0["transfer"] ?? 0 } >= 1, "the transfer service was killed at least once")

        try await checkReplays(system, journal, clients)
        for client in clients { await client.close() }
        try await checkExactlyOnce(system, setUp, journal, batches: batches)
        try await checkConservation(system, batches: batches.map(\.batch))
    }

    /// The next request of a client of `holder`, and the range it took from the shared picture.
    static func nextOperation(
        _ requestID: String, _ holder: Holder, _ others: [Holder], _ world: CrashWorld, _ random: inout SeededGenerator
    ) -> (CrashOperation, Recs_Common_V1_SerialRange?)? {
        let roll = Int.random(in: 0..<100, using: &random)
        if roll < 30, let transfer = world.pendingTransfer(for: holder.organizationID, keep: 0.3, using: &random) {
            if roll < 20 {
                var accept = Recs_Transfer_V1_AcceptTransferRequest()
                (accept.requestId, accept.transferId) = (requestID, transfer.transferId)
                return (.accept(accept), nil)
            }
            var reject = Recs_Transfer_V1_RejectTransferRequest()
            (reject.requestId, reject.transferId, reject.reason) = (requestID, transfer.transferId, "not ordered")
            return (.reject(reject), nil)
        }
        // Retirements are few and small so the clients keep certificates to move until the end.
        let isRetirement = roll >= 90
        guard let range = world.takeRange(of: holder.organizationID, quantityMax: isRetirement ? 5 : 25, using: &random) else { return nil }
        var item = Recs_Transfer_V1_TransferItem()
        item.serialRange = range
        if !isRetirement {
            var request = Recs_Transfer_V1_RequestInterAccountTransferRequest()
            request.requestId = requestID
            request.organizationId = holder.organizationID
            request.toOrganizationId = others[Int.random(in: 0..<others.count, using: &random)].organizationID
            request.items = [item]
            return (.request(request), range)
        }
        var retire = Recs_Transfer_V1_RetireCertificatesRequest()
        retire.requestId = requestID
        retire.organizationId = holder.organizationID
        retire.items = [item]
        retire.retirementSubaccountId = holder.retirementSubaccountID
        var reason = Recs_Common_V1_RetirementReason()
        reason.category = .voluntaryMarketActivity
        retire.reason = reason
        return (.retire(retire), range)
    }

    /// What the clients learn from an answer: a new pending transfer, certificates received or back.
    static func learn(_ operation: CrashOperation, _ outcome: CrashOutcome, taken: Recs_Common_V1_SerialRange?, holder: Holder, _ world: CrashWorld) {
        switch operation {
        case .request:
            if outcome.isSuccess, let transfer = try? Recs_Transfer_V1_RequestInterAccountTransferResponse(protobufBytes: outcome.response).transfer {
                world.addPending(transfer)
            } else if let taken {
                world.give(taken, to: holder.organizationID)
            }
        case .accept, .reject:
            guard outcome.isSuccess, let transfer = try? Recs_Transfer_V1_AcceptTransferResponse(protobufBytes: outcome.response).transfer
            else { return }
            let receiver = transfer.state == .completed ? transfer.toOrganizationId : transfer.fromOrganizationId
            for range in transfer.serialRanges { world.give(range, to: receiver.isEmpty ? holder.organizationID : receiver) }
        case .retire:
            break
        }
    }

    // MARK: Checks

    /// docs/API.md idempotency rule 3: every request sent again with its id and body, by the same
    /// caller, is answered exactly as the first time: the same response, the same refusal.
    func checkReplays(_ system: CrashSystem, _ journal: [CrashJournalEntry], _ clients: [RPCClient]) async throws {
        let mismatches = await withTaskGroup(of: [String].self) { group in
            for (index, client) in clients.enumerated() {
                let share = journal.enumerated().filter { $0.offset % clients.count == index }.map(\.element)
                let transfer = Recs_Transfer_V1_TransferServiceClient(client)
                group.addTask {
                    var found: [String] = []
                    for entry in share {
                        guard let (replayed, _) = await sendUntilAnswered(entry.operation, client: transfer, options: entry.holder.options) else {
                            found.append("\(entry.operation.requestID): no answer to the replay")
                            continue
                        }
                        if replayed != entry.outcome {
                            found.append("\(entry.operation.method) \(entry.operation.requestID): first \(entry.outcome), replayed \(replayed)")
                        }
                    }
                    return found
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(journal.count) answers changed when sent again:\n\(mismatches.prefix(20).joined(separator: "\n"))")
    }

    /// Every acknowledged operation applied exactly once, every refused one not at all: each
    /// transfer in the state its acknowledged answer left it (§15.2), each holder's certificates
    /// and retirements (§16.1) what the acknowledged operations add up to, one event per
    /// acknowledged change and none for a refusal.
    func checkExactlyOnce(
        _ system: CrashSystem, _ setUp: CrashSetUp, _ journal: [CrashJournalEntry],
        batches: [(organization: String, batch: Recs_Common_V1_CertificateBatch)]
    ) async throws {
        var requested: [String: Recs_Transfer_V1_Transfer] = [:]
        var answers: [String: [CrashOperation]] = [:]
        var retired: [String: Int64] = [:]
        for entry in journal where entry.outcome.isSuccess {
            switch entry.operation {
            case .request:
                let transfer = try #require(try Recs_Transfer_V1_RequestInterAccountTransferResponse(protobufBytes: entry.outcome.response).transfer)
                requested[transfer.transferId] = transfer
            case .accept(let request): answers[request.transferId, default: []].append(entry.operation)
            case .reject(let request): answers[request.transferId, default: []].append(entry.operation)
            case .retire(let request):
                let quantity = request.items.reduce(Int64(0)) { $0 + ($1.serialRange.map { $0.last - $0.first + 1 } ?? 0) }
                retired[entry.holder.organizationID, default: 0] += quantity
            }
        }
        var expected: [String: (total: Int64, pending: Int64)] = [:]
        for (organization, batch) in batches { expected[organization, default: (0, 0)].total += batch.quantity }
        var wrongStates: [String] = []
        for (id, transfer) in requested {
            let answered = answers[id] ?? []
            #expect(answered.count <= 1, "transfer \(id) was answered successfully more than once: \(answered.map(\.method))")
            let state: Recs_Transfer_V1_TransferState =
                switch answered.first {
                case .accept?: .completed
                case .reject?: .rejected
                default: .pending
                }
            var read = Recs_Transfer_V1_GetTransferRequest()
            read.transferId = id
            let stored = try await system.transferClient.getTransfer(read, options: system.administrator).transfer
            if stored?.state != state || stored?.quantity != transfer.quantity {
                wrongStates.append("\(id): expected \(state) of \(transfer.quantity), stored \(String(describing: stored?.state)) of \(String(describing: stored?.quantity))")
            }
            switch state {
            case .completed:
                expected[transfer.fromOrganizationId, default: (0, 0)].total -= transfer.quantity
                expected[transfer.toOrganizationId, default: (0, 0)].total += transfer.quantity
            case .pending: expected[transfer.fromOrganizationId, default: (0, 0)].pending += transfer.quantity
            default: break
            }
        }
        #expect(wrongStates.isEmpty, "transfers not in the state their acknowledged answers left them:\n\(wrongStates.prefix(20).joined(separator: "\n"))")
        #expect(answers.keys.allSatisfy { requested[$0] != nil }, "an answer acknowledged for a transfer never acknowledged")

        for holder in setUp.holders {
            let held = try await CrashSetUp.holdings(system, holder)
            let want = expected[holder.organizationID] ?? (0, 0)
            #expect(held.values.reduce(0, +) == want.total, "\(holder.organizationID) holds what the acknowledged transfers leave it: \(held)")
            #expect((held[.retired] ?? 0) == (retired[holder.organizationID] ?? 0), "§16.1: \(holder.organizationID) retired what was acknowledged")
            #expect((held[.pendingTransfer] ?? 0) == want.pending, "§15.2: \(holder.organizationID)'s frozen certificates are its pending transfers")
        }

        // One event per acknowledged change, none for a refusal or a replay.
        let events = try await CrashSetUp.transferEvents(system)
        let byRequest = Dictionary(grouping: events, by: \.requestId).mapValues(\.count)
        var eventMismatches: [String] = []
        var known: Set<String> = []
        for entry in journal {
            let id = entry.operation.requestID
            known.insert(id)
            let count = byRequest[id] ?? 0
            if count != (entry.outcome.isSuccess ? 1 : 0) {
                eventMismatches.append("\(entry.operation.method) \(id) (\(entry.outcome)): \(count) events")
            }
        }
        let strangers = byRequest.keys.filter { !known.contains($0) && !$0.hasPrefix("deposit:") }
        #expect(eventMismatches.isEmpty, "events per request:\n\(eventMismatches.prefix(20).joined(separator: "\n"))")
        #expect(strangers.isEmpty, "events under request ids nobody acknowledged: \(strangers.prefix(20))")
    }

    /// The ledger's invariant in the transfer service's own database (ADR 0004): for every batch
    /// the certificates held in all states sum to the issued quantity and no serial is in two
    /// holdings.
    func checkConservation(_ system: CrashSystem, batches: [Recs_Common_V1_CertificateBatch]) async throws {
        let database = try await system.openTransferDatabase()
        do {
            let ledger = Ledger(database: database)
            let report = try await ledger.checkConservation()
            #expect(report.batches == batches.count)
            #expect(report.certificates == batches.reduce(0) { $0 + $1.quantity })
            for batch in batches {
                let holdings = try await ledger.holdings(batchNumber: batch.batchNumber).sorted {
                    $0.serials.numbers.first < $1.serials.numbers.first
                }
                #expect(holdings.reduce(0) { $0 + $1.serials.numbers.quantity } == batch.quantity)
                for (previous, next) in zip(holdings, holdings.dropFirst()) {
                    #expect(previous.serials.numbers.last < next.serials.numbers.first, "serials \(next.serials) are in two holdings")
                }
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
