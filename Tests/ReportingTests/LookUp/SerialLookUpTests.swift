import Foundation
import GRPCWire
import ProtoMessages
import ReportingCore
import ServiceKit
import StorageTestSupport
import ServiceTestSupport
import Testing

/// The serial number look-up (§20) built from the three feeds: every certificate field, the status
/// and holder of each part of a range, and the date of the last change.
@Suite("serial number look-up")
struct SerialLookUpTests {
    static let depositDay: Int64 = 1
    static let requestDay: Int64 = 2
    static let acceptDay: Int64 = 3
    static let retireDay: Int64 = 4

    /// Registry and issuance published; the batch deposited and 1-40 requested for transfer to A3.
    func publishThroughPendingTransfer(_ harness: Harness) {
        for event in Fixtures.registryEvents() { harness.registry.append(event) }
        harness.issuance.append(Fixtures.issuanceEvent(1, .batchIssued(Fixtures.batch())))
        harness.transfer.append(Fixtures.deposit(1, day: Self.depositDay))
        harness.transfer.append(Fixtures.transfer(2, day: Self.requestDay, state: .pending))
    }

    func expectPart(
        _ status: Recs_Reporting_V1_SerialNumberStatus, _ text: String, _ certificateStatus: Recs_Common_V1_CertificateStatus,
        _ holder: Recs_Common_V1_Holder, changedOnDay day: Int64, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(status.serialRange?.text == text, sourceLocation: sourceLocation)
        #expect(status.status == certificateStatus, "\(text)", sourceLocation: sourceLocation)
        #expect(status.holder == holder, "\(text)", sourceLocation: sourceLocation)
        #expect(status.statusChangedAt?.unixSeconds == Fixtures.start + day * Fixtures.day, "\(text)", sourceLocation: sourceLocation)
    }

    @Test("§20, §15.2, §16: pending, accepted and retired parts each show their status, holder and date", arguments: TestDatabaseKind.allCases)
    func lifecycle(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            publishThroughPendingTransfer(harness)
            try await harness.catchUp()

            // Pending (§15.2): 1-40 frozen at A1, the rest active at A1 since the deposit. The
            // deposit named only the subaccount: the organization comes from the registry feed.
            var parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.count == 2)
            expectPart(parts[0], "\(Fixtures.batch)-1-40", .pendingTransfer, Fixtures.holder("A1", Fixtures.a1Active, .active), changedOnDay: Self.requestDay)
            expectPart(parts[1], "\(Fixtures.batch)-41-100", .active, Fixtures.holder("A1", Fixtures.a1Active, .active), changedOnDay: Self.depositDay)

            // Accepted: 1-40 active at A3.
            harness.transfer.append(Fixtures.transfer(3, day: Self.acceptDay, state: .completed))
            // Retired (§16): 41-50 into A1's Retirement subaccount.
            harness.transfer.append(Fixtures.retirement(4, day: Self.retireDay))
            try await harness.catchUp()

            parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.count == 3)
            expectPart(parts[0], "\(Fixtures.batch)-1-40", .active, Fixtures.holder("A3", Fixtures.a3Active, .active), changedOnDay: Self.acceptDay)
            expectPart(parts[1], "\(Fixtures.batch)-41-50", .retired, Fixtures.holder("A1", Fixtures.a1Retirement, .retirement), changedOnDay: Self.retireDay)
            expectPart(parts[2], "\(Fixtures.batch)-51-100", .active, Fixtures.holder("A1", Fixtures.a1Active, .active), changedOnDay: Self.depositDay)
            // §20: "the date that the Certificate was ... Retired", as a calendar day too.
            #expect(parts[1].statusChangedOn == Fixtures.date(2025, 6, 19))
            // §16.1: the retirement's reason comes with the retired part only.
            #expect(parts.map { $0.retirementReason } == [nil, Fixtures.retirementReason, nil])
            // Every certificate field (Appendix B-1), on every part.
            for part in parts { #expect(part.attributes == Fixtures.attributes()) }

            // One serial: one part, its own range.
            let single = try await harness.lookUp("\(Fixtures.batch)-45-45")
            #expect(single.count == 1)
            expectPart(single[0], "\(Fixtures.batch)-45-45", .retired, Fixtures.holder("A1", Fixtures.a1Retirement, .retirement), changedOnDay: Self.retireDay)
            let serial = try #require(single[0].serialRange)
            #expect(serial.generatingUnitId == "99999" && serial.stateOrProvince == "CA" && serial.batchNumber == 123)
            #expect(serial.first == 45 && serial.last == 45)

            // A range across segments: cut to the range asked for, in order.
            let across = try await harness.lookUp("\(Fixtures.batch)-30-60")
            #expect(across.map { $0.serialRange?.text ?? "" } == ["\(Fixtures.batch)-30-40", "\(Fixtures.batch)-41-50", "\(Fixtures.batch)-51-60"])
            #expect(across.map(\.status) == [.active, .retired, .active])
            #expect(across.map { $0.holder?.organizationId ?? "" } == ["A3", "A1", "A1"])
        }
    }

    @Test("Rejected, withdrawn and expired transfers leave the certificates active at the transferor (§15.2, §15.3)", arguments: [Recs_Transfer_V1_TransferState.rejected, .withdrawn, .expired])
    func endedTransfers(state: Recs_Transfer_V1_TransferState) async throws {
        try await withReporting(.sqlite) { harness in
            publishThroughPendingTransfer(harness)
            harness.transfer.append(Fixtures.transfer(3, day: Self.acceptDay, state: state))
            try await harness.catchUp()
            let parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.count == 2)
            expectPart(parts[0], "\(Fixtures.batch)-1-40", .active, Fixtures.holder("A1", Fixtures.a1Active, .active), changedOnDay: Self.acceptDay)
            expectPart(parts[1], "\(Fixtures.batch)-41-100", .active, Fixtures.holder("A1", Fixtures.a1Active, .active), changedOnDay: Self.depositDay)
        }
    }

    @Test("§17.1, §20: an export pending, then exported, with its destination and date", arguments: TestDatabaseKind.allCases)
    func export(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            publishThroughPendingTransfer(harness)
            harness.transfer.append(Fixtures.export(3, day: 5, "\(Fixtures.batch)-91-100", kind: .exportRequested))
            try await harness.catchUp()
            var parts = try await harness.lookUp("\(Fixtures.batch)-85-100")
            #expect(parts.map(\.status) == [.active, .exportPending])
            expectPart(parts[1], "\(Fixtures.batch)-91-100", .exportPending, Fixtures.holder("A1", Fixtures.a1Active, .active), changedOnDay: 5)

            harness.transfer.append(Fixtures.export(4, day: 6, "\(Fixtures.batch)-91-100", kind: .exported))
            try await harness.catchUp()
            parts = try await harness.lookUp("\(Fixtures.batch)-85-100")
            #expect(parts.count == 2)
            expectPart(parts[0], "\(Fixtures.batch)-85-90", .active, Fixtures.holder("A1", Fixtures.a1Active, .active), changedOnDay: Self.depositDay)
            expectPart(parts[1], "\(Fixtures.batch)-91-100", .exported, Fixtures.holder("A1", Fixtures.a1Export, .export), changedOnDay: 6)
            #expect(parts[1].exportDestination == Fixtures.exportDestination)
            #expect(parts[0].exportDestination == nil)
        }
    }

    @Test("A correction (§13.1) replaces the fields the look-up shows", arguments: TestDatabaseKind.allCases)
    func correction(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            publishThroughPendingTransfer(harness)
            harness.issuance.append(Fixtures.issuanceEvent(2, .batchCorrected(Fixtures.batch(facility: "Corrected Facility"))))
            try await harness.catchUp()
            let parts = try await harness.lookUp("\(Fixtures.batch)-50-50")
            #expect(parts.first?.attributes?.facilityName == "Corrected Facility")
            #expect(parts.first?.attributes == Fixtures.attributes(facility: "Corrected Facility"))
        }
    }

    @Test("Transfer's events for a batch before issuance's batch_issued: looked up without fields, then with them", arguments: TestDatabaseKind.allCases)
    func transferAheadOfIssuance(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            for event in Fixtures.registryEvents() { harness.registry.append(event) }
            harness.transfer.append(Fixtures.deposit(1, day: Self.depositDay))
            harness.transfer.append(Fixtures.transfer(2, day: Self.requestDay, state: .pending))
            try await harness.catchUp()
            var parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.map(\.status) == [.pendingTransfer, .active])
            #expect(parts.allSatisfy { $0.attributes == nil })

            harness.issuance.append(Fixtures.issuanceEvent(1, .batchIssued(Fixtures.batch())))
            try await harness.catchUp()
            parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.map(\.status) == [.pendingTransfer, .active])
            #expect(parts.allSatisfy { $0.attributes == Fixtures.attributes() })
        }
    }

    @Test("A deposit applied before the registry named its subaccount shows the holder once the registry feed arrives", arguments: TestDatabaseKind.allCases)
    func holderResolvedLater(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            harness.issuance.append(Fixtures.issuanceEvent(1, .batchIssued(Fixtures.batch())))
            harness.transfer.append(Fixtures.deposit(1, day: Self.depositDay))
            try await harness.catchUp()
            var parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.map { $0.holder?.organizationId ?? "-" } == [""])
            #expect(parts.map { $0.holder?.subaccountId ?? "-" } == [Fixtures.a1Active])

            for event in Fixtures.registryEvents() { harness.registry.append(event) }
            try await harness.catchUp()
            parts = try await harness.lookUp("\(Fixtures.batch)-1-100")
            #expect(parts.map(\.holder) == [Fixtures.holder("A1", Fixtures.a1Active, .active)])
        }
    }

    @Test("Unknown serials are NOT_FOUND naming them; malformed ones INVALID_ARGUMENT naming the field (§20, docs/API.md)", arguments: TestDatabaseKind.allCases)
    func unknownAndMalformed(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            publishThroughPendingTransfer(harness)
            try await harness.catchUp()

            var error = try await expectStatus(.notFound) { _ = try await harness.lookUp("99999-CA-124-1-1") }
            #expect(error.message.contains("99999-CA-124-1-1"))
            // Numbers beyond the batch: the missing part is named.
            error = try await expectStatus(.notFound) { _ = try await harness.lookUp("\(Fixtures.batch)-90-120") }
            #expect(error.message.contains("\(Fixtures.batch)-101-120"))
            // The batch number with another unit or state contradicts itself (§12.1): malformed,
            // not missing (issue 8), and the message names the batch's real identity.
            error = try await expectStatus(.invalidArgument) { _ = try await harness.lookUp("99999-OR-123-1-1") }
            #expect(error.message.contains("99999-OR-123-1-1") && error.message.contains("99999-CA-123"))

            error = try await expectStatus(.invalidArgument) { _ = try await harness.lookUp("\(Fixtures.batch)-0-5") }
            #expect(error.message.contains("serial_range"))
            error = try await expectStatus(.invalidArgument) { _ = try await harness.lookUp("\(Fixtures.batch)-5") }
            #expect(error.message.contains("serial_range"))
            error = try await expectStatus(.invalidArgument) {
                _ = try await harness.client.lookUpSerialNumbers(Recs_Reporting_V1_LookUpSerialNumbersRequest())
            }
            #expect(error.message.contains("serial_range"))
            // Text and parts that disagree.
            error = try await expectStatus(.invalidArgument) {
                var request = Recs_Reporting_V1_LookUpSerialNumbersRequest()
                var range = Fixtures.serialRange("\(Fixtures.batch)-1-5")
                range.generatingUnitId = "99999"
                range.stateOrProvince = "CA"
                range.batchNumber = 123
                range.first = 1
                range.last = 6
                request.serialRange = range
                _ = try await harness.client.lookUpSerialNumbers(request)
            }
            #expect(error.message.contains("serial_range"))

            // The parts alone are enough.
            var request = Recs_Reporting_V1_LookUpSerialNumbersRequest()
            var range = Recs_Common_V1_SerialRange()
            range.generatingUnitId = "99999"
            range.stateOrProvince = "ca"
            range.batchNumber = 123
            range.first = 41
            range.last = 41
            request.serialRange = range
            let response = try await harness.client.lookUpSerialNumbers(request)
            #expect(response.statuses.map { $0.serialRange?.text ?? "" } == ["\(Fixtures.batch)-41-41"])
            #expect(response.positions.count == 3)
        }
    }
}
