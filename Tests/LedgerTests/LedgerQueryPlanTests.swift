import Domain
import Foundation
import Ledger
import Storage
import StorageTestSupport
import Testing


/// Issue 8, item 1: the cost of a ledger operation does not depend on the batch's history. Every
/// statement the ledger runs for deposits, transfers, settlements, retirements, reserves,
/// withdrawals, exports and reads is recorded and its plan asked of the database: none may scan a
/// table, and neither may the overlap guard (SQLite's triggers). A statement added later is checked
/// the same way, because the test records what runs rather than a list kept by hand.
@Suite("Ledger query plans: index seeks only (SQLite and PostgreSQL)")
struct LedgerQueryPlanTests {
    @Test(
        "§12.1, §15.1, §15.2, §16.1, §16.2, §17.1, §18: no ledger statement or overlap guard scans a table",
        arguments: TestDatabaseKind.allCases)
    func noScans(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            let log = StatementLog()
            test.database.recordStatements(into: log)
            try await Self.everyOperation(h.ledger)
            test.database.recordStatements(into: nil)
            // The audit walks everything by design; it runs after recording.
            try await h.checkInvariant()

            let operations = Set(log.recorded.map(\.sql))
            #expect(operations.contains { $0.contains("FROM holdings") }, "the workload read holdings")
            let scans = try await QueryPlans.scans(of: log.recorded, in: test.database)
            #expect(scans.isEmpty, "full scans:\n\(scans.map(\.description).joined(separator: "\n"))")
        }
    }

    /// The check itself finds a scan: a statement with no usable index is reported.
    @Test("the plan check reports a statement that scans holdings", arguments: TestDatabaseKind.allCases)
    func reportsScans(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            _ = try await LedgerHarness.make(test)
            let scans = try await QueryPlans.scans(
                of: [.init(sql: "SELECT holding_id FROM holdings WHERE updated_at_unix_ms = $1", binds: [.int64(1)])], in: test.database)
            #expect(scans.count == 1)
        }
    }

    /// The work an operation does, counted in SQLite's virtual machine steps (its overlap triggers
    /// included), is the same on a batch cut into 2,000 holdings as on one cut into 20: the cost
    /// does not grow with history. The first ledger read every holding of the batch (and its
    /// triggers every holding below the new range), so this grew a hundredfold.
    @Test("§15.1, §15.2, §16.1: an operation's work does not grow with the holdings its batch was cut into")
    func flatCost() async throws {
        try await withDatabase(.sqlite) { test in
            let h = try await LedgerHarness.make(test)
            let ledger = h.ledger
            var cost: [Int64: [String: Int64]] = [:]
            for (batch, pieces) in [(Int64(1), Int64(20)), (Int64(2), Int64(2_000))] {
                let size = pieces * 2 + 100
                _ = try await ledger.deposit(requestID: F.request("d-\(batch)"), batch: F.batch(batch, quantity: size), into: F.activeA, at: F.day(1))
                // Every other serial to the second Active subaccount, in requests of up to 1,000 selections.
                let serials = Array(stride(from: Int64(2), through: pieces * 2, by: 2))
                for (index, chunk) in stride(from: 0, to: serials.count, by: 1_000).map({ serials[$0..<min($0 + 1_000, serials.count)] }).enumerated() {
                    _ = try await ledger.move(
                        requestID: F.request("frag-\(batch)-\(index)"), selections: chunk.map { F.serials(batch, $0, $0) }, from: F.activeA,
                        to: F.activeA2, at: F.day(2))
                }
                #expect(try await ledger.holdings(batchNumber: batch).count >= Int(pieces * 2))
                func measure(_ name: String, _ operation: () async throws -> Void) async throws {
                    let log = StatementLog()
                    test.database.recordStatements(into: log)
                    try await operation()
                    test.database.recordStatements(into: nil)
                    cost[batch, default: [:]][name] = log.steps
                }
                let last = size
                try await measure("move the last serial") {
                    _ = try await ledger.move(
                        requestID: F.request("m-\(batch)"), selections: [F.serials(batch, last, last)], from: F.activeA, to: F.activeA2, at: F.day(3))
                }
                try await measure("move one by quantity") {
                    _ = try await ledger.move(
                        requestID: F.request("q-\(batch)"), selections: [F.quantity(batch, 1)], from: F.activeA, to: F.activeA2, at: F.day(3))
                }
                try await measure("freeze and accept one serial near the end") {
                    _ = try await ledger.freezeForTransfer(
                        requestID: F.request("f-\(batch)"), hold: F.hold("h-\(batch)"), selections: [F.serials(batch, last - 1, last - 1)],
                        from: F.activeA, to: F.activeB, at: F.day(4))
                    _ = try await ledger.completeTransfer(requestID: F.request("c-\(batch)"), hold: F.hold("h-\(batch)"), at: F.day(5))
                }
                try await measure("retire one serial near the end") {
                    _ = try await ledger.retire(
                        requestID: F.request("r-\(batch)"), selections: [F.serials(batch, last - 3, last - 3)], from: F.activeA,
                        to: F.retirementA, reason: F.reason, at: F.day(6))
                }
            }
            try await h.checkInvariant()
            let small = try #require(cost[1])
            let large = try #require(cost[2])
            for (name, steps) in small.sorted(by: { $0.key < $1.key }) {
                let fragmented = try #require(large[name])
                #expect(steps > 0)
                // The same work, give or take the lengths of the numbers and ids compared.
                #expect(fragmented <= steps + steps / 4, "\(name): \(steps) steps on 40 holdings, \(fragmented) on 4,000")
            }
        }
    }

    /// One of each operation, on a batch cut into many holdings first so that plans are asked of a
    /// fragmented table.
    static func everyOperation(_ ledger: Ledger) async throws {
        var n = 0
        func id(_ prefix: String) -> RequestID { n += 1; return F.request("\(prefix)-\(n)") }
        _ = try await ledger.deposit(requestID: id("d"), batch: F.batch(1, quantity: 1_000), into: F.activeA, at: F.day(1))
        _ = try await ledger.deposit(requestID: id("d"), batch: F.batch(2, quantity: 100), into: F.activeA, at: F.day(1))
        // Fragment batch 1: every other serial of 1-40 to A2's second Active subaccount.
        for serial in stride(from: Int64(1), through: 40, by: 2) {
            _ = try await ledger.move(
                requestID: id("m"), selections: [F.serials(1, serial, serial)], from: F.activeA, to: F.activeA2, at: F.day(2))
        }
        _ = try await ledger.move(requestID: id("m"), selections: [F.quantity(1, 5)], from: F.activeA, to: F.activeA2, at: F.day(2))
        // A transfer accepted, one released.
        let accepted = F.hold("h-accept")
        _ = try await ledger.freezeForTransfer(
            requestID: id("f"), hold: accepted, selections: [F.quantity(1, 3)], from: F.activeA, to: F.activeB, at: F.day(3))
        _ = try await ledger.completeTransfer(requestID: id("c"), hold: accepted, at: F.day(4))
        let released = F.hold("h-release")
        _ = try await ledger.freezeForTransfer(
            requestID: id("f"), hold: released, selections: [F.serials(1, 500, 510)], from: F.activeA, to: F.activeB, at: F.day(3))
        _ = try await ledger.releaseTransfer(requestID: id("r"), hold: released, at: F.day(4))
        // Retire, reserve, withdraw (§16.2), export accepted and one expired.
        _ = try await ledger.retire(
            requestID: id("t"), selections: [F.serials(1, 600, 609)], from: F.activeA, to: F.retirementA, reason: F.reason, at: F.day(5))
        _ = try await ledger.reserve(
            requestID: id("s"), selections: [F.quantity(2, 10)], from: F.activeA, to: F.reserveA, reason: nil, at: F.day(5))
        _ = try await ledger.withdraw(
            requestID: id("w"), selections: [F.serials(1, 600, 604)], from: F.retirementA, to: F.activeA,
            initiator: .registryAdministrator, requestedAt: F.day(6), at: F.day(6))
        let export = F.hold("h-export")
        _ = try await ledger.requestExport(
            requestID: id("e"), hold: export, selections: [F.quantity(2, 5)], from: F.activeA, to: F.exportA, at: F.day(7))
        _ = try await ledger.completeExport(requestID: id("x"), hold: export, at: F.day(8))
        let expired = F.hold("h-expired")
        _ = try await ledger.requestExport(
            requestID: id("e"), hold: expired, selections: [F.quantity(2, 5)], from: F.activeA, to: F.exportA, at: F.day(7))
        _ = try await ledger.releaseExport(requestID: id("x"), hold: expired, expired: true, at: F.day(21))
        // A retried request id (the replay path) and a refusal.
        _ = try await ledger.deposit(requestID: F.request("d-1"), batch: F.batch(1, quantity: 1_000), into: F.activeA, at: F.day(1))
        _ = try? await ledger.move(
            requestID: id("m"), selections: [F.serials(1, 1, 1)], from: F.activeA, to: F.activeA2, at: F.day(9))
        // Reads.
        _ = try await ledger.holdings(batchNumber: 1)
        _ = try await ledger.holdings(in: F.activeA2)
        _ = try await ledger.totals(in: F.activeA2)
        _ = try await ledger.batch(number: 2)
    }
}
