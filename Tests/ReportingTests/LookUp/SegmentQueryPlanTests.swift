import Domain
import ProtoMessages
@testable import ReportingCore
import Storage
import StorageTestSupport
import ServiceTestSupport
import Testing

/// Issue 8, item 1, for the look-up's read model (§20): placing a change and looking up a range
/// seek the segments they touch (the primary key), and the overlap guard checks neighbours only, so
/// a batch cut into thousands of segments costs no more than one cut into a few.
@Suite("certificate segments: index seeks only (SQLite and PostgreSQL)")
struct SegmentQueryPlanTests {
    static func batch(_ number: Int64) -> CertificateBatchIdentity {
        try! CertificateBatchIdentity(
            generatingUnit: GeneratingUnitID(parsing: "99999"), location: StateOrProvinceCode(parsing: "CA"), batchNumber: number)
    }

    static func placement(_ subaccount: String, at: Int64) -> CertificatePlacement {
        CertificatePlacement(
            organizationID: "A1", subaccountID: subaccount, subaccountKind: .active, status: .active, changedAtMilliseconds: at,
            reasons: [], lastEvent: "transfer:\(at)")
    }

    /// `batch` of `size` certificates placed whole, then every other serial of the first `2 * pieces`
    /// placed elsewhere: 2 × `pieces` segments and the rest.
    static func fragment(_ batch: Int64, size: Int64, pieces: Int64, _ database: any Database) async throws {
        try await database.transaction { sql in
            try CertificateSegments.place(
                CertificateSerialRange(batch: Self.batch(batch), numbers: CertificateNumberRange(first: 1, last: size)),
                placement("S1", at: 1), &sql)
            for serial in stride(from: Int64(2), through: pieces * 2, by: 2) {
                try CertificateSegments.place(
                    CertificateSerialRange(batch: Self.batch(batch), numbers: CertificateNumberRange(first: serial, last: serial)),
                    placement("S2", at: 2), &sql)
            }
        }
    }

    /// A change near the end of the batch, and a look-up of a range there.
    static func changeAndLookUp(_ batch: Int64, size: Int64, _ database: any Database) async throws {
        try await database.transaction { sql in
            try CertificateSegments.place(
                CertificateSerialRange(batch: Self.batch(batch), numbers: CertificateNumberRange(first: size - 5, last: size - 3)),
                placement("S3", at: 3), &sql)
            let found = try CertificateSegments.segments(batch: batch, first: size - 10, last: size, &sql)
            // Whole segments, the first reaching into the range from below.
            #expect(found.count == 3)
            #expect(found.first.map { $0.range.numbers.first <= size - 10 && $0.range.numbers.last == size - 6 } == true)
            #expect(found.dropFirst().map(\.range.numbers.description) == ["\(size - 5)-\(size - 3)", "\(size - 2)-\(size)"])
        }
    }

    @Test("§20: placing a change and looking up a range scan no table, nor does the overlap guard", arguments: TestDatabaseKind.allCases)
    func noScans(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await test.database.migrate(ReportingSchema.migrations)
            try await Self.fragment(1, size: 200, pieces: 50, test.database)
            let log = StatementLog()
            test.database.recordStatements(into: log)
            try await Self.changeAndLookUp(1, size: 200, test.database)
            test.database.recordStatements(into: nil)
            #expect(log.recorded.contains { $0.sql.contains("FROM certificate_segments") })
            let scans = try await QueryPlans.scans(of: log.recorded, in: test.database)
            #expect(scans.isEmpty, "full scans:\n\(scans.map(\.description).joined(separator: "\n"))")
        }
    }

    @Test("§20: a change and a look-up do the same work on 4,000 segments as on 40")
    func flatCost() async throws {
        try await withTestDatabase(.sqlite) { test in
            try await test.database.migrate(ReportingSchema.migrations)
            var steps: [Int64] = []
            for (batch, pieces) in [(Int64(1), Int64(20)), (Int64(2), Int64(2_000))] {
                let size = pieces * 2 + 100
                try await Self.fragment(batch, size: size, pieces: pieces, test.database)
                let log = StatementLog()
                test.database.recordStatements(into: log)
                try await Self.changeAndLookUp(batch, size: size, test.database)
                test.database.recordStatements(into: nil)
                steps.append(log.steps)
            }
            #expect(steps[0] > 0)
            #expect(steps[1] <= steps[0] + steps[0] / 4, "\(steps[0]) steps on 40 segments, \(steps[1]) on 4,000")
        }
    }
}
