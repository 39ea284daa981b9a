import Domain
import Foundation
import Ledger
import Storage
import StorageTestSupport
import Testing

typealias F = Fixture

/// The ledger's operations on both databases; every operation goes through `step`, which checks the
/// conservation invariant afterwards, whether the operation succeeded or was refused.
@Suite("Ledger operations (SQLite and PostgreSQL)")
struct LedgerOperationTests {
    @Test("§14.2: a new batch is deposited once, into an Active subaccount", arguments: TestDatabaseKind.allCases)
    func deposit(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            let change = try await h.step { try await $0.deposit(requestID: F.request("d-1"), batch: F.batch(7, quantity: 100), into: F.activeA, at: F.day(1)) }
            #expect(change.serials.map(\.description) == ["99999-CA-7-1-100"])
            #expect(change.status == .active)
            #expect(try await h.ranges(in: F.activeA) == ["7:1-100 active"])
            #expect(try await h.ledger.batch(number: 7) == F.batch(7, quantity: 100))
            let report = try await h.ledger.checkConservation()
            #expect(report.batches == 1 && report.holdings == 1 && report.certificates == 100)

            // §14.2: into the unit's Active subaccount only.
            let notActive = try await h.violation {
                try await $0.deposit(requestID: F.request("d-2"), batch: F.batch(8, quantity: 5), into: F.retirementA, at: F.day(1))
            }
            #expect(notActive?.code == .destinationNotActive)
            #expect(notActive?.section.contains("§14.2") == true)

            // §12.1: serial numbers are unique, so a batch is issued once, whatever the request id.
            let again = try await h.ledgerError {
                try await $0.deposit(requestID: F.request("d-3"), batch: F.batch(7, quantity: 100), into: F.activeA2, at: F.day(2))
            }
            #expect(again?.code == .alreadyExists)

            // An unknown subaccount.
            let unknown = try await h.ledgerError {
                try await $0.deposit(requestID: F.request("d-4"), batch: F.batch(9, quantity: 5), into: F.subaccount("9999ZZZZ-99ZZ"), at: F.day(1))
            }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test("a caller's extra writes commit with the change or not at all", arguments: TestDatabaseKind.allCases)
    func changeHookIsAtomic(kind: TestDatabaseKind) async throws {
        struct HookFailed: Error {}
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            // A hook that fails rolls the deposit back: no holding, no idempotency record.
            let failed = try await h.ledgerError {
                try await $0.deposit(
                    requestID: F.request("hook-1"), batch: F.batch(7, quantity: 10), into: F.activeA, at: F.day(1),
                    also: { _, _ in throw HookFailed() })
            }
            #expect(failed != nil)
            #expect(try await h.ranges(in: F.activeA) == [])
            #expect(try await h.ledger.batch(number: 7) == nil)
            // The same request id is free again, and a hook that writes sees the change it commits with.
            let change = try await h.step {
                try await $0.deposit(
                    requestID: F.request("hook-1"), batch: F.batch(7, quantity: 10), into: F.activeA, at: F.day(1),
                    also: { transaction, change in
                        precondition(change.quantity == 10)
                        _ = try transaction.queryFirst("SELECT 1 AS one")
                    })
            }
            #expect(change.quantity == 10)
            #expect(try await h.ranges(in: F.activeA) == ["7:1-10 active"])
        }
    }

    @Test("§15.1: intra-account moves split ranges, and adjacent pieces merge again", arguments: TestDatabaseKind.allCases)
    func intraAccountMoves(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 100), into: F.activeA, at: F.day(1)) }

            // A quantity takes the lowest numbers (§15.2, MCT: "quantity from a batch").
            let first = try await h.step {
                try await $0.move(requestID: F.request("m-1"), selections: [F.quantity(1, 30)], from: F.activeA, to: F.activeA2, at: F.day(2))
            }
            #expect(first.serials.map(\.description) == ["99999-CA-1-1-30"])
            #expect(try await h.ranges(in: F.activeA) == ["1:31-100 active"])
            #expect(try await h.ranges(in: F.activeA2) == ["1:1-30 active"])

            // An explicit range from the middle leaves two pieces behind.
            try await h.step {
                try await $0.move(requestID: F.request("m-2"), selections: [F.serials(1, 50, 60)], from: F.activeA, to: F.activeA2, at: F.day(2))
            }
            #expect(try await h.ranges(in: F.activeA) == ["1:31-49 active", "1:61-100 active"])
            #expect(try await h.ranges(in: F.activeA2) == ["1:1-30 active", "1:50-60 active"])
            // The totals by status are the sums of the holdings, however many pieces.
            #expect(try await h.ledger.totals(in: F.activeA) == [.active: 59])
            #expect(try await h.ledger.totals(in: F.activeA2) == [.active: 41])
            #expect(try await h.ledger.totals(in: F.retirementA) == [:])

            // Filling the gap merges the destination's pieces into one row.
            try await h.step {
                try await $0.move(requestID: F.request("m-3"), selections: [F.serials(1, 31, 49)], from: F.activeA, to: F.activeA2, at: F.day(3))
            }
            #expect(try await h.ranges(in: F.activeA2) == ["1:1-60 active"])
            // Moving back merges on the other side too.
            try await h.step {
                try await $0.move(requestID: F.request("m-4"), selections: [F.quantity(1, 60)], from: F.activeA2, to: F.activeA, at: F.day(3))
            }
            #expect(try await h.ranges(in: F.activeA) == ["1:1-100 active"])
            #expect(try await h.ranges(in: F.activeA2) == [])

            // More than is there, a range not held, serials of another unit.
            let tooMany = try await h.violation {
                try await $0.move(requestID: F.request("m-5"), selections: [F.quantity(1, 101)], from: F.activeA, to: F.activeA2, at: F.day(4))
            }
            #expect(tooMany?.code == .quantityOutOfRange)
            let notHeld = try await h.violation {
                try await $0.move(requestID: F.request("m-6"), selections: [F.serials(1, 90, 110)], from: F.activeA, to: F.activeA2, at: F.day(4))
            }
            #expect(notHeld?.code == .rangeNotContained)
            let otherUnit = CertificateSerialRange(
                batch: try CertificateBatchIdentity(generatingUnit: GeneratingUnitID(parsing: "W12"), location: F.location, batchNumber: 1),
                numbers: try CertificateNumberRange(first: 1, last: 5))
            let wrongUnit = try await h.violation {
                try await $0.move(requestID: F.request("m-7"), selections: [.serials(otherUnit)], from: F.activeA, to: F.activeA2, at: F.day(4))
            }
            #expect(wrongUnit?.code == .serialNumberMalformed)
        }
    }

    @Test("without merging, pieces stay separate and conservation still holds", arguments: TestDatabaseKind.allCases)
    func withoutMerging(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test, merges: false)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 10), into: F.activeA, at: F.day(1)) }
            for (index, number) in [Int64(1), 2, 3].enumerated() {
                try await h.step {
                    try await $0.move(
                        requestID: F.request("m-\(index)"), selections: [F.serials(1, number, number)], from: F.activeA, to: F.activeA2, at: F.day(2))
                }
            }
            #expect(try await h.ranges(in: F.activeA2) == ["1:1-1 active", "1:2-2 active", "1:3-3 active"])
        }
    }

    @Test("§6, §15.1, §15.2 fn. 16, §16.2: the domain's flow rules decide every move", arguments: TestDatabaseKind.allCases)
    func flowRules(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 50), into: F.activeA, at: F.day(1)) }

            // §15.2: another account holder's Active subaccount only through a transfer awaiting acceptance.
            let immediate = try await h.violation {
                try await $0.move(requestID: F.request("x-1"), selections: [F.quantity(1, 5)], from: F.activeA, to: F.activeB, at: F.day(2))
            }
            #expect(immediate?.code == .flowNotAllowed)
            // Footnote 16: never into another account holder's Retirement subaccount.
            let foreignRetirement = try await h.violation {
                try await $0.retire(
                    requestID: F.request("x-2"), selections: [F.quantity(1, 5)], from: F.activeA, to: F.retirementB, reason: F.reason, at: F.day(2))
            }
            #expect(foreignRetirement?.code == .flowIntoOtherOrganizationEndUse)
            // §16.1: retirement goes into a Retirement subaccount.
            let retireIntoActive = try await h.violation {
                try await $0.retire(
                    requestID: F.request("x-3"), selections: [F.quantity(1, 5)], from: F.activeA, to: F.activeA2, reason: F.reason, at: F.day(2))
            }
            #expect(retireIntoActive?.code == .flowNotAllowed)
            // Source and destination the same.
            let same = try await h.violation {
                try await $0.move(requestID: F.request("x-4"), selections: [F.quantity(1, 5)], from: F.activeA, to: F.activeA, at: F.day(2))
            }
            #expect(same?.code == .flowNotAllowed)
            #expect(try await h.ranges(in: F.activeA) == ["1:1-50 active"])
        }
    }

    @Test("§16: retirement is irreversible for the holder; only the administrator withdraws, within 12 months (§16.2)", arguments: TestDatabaseKind.allCases)
    func retirement(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 50), into: F.activeA, at: F.day(1)) }
            let retired = try await h.step {
                try await $0.retire(
                    requestID: F.request("r-1"), selections: [F.serials(1, 11, 20)], from: F.activeA, to: F.retirementA, reason: F.reason,
                    at: F.day(10))
            }
            #expect(retired.status == .retired)
            #expect(retired.subaccount == F.retirementA)
            #expect(try await h.ranges(in: F.retirementA) == ["1:11-20 retired"])
            #expect(try await h.ledger.totals(in: F.retirementA) == [.retired: 10])
            #expect(try await h.ledger.holdings(in: F.retirementA).first?.statusSince == F.day(10))

            // §16.2: the holder cannot take them back, not even to its own Active subaccount.
            let byHolder = try await h.violation {
                try await $0.withdraw(
                    requestID: F.request("w-1"), selections: [F.quantity(1, 10)], from: F.retirementA, to: F.activeA,
                    initiator: .accountHolder, requestedAt: F.day(11), at: F.day(11))
            }
            #expect(byHolder?.code == .withdrawalRequiresAdministrator)
            let moveOut = try await h.violation {
                try await $0.move(requestID: F.request("w-2"), selections: [F.quantity(1, 10)], from: F.retirementA, to: F.activeA, at: F.day(11))
            }
            #expect(moveOut?.code == .withdrawalRequiresAdministrator)
            // Retired certificates cannot be retired again (no double claiming).
            let twice = try await h.violation {
                try await $0.retire(
                    requestID: F.request("r-2"), selections: [F.serials(1, 11, 20)], from: F.retirementA, to: F.retirementA,
                    reason: F.reason, at: F.day(12))
            }
            #expect(twice?.code == .flowFromEndUseSubaccount)

            // §16.2: more than 12 months after retirement even the administrator cannot.
            let late = try await h.violation {
                try await $0.withdraw(
                    requestID: F.request("w-3"), selections: [F.quantity(1, 10)], from: F.retirementA, to: F.activeA,
                    initiator: .registryAdministrator, requestedAt: F.day(10 + 400), at: F.day(10 + 400))
            }
            #expect(late?.code == .withdrawalWindowClosed)
            // Within the window the administrator can; the program of the reason is to be told.
            let withdrawn = try await h.step {
                try await $0.withdraw(
                    requestID: F.request("w-4"), selections: [F.quantity(1, 10)], from: F.retirementA, to: F.activeA,
                    initiator: .registryAdministrator, requestedAt: F.day(40), at: F.day(41))
            }
            #expect(withdrawn.programsToNotify == [.california])
            #expect(try await h.ranges(in: F.activeA) == ["1:1-50 active"])
        }
    }

    @Test("§18: reserving is an end use too; §18.3 administrator withdrawal within 3 months", arguments: TestDatabaseKind.allCases)
    func reserve(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 20), into: F.activeA, at: F.day(1)) }
            try await h.step {
                try await $0.reserve(
                    requestID: F.request("v-1"), selections: [F.quantity(1, 5)], from: F.activeA, to: F.reserveA, reason: nil, at: F.day(2))
            }
            #expect(try await h.ranges(in: F.reserveA) == ["1:1-5 reserved"])
            let late = try await h.violation {
                try await $0.withdraw(
                    requestID: F.request("v-2"), selections: [F.quantity(1, 5)], from: F.reserveA, to: F.activeA,
                    initiator: .registryAdministrator, requestedAt: F.day(2 + 100), at: F.day(2 + 100))
            }
            #expect(late?.code == .withdrawalWindowClosed)
        }
    }

    @Test("§15.2, §15.3, M-RETS §4.6.1: a pending transfer freezes, then completes or is released", arguments: TestDatabaseKind.allCases)
    func pendingTransfers(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 100), into: F.activeA, at: F.day(1)) }
            let frozen = try await h.step {
                try await $0.freezeForTransfer(
                    requestID: F.request("t-1"), hold: F.hold("transfer-1"), selections: [F.quantity(1, 40)], from: F.activeA,
                    to: F.activeB, at: F.day(2))
            }
            #expect(frozen.status == .pendingTransfer)
            #expect(frozen.subaccount == F.activeA, "frozen certificates stay with the transferor until accepted")
            #expect(try await h.ranges(in: F.activeA) == ["1:1-40 pendingTransfer", "1:41-100 active"])
            #expect(try await h.ledger.totals(in: F.activeA) == [.pendingTransfer: 40, .active: 60])

            // Frozen certificates cannot be transacted (M-RETS §4.6.1 "freezes").
            let moveFrozen = try await h.violation {
                try await $0.move(requestID: F.request("t-2"), selections: [F.serials(1, 35, 45)], from: F.activeA, to: F.activeA2, at: F.day(3))
            }
            #expect(moveFrozen?.code == .transitionNotAllowed)
            let retireFrozen = try await h.violation {
                try await $0.retire(
                    requestID: F.request("t-3"), selections: [F.serials(1, 1, 10)], from: F.activeA, to: F.retirementA, reason: F.reason,
                    at: F.day(3))
            }
            #expect(retireFrozen?.code == .transitionNotAllowed)
            // A quantity counts only the active ones: 60 are available, not 100.
            let tooMany = try await h.violation {
                try await $0.move(requestID: F.request("t-4"), selections: [F.quantity(1, 61)], from: F.activeA, to: F.activeA2, at: F.day(3))
            }
            #expect(tooMany?.code == .quantityOutOfRange)
            // A hold id names one transfer.
            let sameHold = try await h.ledgerError {
                try await $0.freezeForTransfer(
                    requestID: F.request("t-5"), hold: F.hold("transfer-1"), selections: [F.quantity(1, 1)], from: F.activeA,
                    to: F.activeB, at: F.day(3))
            }
            #expect(sameHold?.code == .alreadyExists)
            // §15.2 footnote 16: a transfer awaiting acceptance goes to another organization only.
            let ownAccount = try await h.violation {
                try await $0.freezeForTransfer(
                    requestID: F.request("t-6"), hold: F.hold("transfer-x"), selections: [F.quantity(1, 1)], from: F.activeA,
                    to: F.activeA2, at: F.day(3))
            }
            #expect(ownAccount?.code == .flowNotAllowed)

            // Accepted: the certificates are the recipient's, active.
            let completed = try await h.step { try await $0.completeTransfer(requestID: F.request("t-7"), hold: F.hold("transfer-1"), at: F.day(4)) }
            #expect(completed.subaccount == F.activeB)
            #expect(completed.quantity == 40)
            #expect(try await h.ranges(in: F.activeB) == ["1:1-40 active"])
            #expect(try await h.ranges(in: F.activeA) == ["1:41-100 active"])
            // Settled once.
            let again = try await h.violation { try await $0.releaseTransfer(requestID: F.request("t-8"), hold: F.hold("transfer-1"), at: F.day(5)) }
            #expect(again?.code == .transitionNotAllowed)

            // Rejected, withdrawn or expired (§15.2, §15.3): back to active with the transferor, merged again.
            try await h.step {
                try await $0.freezeForTransfer(
                    requestID: F.request("t-9"), hold: F.hold("transfer-2"), selections: [F.serials(1, 50, 59), F.serials(1, 70, 79)],
                    from: F.activeA, to: F.activeB, at: F.day(5))
            }
            #expect(try await h.ranges(in: F.activeA).count == 5)
            let released = try await h.step { try await $0.releaseTransfer(requestID: F.request("t-10"), hold: F.hold("transfer-2"), at: F.day(6)) }
            #expect(released.subaccount == F.activeA)
            #expect(released.quantity == 20)
            #expect(try await h.ranges(in: F.activeA) == ["1:41-100 active"])

            let missing = try await h.ledgerError { try await $0.completeTransfer(requestID: F.request("t-11"), hold: F.hold("nope"), at: F.day(6)) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("§17.1, M-RETS §4.6.5: an export is pending until accepted, or returns after 14 days", arguments: TestDatabaseKind.allCases)
    func exports(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 30), into: F.activeA, at: F.day(1)) }
            try await h.step {
                try await $0.requestExport(
                    requestID: F.request("e-1"), hold: F.hold("export-1"), selections: [F.quantity(1, 10)], from: F.activeA, to: F.exportA,
                    at: F.day(2))
            }
            #expect(try await h.ranges(in: F.activeA) == ["1:1-10 exportPending", "1:11-30 active"])
            // §17.1: it expires only after 14 days.
            let early = try await h.violation {
                try await $0.releaseExport(requestID: F.request("e-2"), hold: F.hold("export-1"), expired: true, at: F.day(2 + 13))
            }
            #expect(early?.code == .deadlineNotReached)
            try await h.step { try await $0.releaseExport(requestID: F.request("e-3"), hold: F.hold("export-1"), expired: true, at: F.day(2 + 14)) }
            #expect(try await h.ranges(in: F.activeA) == ["1:1-30 active"])

            try await h.step {
                try await $0.requestExport(
                    requestID: F.request("e-4"), hold: F.hold("export-2"), selections: [F.quantity(1, 10)], from: F.activeA, to: F.exportA,
                    at: F.day(20))
            }
            let exported = try await h.step { try await $0.completeExport(requestID: F.request("e-5"), hold: F.hold("export-2"), at: F.day(21)) }
            #expect(exported.status == .exported)
            #expect(try await h.ranges(in: F.exportA) == ["1:1-10 exported"])
        }
    }

    @Test("idempotency: a retry returns the first outcome; the same id with another request is refused", arguments: TestDatabaseKind.allCases)
    func idempotency(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            let deposit = try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 50), into: F.activeA, at: F.day(1)) }
            // Retried later (another instant): the first outcome, nothing deposited twice.
            let depositRetry = try await h.step { try await $0.deposit(requestID: F.request("d"), batch: F.batch(1, quantity: 50), into: F.activeA, at: F.day(9)) }
            #expect(depositRetry == deposit)

            let move = try await h.step {
                try await $0.move(requestID: F.request("m"), selections: [F.quantity(1, 10)], from: F.activeA, to: F.activeA2, at: F.day(2))
            }
            let moveRetry = try await h.step {
                try await $0.move(requestID: F.request("m"), selections: [F.quantity(1, 10)], from: F.activeA, to: F.activeA2, at: F.day(3))
            }
            #expect(moveRetry == move)
            #expect(try await h.ranges(in: F.activeA2) == ["1:1-10 active"], "the retry moved nothing more")

            // The same id for a different request, or for another operation.
            let different = try await h.ledgerError {
                try await $0.move(requestID: F.request("m"), selections: [F.quantity(1, 11)], from: F.activeA, to: F.activeA2, at: F.day(3))
            }
            #expect(different?.code == .requestIDReused)
            let otherOperation = try await h.ledgerError {
                try await $0.retire(
                    requestID: F.request("m"), selections: [F.quantity(1, 10)], from: F.activeA, to: F.retirementA, reason: F.reason, at: F.day(3))
            }
            #expect(otherOperation?.code == .requestIDReused)
            // A refused request is not recorded: once possible, the same id succeeds.
            let refused = try await h.violation {
                try await $0.move(requestID: F.request("later"), selections: [F.quantity(1, 45)], from: F.activeA2, to: F.activeA, at: F.day(4))
            }
            #expect(refused?.code == .quantityOutOfRange)
            try await h.step {
                try await $0.move(requestID: F.request("top-up"), selections: [F.quantity(1, 40)], from: F.activeA, to: F.activeA2, at: F.day(4))
            }
            let accepted = try await h.step {
                try await $0.move(requestID: F.request("later"), selections: [F.quantity(1, 45)], from: F.activeA2, to: F.activeA, at: F.day(5))
            }
            #expect(accepted.quantity == 45)

            #expect(throws: LedgerError.self) { try RequestID("has space") }
            #expect(throws: LedgerError.self) { try RequestID(String(repeating: "x", count: LedgerLimits.idCharactersMax + 1)) }
            let empty = try await h.ledgerError {
                try await $0.move(requestID: F.request("empty"), selections: [], from: F.activeA, to: F.activeA2, at: F.day(4))
            }
            #expect(empty?.code == .invalidRequest)
        }
    }

    @Test("a subaccount is registered once, with one organization and kind", arguments: TestDatabaseKind.allCases)
    func registration(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let h = try await LedgerHarness.make(test)
            try await h.ledger.register(Fixture.subaccounts[0], at: F.day(5))
            let changed = LedgerSubaccount(id: F.activeA, organization: F.organizationB, kind: .active)
            await #expect(throws: LedgerError.self) { try await h.ledger.register(changed, at: F.day(5)) }
        }
    }
}
