import Domain
import Foundation
import GRPCWire
import Ledger
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing
import TransferCore

/// The transfer service on the one pipeline (issue 7; docs/API.md, idempotency): a request id's
/// first outcome, a refusal included, is its answer for ever; another body under a used id is
/// ALREADY_EXISTS with REQUEST_ID_REUSED; every refusal carries its rule; the domain's state
/// machine refuses an answer after the 14 days even before the sweep ran (§15.2).
@Suite("transfer pipeline")
struct TransferPipelineTests {
    static func details(_ error: RPCError) -> Recs_Common_V1_ErrorDetails? {
        error.metadata.binary(ServiceErrors.detailsKey).flatMap { try? Recs_Common_V1_ErrorDetails(protobufBytes: $0) }
    }

    @Test(
        "docs/API.md idempotency: a refused retirement sent again after the certificates were freed is still refused, and moves nothing",
        arguments: TestDatabaseKind.allCases)
    func refusalReplayed(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            let pending = try #require(try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40)).transfer)
            // Frozen for the transfer: the retirement is refused with its rule.
            let first = try await expectStatus(.failedPrecondition) {
                _ = try await h.client.retireCertificates(F.retire("r-1", batch: 1, 1, 10))
            }
            #expect(Self.details(first)?.violations.isEmpty == false, "the refusal names its rule: \(first)")
            #expect(Self.details(first)?.violations.first?.section.hasPrefix("Operating Rules") == true)
            _ = try await h.client.withdrawTransfer(F.withdraw("w-1", pending.transferId))
            // The certificates are free now, but r-1 was refused: the same id answers the same.
            let replay = try await expectStatus(.failedPrecondition) {
                _ = try await h.client.retireCertificates(F.retire("r-1", batch: 1, 1, 10))
            }
            #expect(replay.message == first.message)
            #expect(try await h.holdings(in: F.retirementA).isEmpty, "nothing retired by the replay")
            // A new request id is evaluated afresh.
            _ = try await h.client.retireCertificates(F.retire("r-2", batch: 1, 1, 10))
            #expect(try await h.holdings(in: F.retirementA).map(\.serials.numbers.quantity) == [10])
            try await h.conserved()
        }
    }

    @Test("docs/API.md idempotency rule 5: a used request id with another body is ALREADY_EXISTS, REQUEST_ID_REUSED", arguments: TestDatabaseKind.allCases)
    func reusedID(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            let one = try #require(try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 10)).transfer)
            let two = try #require(try await h.client.requestInterAccountTransfer(F.transfer("t-2", batch: 1, 11, 20)).transfer)
            _ = try await h.client.rejectTransfer(F.reject("answer-1", one.transferId))
            // The same answer id for the other transfer: refused, and the other transfer stays pending.
            let reused = try await expectStatus(.alreadyExists) { _ = try await h.client.rejectTransfer(F.reject("answer-1", two.transferId)) }
            #expect(Self.details(reused)?.reason == "REQUEST_ID_REUSED")
            let withdrawReused = try await expectStatus(.alreadyExists) {
                _ = try await h.client.withdrawTransfer(F.withdraw("answer-1", two.transferId))
            }
            #expect(Self.details(withdrawReused)?.reason == "REQUEST_ID_REUSED")
            var get = Recs_Transfer_V1_GetTransferRequest()
            get.transferId = two.transferId
            #expect(try await h.client.getTransfer(get).transfer?.state == .pending)
            // The request itself under another body.
            let request = try await expectStatus(.alreadyExists) {
                _ = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 21, 30))
            }
            #expect(Self.details(request)?.reason == "REQUEST_ID_REUSED")
            try await h.conserved()
        }
    }

    @Test(
        "§15.2: an answer after the 14 days is refused by the state machine before the sweep ran; the sweep then releases the certificates",
        arguments: TestDatabaseKind.allCases)
    func acceptAfterExpiry(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            let pending = try #require(try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40)).transfer)
            h.clock.advance(days: 15)
            let late = try await expectStatus(.failedPrecondition) { _ = try await h.client.acceptTransfer(F.accept("a-1", pending.transferId)) }
            #expect(Self.details(late)?.violations.first?.code == UInt32(RuleViolation.Code.transferExpired.rawValue))
            #expect(Self.details(late)?.violations.first?.section.hasPrefix("Operating Rules §15.2") == true)
            #expect(try await h.holdings(in: F.activeB).isEmpty, "nothing reached the recipient")
            let expired = try await h.application.service.expirePendingTransfers(now: h.clock.date)
            #expect(expired.map(\.state) == [.expired])
            #expect(try await h.holdings(in: F.activeA).map(\.status) == [.active])
            try await h.conserved()
        }
    }

    @Test("issue 8: a transfer's notes have at most 50 characters, as documented (60 were accepted)", arguments: TestDatabaseKind.allCases)
    func notesBounded(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            var request = F.transfer("t-long", batch: 1, 1, 10)
            request.notes = String(repeating: "n", count: 51)
            let refused = try await expectStatus(.invalidArgument) { _ = try await h.client.requestInterAccountTransfer(request) }
            #expect(Self.details(refused)?.violations.first?.code == UInt32(RuleViolation.Code.notesTooLong.rawValue))
            #expect(Self.details(refused)?.violations.first?.field == "notes")
            request.requestId = "t-fifty"
            request.notes = String(repeating: "n", count: 50)
            #expect(try await h.client.requestInterAccountTransfer(request).transfer?.notes.count == 50)
        }
    }

    @Test("the transfer service's events carry the request id, the time and the scheduler as actor of an expiry", arguments: TestDatabaseKind.allCases)
    func eventsCarryActor(kind: TestDatabaseKind) async throws {
        try await withTransfer(kind) { h in
            _ = try await h.client.depositCertificates(F.deposit("dep-1", batch: 1, quantity: 100))
            _ = try await h.client.requestInterAccountTransfer(F.transfer("t-1", batch: 1, 1, 40))
            h.clock.advance(days: 15)
            _ = try await h.application.service.expirePendingTransfers(now: h.clock.date)
            let events = try await h.client.listEvents(Recs_Transfer_V1_ListEventsRequest()).events
            #expect(events.map(\.action) == ["DepositCertificates", "RequestInterAccountTransfer", "TransferExpired"])
            #expect(events.map(\.requestId) == ["dep-1", "t-1", "expire:t-1"])
            #expect(events.last?.actor?.kind == .scheduler)
            #expect(events.allSatisfy { ($0.at?.unixSeconds ?? 0) > 0 })
        }
    }
}

/// The migration onto the journal keeps the feed: events stored as JSON before are served with the
/// same sequences and contents, and new ones follow them.
@Suite("transfer journal migration")
struct TransferJournalMigrationTests {
    /// What the service stored as JSON for a retirement before the journal, made with a real
    /// ledger change on a scratch ledger.
    struct LegacyPayload: Encodable {
        let kind = "retirement"
        let change: LedgerChange
        let fromOrganization: String
        let fromSubaccount: String
        let reason: RetirementReason
    }

    static func legacyRetirementPayload() async throws -> String {
        guard case .available(let scratch) = try await TestDatabase.make(.sqlite) else { throw TestFailure("no scratch database") }
        do {
            let ledger = try await Ledger.open(database: scratch.database)
            let at = Date(timeIntervalSince1970: 1_735_689_600)
            try await F.registerSubaccounts(ledger, at: at)
            let proto = F.batch(1, quantity: 10)
            let batch = try CertificateBatch(
                identity: try CertificateBatchIdentity(
                    generatingUnit: try GeneratingUnitID(parsing: proto.attributes?.generatingUnitId ?? ""),
                    location: try StateOrProvinceCode(parsing: proto.attributes?.stateOrProvince ?? ""), batchNumber: 1),
                vintage: try Vintage(year: 2024, month: 1), fuelType: try FuelType(code: "SO1"), quantity: 10,
                createdOn: try CalendarDate(year: 2024, month: 3, day: 1))
            _ = try await ledger.deposit(requestID: try RequestID("dep"), batch: batch, into: try SubaccountID(parsing: F.activeA), at: at)
            let reason = try RetirementReason(.voluntaryMarketActivity, details: "legacy")
            let change = try await ledger.retire(
                requestID: try RequestID("r-old"), selections: [.serials(CertificateSerialRange(batch: batch.identity, numbers: try CertificateNumberRange(first: 1, last: 5)))],
                from: try SubaccountID(parsing: F.activeA), to: try SubaccountID(parsing: F.retirementA), reason: reason, at: at)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let text = String(
                decoding: try encoder.encode(
                    LegacyPayload(change: change, fromOrganization: F.orgA, fromSubaccount: F.activeA, reason: reason)), as: UTF8.self)
            await scratch.tearDown()
            return text
        } catch {
            await scratch.tearDown()
            throw error
        }
    }

    @Test("legacy JSON events become recs.transfer.v1.Event rows with the same sequences", arguments: TestDatabaseKind.allCases)
    func legacyEventsConverted(kind: TestDatabaseKind) async throws {
        switch try await TestDatabase.make(kind) {
        case .unavailable(let message, let isFailure):
            if isFailure { Issue.record(Comment(rawValue: message)) } else { try Test.cancel(Comment(rawValue: message)) }
        case .available(let testDatabase):
            do {
                let database = testDatabase.database
                try await database.migrate(Array(TransferStore.migrationsBeforeJournal))
                let payload = try await Self.legacyRetirementPayload()
                try await database.transaction { sql in
                    try sql.execute(
                        "INSERT INTO transfer_events (sequence, at_unix_ms, action, request_id, payload_kind, payload) VALUES (1, 1735689600000, 'RetireCertificates', 'r-old', 'retirement', $1)",
                        .text(payload))
                }
                let applied = try await TransferStore(database: database).migrate()
                #expect(applied.contains("transfer-0004-request-journal"))
                let journal = RequestJournal(database: database, service: "transfer")
                let (events, last) = try await journal.read { transaction in
                    (try transaction.chainedEvents(after: 0, limit: 10, as: Recs_Transfer_V1_Event.self), try transaction.lastEventSequence())
                }
                #expect(last == 1)
                let event = try #require(events.first)
                var verifier = EventChain.Verifier()
                try verifier.check(event)
                #expect(event.sequence == 1 && event.action == "RetireCertificates" && event.requestId == "r-old")
                #expect(event.ledgerTransaction.from?.organizationId == "A1")
                #expect(event.ledgerTransaction.retirementReason?.category == .voluntaryMarketActivity)
                #expect(event.ledgerTransaction.retirementReason?.details == "legacy")
                #expect(event.ledgerTransaction.quantity == 5)
                // The next event takes the next sequence.
                let next = try await journal.read { transaction in try transaction.sql.queryFirst("SELECT value FROM counters WHERE name = 'event'")?.int64("value") }
                #expect(next == 1)
            } catch {
                await testDatabase.tearDown()
                throw error
            }
            await testDatabase.tearDown()
        }
    }
}
