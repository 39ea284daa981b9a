import Domain
import Foundation
import Ledger
import Storage
import StorageTestSupport
import Testing

/// A seeded random workload (in the manner of TigerBeetle's workload and auditor): deposits, moves,
/// freezes, settlements, retirements and replays of earlier requests, each checked against a
/// reference model that tracks every certificate one by one, and each followed by the conservation
/// check. A failing seed replays exactly: the message names the seed and the step.
@Suite("Ledger random workload against a reference model (SQLite and PostgreSQL)")
struct LedgerWorkloadTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let stepsPerRun = 120

    @Test(
        "§12.1, §14.2, §15.1-15.3, §16, footnote 16: random operations match the model, and conservation holds after each",
        arguments: TestDatabaseKind.allCases, seeds)
    func workload(kind: TestDatabaseKind, seed: UInt64) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            var workload = Workload(seed: seed)
            var tally: [String: Int] = [:]
            for step in 0..<Self.stepsPerRun {
                let context = "seed \(seed), step \(step)"
                let operation = workload.next(step: step)
                let expected = workload.model.predict(operation)
                let outcome: Result<LedgerChange, LedgerError>
                do {
                    outcome = .success(try await h.step { try await operation.run(on: $0) })
                } catch let error as LedgerError {
                    outcome = .failure(error)
                }
                tally["\(operation.name) \(outcome.isSuccess ? "applied" : "refused")", default: 0] += 1
                switch (expected, outcome) {
                case (.success(let numbers), .success(let change)):
                    let changed = change.serials.flatMap { range in (range.numbers.first...range.numbers.last).map { (range.batch.batchNumber, $0) } }
                    #expect(changed.map { "\($0.0):\($0.1)" } == numbers.map { "\($0.0):\($0.1)" }, "\(context): \(operation)")
                    workload.model.apply(operation, numbers)
                    workload.remember(operation, change)
                case (.replay(let first), .success(let change)):
                    #expect(change == first, "\(context): a replay returns the first outcome")
                case (.failure(let code), .failure(let error)):
                    #expect(error.violation?.code == code, "\(context): \(operation): \(error.debugDescription)")
                default:
                    Issue.record("\(context): \(operation): expected \(expected), got \(outcome)")
                }
                try await workload.model.compare(with: h.ledger, context: context)
            }
            // The workload is not vacuous: every kind of operation happened, and some were refused.
            for name in ["deposit", "move", "freeze", "settle", "retire", "replay"] {
                #expect(tally["\(name) applied", default: 0] > 0, "seed \(seed): no \(name) was applied: \(tally)")
            }
            #expect(tally.filter { $0.key.hasSuffix("refused") }.values.reduce(0, +) > 5, "seed \(seed): \(tally)")
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

/// SplitMix64: a tiny deterministic generator, so a seed replays the same workload on every platform.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One generated request.
struct Operation: CustomStringConvertible, Sendable {
    enum Kind: Sendable {
        case deposit(CertificateBatch, into: SubaccountID)
        case move(CertificateSelection, from: SubaccountID, to: SubaccountID)
        case retire(CertificateSelection, from: SubaccountID, to: SubaccountID)
        case freeze(CertificateSelection, hold: HoldID, from: SubaccountID, to: SubaccountID)
        case complete(HoldID)
        case release(HoldID)
    }

    let requestID: RequestID
    let kind: Kind
    let at: Date
    /// Set when this repeats an earlier request with its id.
    var isReplay = false

    func run(on ledger: Ledger) async throws -> LedgerChange {
        switch kind {
        case .deposit(let batch, let into):
            try await ledger.deposit(requestID: requestID, batch: batch, into: into, at: at)
        case .move(let selection, let from, let to):
            try await ledger.move(requestID: requestID, selections: [selection], from: from, to: to, at: at)
        case .retire(let selection, let from, let to):
            try await ledger.retire(requestID: requestID, selections: [selection], from: from, to: to, reason: Fixture.reason, at: at)
        case .freeze(let selection, let hold, let from, let to):
            try await ledger.freezeForTransfer(requestID: requestID, hold: hold, selections: [selection], from: from, to: to, at: at)
        case .complete(let hold):
            try await ledger.completeTransfer(requestID: requestID, hold: hold, at: at)
        case .release(let hold):
            try await ledger.releaseTransfer(requestID: requestID, hold: hold, at: at)
        }
    }

    var description: String { "\(isReplay ? "replay of " : "")\(requestID): \(kind)" }

    var name: String {
        if isReplay { return "replay" }
        switch kind {
        case .deposit: return "deposit"
        case .move: return "move"
        case .retire: return "retire"
        case .freeze: return "freeze"
        case .complete, .release: return "settle"
        }
    }
}

/// The reference model: every certificate individually, no ranges.
struct Model {
    struct Certificate: Hashable, CustomStringConvertible {
        var subaccount: SubaccountID
        var status: CertificateLifecycle.Kind
        var hold: HoldID?
        var description: String { "\(subaccount) \(status.rawValue) \(hold?.description ?? "")" }
    }

    enum Expectation: CustomStringConvertible {
        /// The certificates (batch, number) the operation changes, in order.
        case success([(Int64, Int64)])
        case replay(LedgerChange)
        case failure(RuleViolation.Code)

        var description: String {
            switch self {
            case .success(let numbers): "success(\(numbers.count) certificates)"
            case .replay: "replay"
            case .failure(let code): "failure(\(code))"
            }
        }
    }

    var batches: [Int64: [Certificate]] = [:]
    var holds: [HoldID: (source: SubaccountID, destination: SubaccountID, pending: Bool)] = [:]
    var outcomes: [RequestID: LedgerChange] = [:]

    func predict(_ operation: Operation) -> Expectation {
        if operation.isReplay, let first = outcomes[operation.requestID] { return .replay(first) }
        switch operation.kind {
        case .deposit(let batch, _):
            return .success((1...batch.certificates.last).map { (batch.identity.batchNumber, $0) })
        case .move(let selection, let from, _):
            return select(selection, from: from)
        case .retire(let selection, let from, _):
            return select(selection, from: from)
        case .freeze(let selection, _, let from, _):
            return select(selection, from: from)
        case .complete(let hold), .release(let hold):
            guard let record = holds[hold], record.pending else { return .failure(.transitionNotAllowed) }
            return .success(frozen(by: hold))
        }
    }

    /// What the ledger must take for `selection` from `source`: a quantity takes the lowest active
    /// numbers; a range must be held there entirely, and active.
    func select(_ selection: CertificateSelection, from source: SubaccountID) -> Expectation {
        let batchNumber = selection.batch.batchNumber
        let certificates = batches[batchNumber] ?? []
        switch selection {
        case .quantity(_, let count):
            let available = certificates.indices.filter { certificates[$0].subaccount == source && certificates[$0].status == .active }
            guard count >= 1, count <= Int64(available.count) else { return .failure(.quantityOutOfRange) }
            return .success(available.prefix(Int(count)).map { (batchNumber, Int64($0 + 1)) })
        case .serials(let range):
            let numbers = Array(range.numbers.first...range.numbers.last)
            guard numbers.allSatisfy({ $0 <= Int64(certificates.count) && certificates[Int($0 - 1)].subaccount == source }) else {
                return .failure(.rangeNotContained)
            }
            guard numbers.allSatisfy({ certificates[Int($0 - 1)].status == .active }) else { return .failure(.transitionNotAllowed) }
            return .success(numbers.map { (batchNumber, $0) })
        }
    }

    func frozen(by hold: HoldID) -> [(Int64, Int64)] {
        batches.keys.sorted().flatMap { batch in
            batches[batch]!.indices.filter { batches[batch]![$0].hold == hold }.map { (batch, Int64($0 + 1)) }
        }
    }

    mutating func apply(_ operation: Operation, _ numbers: [(Int64, Int64)]) {
        func update(_ change: (inout Certificate) -> Void) {
            for (batch, number) in numbers { change(&batches[batch]![Int(number - 1)]) }
        }
        switch operation.kind {
        case .deposit(let batch, let into):
            batches[batch.identity.batchNumber] = Array(
                repeating: Certificate(subaccount: into, status: .active, hold: nil), count: Int(batch.certificates.quantity))
        case .move(_, _, let to):
            update { $0.subaccount = to }
        case .retire(_, _, let to):
            update {
                $0.subaccount = to
                $0.status = .retired
            }
        case .freeze(_, let hold, let from, let to):
            holds[hold] = (from, to, true)
            update {
                $0.status = .pendingTransfer
                $0.hold = hold
            }
        case .complete(let hold):
            let destination = holds[hold]!.destination
            holds[hold]!.pending = false
            update {
                $0.subaccount = destination
                $0.status = .active
                $0.hold = nil
            }
        case .release(let hold):
            holds[hold]!.pending = false
            update {
                $0.status = .active
                $0.hold = nil
            }
        }
    }

    /// Compares the ledger's holdings, expanded certificate by certificate, with the model.
    func compare(with ledger: Ledger, context: String) async throws {
        var actual: [Int64: [Certificate?]] = batches.mapValues { Array(repeating: nil, count: $0.count) }
        for holding in try await ledger.allHoldings() {
            let batch = holding.serials.batch.batchNumber
            guard actual[batch] != nil else {
                Issue.record("\(context): the ledger holds batch \(batch), unknown to the model")
                continue
            }
            for number in holding.serials.numbers.first...holding.serials.numbers.last {
                actual[batch]![Int(number - 1)] = Certificate(subaccount: holding.subaccount, status: holding.status, hold: holding.hold)
            }
        }
        for batch in batches.keys.sorted() {
            for (index, expected) in batches[batch]!.enumerated() where actual[batch]![index] != expected {
                Issue.record(
                    "\(context): certificate \(batch)-\(index + 1) is \(actual[batch]![index]?.description ?? "nowhere"), expected \(expected)")
                return
            }
        }
    }
}

/// Generates operations from the model's current state, mostly valid, some deliberately not.
struct Workload {
    var random: SplitMix64
    var model = Model()
    var nextBatch: Int64 = 1
    var recent: [(Operation, LedgerChange)] = []

    static let actives: [(SubaccountID, OrganizationID)] = [
        (Fixture.activeA, Fixture.organizationA), (Fixture.activeA2, Fixture.organizationA),
        (Fixture.activeB, Fixture.organizationB), (Fixture.activeB2, Fixture.organizationB),
    ]

    init(seed: UInt64) {
        random = SplitMix64(state: seed)
    }

    mutating func remember(_ operation: Operation, _ change: LedgerChange) {
        model.outcomes[operation.requestID] = change
        recent.append((operation, change))
        if recent.count > 10 { recent.removeFirst() }
    }

    mutating func next(step: Int) -> Operation {
        let at = Fixture.day(1 + step)
        let id = Fixture.request("s\(step)")
        let choice = Int.random(in: 0..<100, using: &random)
        if model.batches.isEmpty || choice < 12 {
            let batch = Fixture.batch(nextBatch, quantity: Int64.random(in: 1...40, using: &random))
            nextBatch += 1
            let into = Self.actives.randomElement(using: &random)!.0
            return Operation(requestID: id, kind: .deposit(batch, into: into), at: at)
        }
        if choice < 20, let (operation, _) = recent.randomElement(using: &random) {
            var replay = operation
            replay.isReplay = true
            return replay
        }
        if choice < 35 {
            let holds = model.holds.keys.sorted { $0.description < $1.description }
            if let hold = holds.randomElement(using: &random) {
                let complete = Bool.random(using: &random)
                return Operation(requestID: id, kind: complete ? .complete(hold) : .release(hold), at: at)
            }
        }
        // Moves, freezes and retirements start from a certificate somewhere in the ledger.
        let batchNumber = model.batches.keys.sorted().randomElement(using: &random)!
        let certificates = model.batches[batchNumber]!
        let start = Int.random(in: 0..<certificates.count, using: &random)
        let source = certificates[start].subaccount.description.hasPrefix("1000RET") || certificates[start].subaccount.description.hasPrefix("2000RET")
            ? Self.actives.randomElement(using: &random)!.0 : certificates[start].subaccount
        let organization = Self.actives.first { $0.0 == source }!.1
        let selection: CertificateSelection
        if Bool.random(using: &random) {
            let available = certificates.filter { $0.subaccount == source && $0.status == .active }.count
            selection = Fixture.quantity(batchNumber, Int64.random(in: 0...Int64(available + 2), using: &random))
        } else {
            let first = Int64(start + 1)
            let last = min(first + Int64.random(in: 0...12, using: &random), Int64(certificates.count + 2))
            selection = Fixture.serials(batchNumber, first, last)
        }
        let sameOrganization = Self.actives.filter { $0.1 == organization && $0.0 != source }.map(\.0)
        let otherOrganization = Self.actives.filter { $0.1 != organization }.map(\.0)
        let retirement = organization == Fixture.organizationA ? Fixture.retirementA : Fixture.retirementB
        switch choice {
        case ..<65:
            return Operation(requestID: id, kind: .move(selection, from: source, to: sameOrganization.randomElement(using: &random)!), at: at)
        case ..<85:
            return Operation(
                requestID: id,
                kind: .freeze(selection, hold: Fixture.hold("h\(step)"), from: source, to: otherOrganization.randomElement(using: &random)!),
                at: at)
        default:
            return Operation(requestID: id, kind: .retire(selection, from: source, to: retirement), at: at)
        }
    }
}
