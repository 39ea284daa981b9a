import Domain
import Foundation
import GRPCWire
import Ledger
import ProtoMessages
import StorageTestSupport
import ServiceTestSupport
import Testing
import TransferCore

@Suite("TransferService, first slice")
struct TransferServiceTests {
    @Test("§14.2: a deposit retried (same or new request id) deposits the batch once", arguments: TestDatabaseKind.allCases)
    func depositExactlyOnce(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            let first = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            #expect(first.placements.count == 1)
            #expect(first.placements.first?.holder?.subaccountId == F.activeA)
            #expect(first.placements.first?.serialRange?.last == 100)
            try await h.conserved()
            let retry = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            #expect(retry == first)
            let again = try await h.client.depositCertificates(F.deposit("dep-2", batch: 1, quantity: 100))
            #expect(again == first)
            try await expectStatus(.alreadyExists) {
                _ = try await h.client.depositCertificates(F.deposit("dep-3", batch: 1, quantity: 50))
            }
            let report = try await h.ledger.checkConservation()
            #expect(report.batches == 1)
            #expect(report.certificates == 100)
            let holdings = try await h.holdings(in: F.activeA)
            #expect(holdings.count == 1)
            #expect(holdings.first?.status == .active)
            var list = Recs_Transfer_V1_ListEventsRequest()
            list.afterSequence = 0
            let events = try await h.client.listEvents(list)
            #expect(events.events.map(\.action) == ["DepositCertificates"])
            #expect(events.events.first?.certificatesDeposited.batch?.quantity == 100)
        }
    }

    @Test("§15.2, M-RETS 4.6.1: part of a batch is pending and frozen, then accepted into the recipient's Active subaccount", arguments: TestDatabaseKind.allCases)
    func transferAccepted(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            let requested = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40))
            let transfer = try #require(requested.transfer)
            #expect(transfer.state == .pending)
            #expect(transfer.quantity == 40)
            #expect(transfer.toSubaccountId == F.activeB)
            #expect((transfer.expiresAt?.unixSeconds ?? 0) - (transfer.requestedAt?.unixSeconds ?? 0) == 14 * 24 * 3600)
            try await h.conserved()
            let source = try await h.holdings(in: F.activeA)
            #expect(source.filter { $0.status == .pendingTransfer }.map(\.serials.numbers.quantity) == [40])
            #expect(source.filter { $0.status == .active }.map(\.serials.numbers.quantity) == [60])
            // Frozen: neither transferred again nor retired (§15.2).
            try await expectStatus(.failedPrecondition) {
                _ = try await h.client.requestInterAccountTransfer(F.transfer("t-2", batch: 1, 30, 50))
            }
            try await expectStatus(.failedPrecondition) { _ = try await h.client.retireCertificates(F.retire("r-1", batch: 1, 1, 10)) }
            try await h.conserved()
            // §6.1.3, §5.2.1: the sender's summary shows 60 active, 40 pending and one open transaction.
            var summary = Recs_Transfer_V1_GetHoldingsSummaryRequest()
            summary.organizationId = F.orgA
            let totals = try await h.client.getHoldingsSummary(summary)
            #expect(totals.totals.map(\.status) == [.active, .pendingTransfer])
            #expect(totals.totals.map(\.quantity) == [60, 40])
            #expect(totals.openTransactionCount == 1)
            // A retry of the request answers the same transfer.
            let retried = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40))
            #expect(retried.transfer == transfer)
            let accepted = try await h.client.acceptTransfer(F.accept("a-1", "t-1"))
            #expect(accepted.transfer?.state == .completed)
            try await h.conserved()
            let recipient = try await h.holdings(in: F.activeB)
            #expect(recipient.map(\.status) == [.active])
            #expect(recipient.map(\.serials.numbers.first) == [1])
            #expect(recipient.map(\.serials.numbers.last) == [40])
            #expect(try await h.holdings(in: F.activeA).map(\.status) == [.active])
            // The same accept again: same answer; a new one: too late.
            #expect(try await h.client.acceptTransfer(F.accept("a-1", "t-1")).transfer == accepted.transfer)
            try await expectStatus(.failedPrecondition) { _ = try await h.client.acceptTransfer(F.accept("a-2", "t-1")) }
            try await expectStatus(.failedPrecondition) { _ = try await h.client.withdrawTransfer(F.withdraw("w-1", "t-1")) }
            var get = Recs_Transfer_V1_GetTransferRequest()
            get.transferId = "t-1"
            #expect(try await h.client.getTransfer(get).transfer?.state == .completed)
            try await h.conserved()
        }
    }

    @Test("§15.2: a rejected or withdrawn transfer returns the certificates to the sender, active", arguments: TestDatabaseKind.allCases)
    func transferRejectedAndWithdrawn(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            _ = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40))
            _ = try await h.client.requestInterAccountTransfer(F.transfer("t-2", batch: 1, 41, 50))
            try await h.conserved()
            let rejected = try await h.client.rejectTransfer(F.reject("rj-1", "t-1"))
            #expect(rejected.transfer?.state == .rejected)
            #expect(rejected.transfer?.reason == "not ordered")
            try await h.conserved()
            let withdrawn = try await h.client.withdrawTransfer(F.withdraw("w-1", "t-2"))
            #expect(withdrawn.transfer?.state == .withdrawn)
            try await h.conserved()
            let holdings = try await h.holdings(in: F.activeA)
            #expect(holdings.map(\.status) == [.active])
            #expect(holdings.map(\.serials.numbers.quantity) == [100])
            #expect(try await h.holdings(in: F.activeB).isEmpty)
            try await expectStatus(.failedPrecondition) { _ = try await h.client.acceptTransfer(F.accept("a-1", "t-1")) }
            try await expectStatus(.notFound) { _ = try await h.client.acceptTransfer(F.accept("a-2", "nope")) }
            // Released certificates can be transferred again.
            let again = try await h.client.requestInterAccountTransfer(F.transfer("t-3", batch: 1, 1, 40))
            #expect(again.transfer?.state == .pending)
            try await h.conserved()
        }
    }

    @Test("§15.2, §15.3, M-RETS 4.6.1: an unanswered transfer expires after 14 days by the sweep", arguments: TestDatabaseKind.allCases)
    func transferExpires(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            _ = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40))
            let start = h.clock.date
            #expect(try await h.application.service.expirePendingTransfers(now: start.addingTimeInterval(13 * 86_400)).isEmpty)
            #expect(try await h.holdings(in: F.activeA).contains { $0.status == .pendingTransfer })
            let expired = try await h.application.service.expirePendingTransfers(now: start.addingTimeInterval(14 * 86_400))
            #expect(expired.map(\.transferId) == ["t-1"])
            #expect(expired.first?.state == .expired)
            try await h.conserved()
            #expect(try await h.holdings(in: F.activeA).map(\.status) == [.active])
            // A second sweep has nothing to do; the recipient is too late.
            #expect(try await h.application.service.expirePendingTransfers(now: start.addingTimeInterval(15 * 86_400)).isEmpty)
            try await expectStatus(.failedPrecondition) { _ = try await h.client.acceptTransfer(F.accept("a-1", "t-1")) }
            var get = Recs_Transfer_V1_GetTransferRequest()
            get.transferId = "t-1"
            #expect(try await h.client.getTransfer(get).transfer?.state == .expired)
            try await h.conserved()
        }
    }

    @Test("§16.1: retirement with a reason is irreversible for the holder", arguments: TestDatabaseKind.allCases)
    func retire(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            let retired = try await h.client.retireCertificates(F.retire("r-1", batch: 1, 1, 10))
            let transaction = try #require(retired.transaction)
            #expect(transaction.kind == .retirement)
            #expect(transaction.quantity == 10)
            #expect(transaction.to?.subaccountId == F.retirementA)
            #expect(transaction.retirementReason?.details == "2024 voluntary green power claim")
            try await h.conserved()
            let holdings = try await h.holdings(in: F.retirementA)
            #expect(holdings.map(\.status) == [.retired])
            #expect(holdings.map(\.serials.numbers.quantity) == [10])
            // The retry returns the same transaction; retired certificates go nowhere again.
            #expect(try await h.client.retireCertificates(F.retire("r-1", batch: 1, 1, 10)).transaction == transaction)
            try await expectStatus(.failedPrecondition) { _ = try await h.client.retireCertificates(F.retire("r-2", batch: 1, 1, 10)) }
            // Retired certificates are not in the Active subaccount any more (§12.1, §16.1).
            try await expectStatus(.invalidArgument) {
                _ = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 5, 15))
            }
            // Nor can they leave the Retirement subaccount by transfer (§6.2.2, §16.2).
            let fromRetirement = try await expectStatus(.permissionDenied) {
                _ = try await h.client.requestInterAccountTransfer(F.transfer("t-2", batch: 1, 1, 10))
            }
            #expect(fromRetirement.message.contains("§"))
            var noReason = F.retire("r-3", batch: 1, 20, 30)
            noReason.reason = nil
            try await expectStatus(.invalidArgument) { _ = try await h.client.retireCertificates(noReason) }
            try await h.conserved()
        }
    }

    @Test("docs/API.md event feed: every change is one event, in order, consecutive sequences", arguments: TestDatabaseKind.allCases)
    func eventsInOrder(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            _ = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40))
            _ = try await h.client.acceptTransfer(F.accept("a-1", "t-1"))
            _ = try await h.client.requestInterAccountTransfer(F.transfer("t-2", batch: 1, 41, 50))
            _ = try await h.client.rejectTransfer(F.reject("rj-1", "t-2"))
            _ = try await h.client.retireCertificates(F.retire("r-1", batch: 1, 41, 45))
            _ = try await h.client.requestInterAccountTransfer(F.transfer("t-3", batch: 1, 46, 50))
            try await h.application.service.expirePendingTransfers(now: h.clock.date.addingTimeInterval(15 * 86_400))
            try await h.conserved()
            var list = Recs_Transfer_V1_ListEventsRequest()
            let all = try await h.client.listEvents(list)
            #expect(all.events.map(\.sequence) == Array(1...8))
            #expect(all.lastSequence == 8)
            #expect(
                all.events.map(\.action) == [
                    "DepositCertificates", "RequestInterAccountTransfer", "AcceptTransfer", "RequestInterAccountTransfer",
                    "RejectTransfer", "RetireCertificates", "RequestInterAccountTransfer", "TransferExpired",
                ])
            #expect(all.events[2].transfer.state == .completed)
            #expect(all.events[5].ledgerTransaction.kind == .retirement)
            list.afterSequence = 5
            list.limit = 2
            let page = try await h.client.listEvents(list)
            #expect(page.events.map(\.sequence) == [6, 7])
            #expect(page.lastSequence == 8)
        }
    }

    @Test("docs/API.md Errors: a method not built yet answers UNIMPLEMENTED")
    func unimplemented() async throws {
        try await withTransfer(.sqlite) { h in
            let error = try await expectStatus(.unimplemented) {
                _ = try await h.client.listHoldings(Recs_Transfer_V1_ListHoldingsRequest())
            }
            #expect(error.message == "ListHoldings is not implemented yet")
            try await expectStatus(.unimplemented) {
                _ = try await h.client.transferWithinAccount(Recs_Transfer_V1_TransferWithinAccountRequest())
            }
        }
    }
}
