import GRPCWire
import ProtoMessages
import ReportingCore
import ServiceTestSupport
import StorageTestSupport
import Testing

/// Issue 8: a range can cut into any number of parts; the look-up answers them in pages keyed by
/// certificate number, which cover the range exactly once.
@Suite("serial number look-up in pages")
struct LookUpPagingTests {
    /// A batch of 100 deposited to A1, every odd certificate then requested for export: 100 parts.
    static func publishHundredParts(_ harness: Harness) {
        for event in Fixtures.registryEvents() { harness.registry.append(event) }
        harness.issuance.append(Fixtures.issuanceEvent(1, .batchIssued(Fixtures.batch())))
        harness.transfer.append(Fixtures.deposit(1, day: 1))
        for (index, number) in stride(from: 1, through: 99, by: 2).enumerated() {
            harness.transfer.append(Fixtures.export(Int64(index + 2), day: 2, "\(Fixtures.batch)-\(number)-\(number)", kind: .exportRequested))
        }
    }

    static func request(_ text: String, size: Int32 = 0, token: String = "") -> Recs_Reporting_V1_LookUpSerialNumbersRequest {
        var request = Recs_Reporting_V1_LookUpSerialNumbersRequest()
        request.serialRange = Fixtures.serialRange(text)
        var page = Recs_Common_V1_PageRequest()
        (page.pageSize, page.pageToken) = (size, token)
        request.page = page
        return request
    }

    @Test("Pages of any size partition the range: every certificate once, parts in order", arguments: TestDatabaseKind.allCases)
    func pagesPartitionTheRange(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            Self.publishHundredParts(harness)
            try await harness.catchUp()
            for (text, first, last) in [("\(Fixtures.batch)-1-100", Int64(1), Int64(100)), ("\(Fixtures.batch)-10-95", 10, 95)] {
                for size: Int32 in [1, 7, 30, 100, 1_000] {
                    var statuses: [Recs_Reporting_V1_SerialNumberStatus] = []
                    var token = ""
                    var pages = 0
                    repeat {
                        let response = try await harness.client.lookUpSerialNumbers(Self.request(text, size: size, token: token))
                        #expect(!response.statuses.isEmpty && response.statuses.count <= Int(size))
                        #expect(response.positions.count == 3)
                        statuses += response.statuses
                        token = response.page?.nextPageToken ?? ""
                        if !token.isEmpty { #expect(token == String(response.statuses.last?.serialRange?.last ?? 0)) }
                        pages += 1
                    } while !token.isEmpty && pages <= 200
                    let parts = Int(last - first + 1)
                    #expect(pages == (parts + Int(size) - 1) / Int(size), "\(text) in pages of \(size)")
                    // Consecutive, one certificate per part, alternating exactly as the feeds placed them.
                    #expect(statuses.map { $0.serialRange?.first ?? 0 } == Array(first...last), "\(text) in pages of \(size)")
                    #expect(statuses.allSatisfy { $0.serialRange?.first == $0.serialRange?.last })
                    #expect(statuses.allSatisfy { ($0.serialRange!.first % 2 == 1) == ($0.status == .exportPending) })
                }
            }
            // The default page holds 100 parts: the whole batch in one answer.
            let whole = try await harness.client.lookUpSerialNumbers(Self.request("\(Fixtures.batch)-1-100"))
            #expect(whole.statuses.count == 100 && (whole.page?.nextPageToken ?? "").isEmpty)
        }
    }

    @Test("Page tokens this method did not return for the range are INVALID_ARGUMENT naming the field", arguments: TestDatabaseKind.allCases)
    func malformedTokensAreRefused(kind: TestDatabaseKind) async throws {
        try await withReporting(kind) { harness in
            Self.publishHundredParts(harness)
            try await harness.catchUp()
            // Not a number, not canonical, before the range, at or past its end.
            for token in ["x", "-3", "07", "9", "60", "61", "1000"] {
                let error = try await expectStatus(.invalidArgument) {
                    _ = try await harness.client.lookUpSerialNumbers(Self.request("\(Fixtures.batch)-10-60", token: token))
                }
                #expect(error.message.contains("page.page_token"), "\(token): \(error.message)")
            }
            let error = try await expectStatus(.invalidArgument) {
                _ = try await harness.client.lookUpSerialNumbers(Self.request("\(Fixtures.batch)-10-60", size: -1))
            }
            #expect(error.message.contains("page.page_size"))
            // Numbers beyond the batch are NOT_FOUND on the first page already, naming them.
            let missing = try await expectStatus(.notFound) {
                _ = try await harness.client.lookUpSerialNumbers(Self.request("\(Fixtures.batch)-1-120", size: 5))
            }
            #expect(missing.message.contains("\(Fixtures.batch)-101-120"))
        }
    }
}
