import Domain
import Foundation
@testable import Ledger
import Storage
import StorageTestSupport
import Testing

@Suite("Ledger under concurrency, and the schema as the last line of defence (SQLite and PostgreSQL)")
struct LedgerConcurrencyAndSchemaTests {
    @Test("§12.1: concurrent attempts to move the same serials: exactly one wins", arguments: TestDatabaseKind.allCases)
    func concurrentMovesOfTheSameSerials(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 100), into: F.activeA, at: F.day(1)) }
            // Two handles, so the attempts really race (two SQLite connections, two PostgreSQL pools).
            let ledgers = [h.ledger, Ledger(database: try await test.openAnotherHandle())]
            let contenders = 6
            let results = await withTaskGroup(of: Result<LedgerChange, LedgerError>.self) { group in
                for index in 0..<contenders {
                    let ledger = ledgers[index % ledgers.count]
                    // Same serials, different destinations and request ids: a double transfer attempt.
                    let destination = index % 2 == 0 ? F.activeA2 : F.retirementA
                    group.addTask {
                        do throws(LedgerError) {
                            if destination == F.retirementA {
                                return .success(
                                    try await ledger.retire(
                                        requestID: F.request("race-\(index)"), selections: [F.serials(1, 20, 29)], from: F.activeA,
                                        to: F.retirementA, reason: F.reason, at: F.day(2)))
                            }
                            return .success(
                                try await ledger.move(
                                    requestID: F.request("race-\(index)"), selections: [F.serials(1, 20, 29)], from: F.activeA,
                                    to: destination, at: F.day(2)))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var results: [Result<LedgerChange, LedgerError>] = []
                for await result in group { results.append(result) }
                return results
            }
            let winners = results.compactMap { try? $0.get() }
            #expect(winners.count == 1, "\(results)")
            for case .failure(let error) in results {
                // The losers saw the serials gone: a rule violation, nothing changed.
                #expect(error.code == .ruleViolated, "\(error.debugDescription)")
                #expect(error.violation?.code == .rangeNotContained)
            }
            try await h.checkInvariant()
            let holders = try await h.ledger.holdings(batchNumber: 1).filter { $0.serials.numbers.contains(20) }
            #expect(holders.count == 1)
            #expect(holders.first?.subaccount == winners.first?.subaccount)
        }
    }

    @Test("concurrent retries of one request apply it once and all see the same outcome", arguments: TestDatabaseKind.allCases)
    func concurrentRetriesOfOneRequest(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 100), into: F.activeA, at: F.day(1)) }
            let ledgers = [h.ledger, Ledger(database: try await test.openAnotherHandle())]
            let outcomes = try await withThrowingTaskGroup(of: LedgerChange.self) { group in
                for index in 0..<6 {
                    let ledger = ledgers[index % ledgers.count]
                    group.addTask {
                        try await ledger.move(
                            requestID: F.request("once"), selections: [F.quantity(1, 10)], from: F.activeA, to: F.activeA2,
                            at: F.day(2).addingTimeInterval(Double(index)))
                    }
                }
                var outcomes: [LedgerChange] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(Set(outcomes).count == 1)
            #expect(try await h.ranges(in: F.activeA2) == ["1:1-10 active"])
            try await h.checkInvariant()
        }
    }

    /// Writes a holding row directly, bypassing the ledger's code, to see the schema refuse it.
    static func insertRaw(
        _ database: any Database, first: Int64, last: Int64, subaccount: SubaccountID = F.activeA2, kind: String = "active",
        status: String = "active", batchLast: Int64 = 100
    ) async throws {
        try await database.transaction { transaction in
            try transaction.execute(
                """
                INSERT INTO holdings (batch_number, batch_last_number, first_number, last_number, subaccount_id, subaccount_kind,
                    status, status_since_unix_ms, hold_id, reason, updated_at_unix_ms)
                VALUES (1, $1, $2, $3, $4, $5, $6, NULL, NULL, NULL, 0)
                """,
                .int64(batchLast), .int64(first), .int64(last), .text(subaccount.description), .text(kind), .text(status))
        }
    }

    @Test("§12.1: the schema refuses overlapping, out-of-batch and misplaced holdings", arguments: TestDatabaseKind.allCases)
    func schemaConstraints(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 100), into: F.activeA, at: F.day(1)) }
            try await h.step {
                try await $0.move(requestID: F.request("m"), selections: [F.serials(1, 41, 60)], from: F.activeA, to: F.activeA2, at: F.day(2))
            }
            let database = test.database
            // A serial in two places at once (EXCLUDE USING gist on PostgreSQL, a trigger on SQLite).
            let overlap = await #expect(throws: StorageError.self) { try await Self.insertRaw(database, first: 60, last: 60) }
            #expect(overlap?.code == .exclusionViolation)
            // Outside the batch: the batch's last number comes with the foreign key.
            let outside = await #expect(throws: StorageError.self) { try await Self.insertRaw(database, first: 101, last: 101, batchLast: 101) }
            #expect(outside?.code == .foreignKeyViolation)
            let beyond = await #expect(throws: StorageError.self) { try await Self.insertRaw(database, first: 150, last: 160) }
            #expect(beyond?.code == .checkViolation)
            let reversed = await #expect(throws: StorageError.self) { try await Self.insertRaw(database, first: 150, last: 140) }
            #expect(reversed?.code == .checkViolation)
            // A retired holding in an Active subaccount.
            let misplaced = await #expect(throws: StorageError.self) {
                try await Self.insertRaw(database, first: 1, last: 1, status: "retired")
            }
            #expect(misplaced?.code == .checkViolation)
            // A subaccount of another kind than registered.
            let wrongKind = await #expect(throws: StorageError.self) {
                try await Self.insertRaw(database, first: 1, last: 1, kind: "retirement", status: "retired")
            }
            #expect([.foreignKeyViolation, .checkViolation].contains(wrongKind?.code))
            // Moving a holding's range onto another's by UPDATE.
            let update = await #expect(throws: StorageError.self) {
                try await database.transaction { transaction in
                    try transaction.execute("UPDATE holdings SET first_number = 30 WHERE batch_number = 1 AND first_number = 41")
                }
            }
            #expect(update?.code == .exclusionViolation)
            try await h.checkInvariant()
        }
    }

    @Test("checkConservation finds certificates that vanished or were duplicated", arguments: TestDatabaseKind.allCases)
    func conservationDetectsDamage(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 100), into: F.activeA, at: F.day(1)) }
            try await h.step {
                try await $0.move(requestID: F.request("m"), selections: [F.serials(1, 41, 60)], from: F.activeA, to: F.activeA2, at: F.day(2))
            }
            // Certificates vanish (a bug deleting a row, or tampering).
            try await test.database.transaction { transaction in
                try transaction.execute("DELETE FROM holdings WHERE batch_number = 1 AND first_number = 41")
            }
            let vanished = await #expect(throws: LedgerError.self) { try await h.ledger.checkConservation() }
            #expect(vanished?.code == .conservationBroken)
            #expect(vanished?.message.contains("issued 100") == true)
            // Put them back: whole again.
            try await Self.insertRaw(test.database, first: 41, last: 60)
            try await h.checkInvariant()
        }
    }

    @Test("the ledger refuses a database migrated by a newer version", arguments: TestDatabaseKind.allCases)
    func newerSchemaRefused(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            _ = try await LedgerHarness.make(test)
            try await test.database.transaction { transaction in
                try transaction.execute(
                    "INSERT INTO schema_migrations (position, name, applied_at_unix_ms) VALUES (99, '0099-from-the-future', 0)")
            }
            let error = await #expect(throws: LedgerError.self) { try await Ledger.open(database: test.database) }
            #expect(error?.code == .internalFailure)
            #expect(error?.cause?.code == .migrationMismatch)
        }
    }

    @Test("SHA-256 matches the FIPS 180-4 test vectors")
    func sha256() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
