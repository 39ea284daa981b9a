import Domain
import ProtoMessages
@testable import ReportingCore
import Testing

/// The range arithmetic of the segments table, without a database: a change splits what it cuts,
/// alike neighbours merge, and no certificate appears or vanishes.
@Suite("certificate segments")
struct CertificateSegmentTests {
    static let batch = try! CertificateBatchIdentity(
        generatingUnit: GeneratingUnitID(parsing: "99999"), location: StateOrProvinceCode(parsing: "CA"), batchNumber: 123)

    func segment(_ first: Int64, _ last: Int64, _ subaccount: String, _ status: Recs_Common_V1_CertificateStatus, at: Int64) throws -> CertificateSegment {
        CertificateSegment(
            range: CertificateSerialRange(batch: Self.batch, numbers: try CertificateNumberRange(first: first, last: last)),
            placement: CertificatePlacement(
                organizationID: "A1", subaccountID: subaccount, subaccountKind: .active, status: status, changedAtMilliseconds: at, reasons: [],
                lastEvent: "transfer:\(at)"))
    }

    func shape(_ segments: [CertificateSegment]) -> [String] {
        segments.map { "\($0.range.numbers) \($0.placement.subaccountID) \($0.placement.status)" }
    }

    @Test("A change in the middle splits the segment in three")
    func splitsMiddle() throws {
        let result = try CertificateSegments.merged(
            rewriting: [try segment(1, 100, "S1", .active, at: 1)], with: try segment(41, 50, "S1", .retired, at: 2))
        #expect(shape(result) == ["1-40 S1 active", "41-50 S1 retired", "51-100 S1 active"])
        #expect(result.map(\.range.quantity).reduce(0, +) == 100)
    }

    @Test("A change across two segments replaces both parts and keeps the rest")
    func acrossSegments() throws {
        let result = try CertificateSegments.merged(
            rewriting: [try segment(1, 40, "S1", .pendingTransfer, at: 2), try segment(41, 100, "S1", .active, at: 1)],
            with: try segment(30, 60, "S2", .active, at: 3))
        #expect(shape(result) == ["1-29 S1 pendingTransfer", "30-60 S2 active", "61-100 S1 active"])
    }

    @Test("Releasing a transfer joins the part with its alike neighbour; different dates stay apart")
    func merges() throws {
        let released = try CertificateSegments.merged(
            rewriting: [try segment(1, 40, "S1", .pendingTransfer, at: 2), try segment(41, 100, "S1", .active, at: 2)],
            with: try segment(1, 40, "S1", .active, at: 2))
        #expect(shape(released) == ["1-100 S1 active"])
        #expect(released.first?.placement.lastEvent == "transfer:2")
        let later = try CertificateSegments.merged(
            rewriting: [try segment(1, 40, "S1", .pendingTransfer, at: 2), try segment(41, 100, "S1", .active, at: 1)],
            with: try segment(1, 40, "S1", .active, at: 3))
        #expect(shape(later) == ["1-40 S1 active", "41-100 S1 active"])
    }
}
