import Domain
import GRPCWire
import IssuanceCore
import ProtoMessages
import ProtoServices
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// Issue 8: every line's outcome of an upload reaches the client, however many lines: the response
/// carries the first page of the stored report, GetGenerationUpload the rest, by line number; a
/// file rejected as a whole keeps its report too, named in the error details.
@Suite("Upload reports in pages")
struct UploadReportPagingTests {
    /// Every record of an upload's report, read page by page after `first` (empty: from the start).
    static func remainingRecords(
        _ client: Recs_Issuance_V1_IssuanceServiceClient, uploadID: String, after first: String, pageSize: Int32 = 0
    ) async throws -> (records: [Recs_Issuance_V1_GenerationRecordResult], pages: Int, summary: Recs_Issuance_V1_GenerationUpload?) {
        var records: [Recs_Issuance_V1_GenerationRecordResult] = []
        var token = first
        var pages = 0
        var summary: Recs_Issuance_V1_GenerationUpload?
        repeat {
            var request = Recs_Issuance_V1_GetGenerationUploadRequest()
            request.uploadId = uploadID
            var page = Recs_Common_V1_PageRequest()
            (page.pageSize, page.pageToken) = (pageSize, token)
            request.recordsPage = page
            let response = try await client.getGenerationUpload(request)
            summary = response.upload
            records += response.upload?.records ?? []
            token = response.recordsPage?.nextPageToken ?? ""
            pages += 1
            #expect(pages <= 10_000, "the pages end")
        } while !token.isEmpty && pages <= 10_000
        return (records, pages, summary)
    }

    @Test(
        "A file rejected with 3,000 bad lines: nothing posted, the trailers name the stored report, and its pages give every bad line once",
        arguments: TestDatabaseKind.allCases)
    func rejectedFileReportIsReadInPages(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            let good = "QRE-7,01/2026,01/01/2026,01/31/2026,10"
            let bad = (1...3_000).map { "QRE-7,13/2026,02/01/2026,02/\($0 % 28 + 1)/2026,1" }
            let request = Requests.upload("rejected-3000", lines: [good] + bad)
            let error = try await expectStatus(.invalidArgument) { _ = try await h.client.uploadGenerationFile(request) }
            let details = try errorDetails(error)
            #expect(details.reason == "GENERATION_FILE_REJECTED" && details.truncated)
            let reportID = details.reportId
            #expect(!reportID.isEmpty)
            #expect(error.message.contains("report \(reportID)"), "\(error.message)")

            let (records, pages, summary) = try await Self.remainingRecords(h.client, uploadID: reportID, after: "")
            #expect(pages == 30, "3,000 lines in pages of the default 100")
            #expect(records.map(\.line) == Array(3...3_002).map(Int32.init), "every bad line once, in order; the good line 2 is not listed")
            #expect(records.allSatisfy { record in
                record.outcome == .rejected && !record.violations.isEmpty && record.violations.allSatisfy { $0.line == record.line }
            })
            #expect(records.first?.violations.contains { $0.code == UInt32(RuleViolation.Code.vintageMalformed.rawValue) } == true)
            #expect(records.flatMap(\.violations).count == Int(details.violationCount), "the report holds every violation the trailers counted")
            #expect(summary?.outcome == .fileRejected && summary?.recordCount == 3_000 && summary?.rejectedCount == 3_000)
            #expect(summary?.postedCount == 0 && summary?.reporterOrganizationId == "A2" && summary?.fileName == "generation.csv")

            // Nothing of the file was applied: no event, nothing on the log.
            #expect(try await h.client.allEvents().isEmpty)
            #expect(try await h.client.getGenerationActivityLog(Requests.log("W1")).entries.isEmpty)
            // The refusal is recorded with its report: a retry names the same one and stores nothing more.
            let again = try await expectStatus(.invalidArgument) { _ = try await h.client.uploadGenerationFile(request) }
            #expect(try errorDetails(again).reportId == reportID && again.message == error.message)
        }
    }

    @Test(
        "A processed file's first page comes with the response; pages of any size partition the report exactly",
        arguments: TestDatabaseKind.allCases)
    func processedReportPartitionsExactly(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            // Line 2 is posted; lines 3-251 name units A2 does not report for (Table 27): rejected records.
            let lines = ["QRE-7,01/2026,01/01/2026,01/31/2026,10"] + (1...249).map { "QRE-X\($0),01/2026,01/01/2026,01/31/2026,1" }
            let response = try await h.client.uploadGenerationFile(Requests.upload("processed-250", lines: lines))
            let upload = try #require(response.upload)
            #expect(upload.outcome == .processed && upload.recordCount == 250)
            #expect(upload.postedCount == 1 && upload.rejectedCount == 249)
            #expect(upload.records.map(\.line) == Array(2...101).map(Int32.init), "the first page, of the default size")
            let token = try #require(response.recordsPage?.nextPageToken)
            #expect(token == "101")

            let rest = try await Self.remainingRecords(h.client, uploadID: upload.uploadId, after: token)
            #expect((upload.records + rest.records).map(\.line) == Array(2...251).map(Int32.init))
            for size: Int32 in [1, 7, 100, 249, 250, 1_000] {
                let all = try await Self.remainingRecords(h.client, uploadID: upload.uploadId, after: "", pageSize: size)
                #expect(all.records.map(\.line) == Array(2...251).map(Int32.init), "page size \(size)")
                #expect(all.pages == (250 + Int(size) - 1) / Int(size), "page size \(size)")
            }
            // What the response answered is what the stored report says, field by field.
            let stored = try await Self.remainingRecords(h.client, uploadID: upload.uploadId, after: "", pageSize: 100)
            #expect(Array(stored.records.prefix(100)) == upload.records)
            // The event carries the summary; each posted record has its own event.
            let events = try await h.client.allEvents()
            let summaries = events.compactMap { event -> Recs_Issuance_V1_GenerationUpload? in
                if case .generationUpload(let upload) = event.payload { upload } else { nil }
            }
            #expect(summaries.count == 1 && summaries.first?.records.isEmpty == true && summaries.first?.recordCount == 250)
        }
    }

    @Test("Migration 0007 moves a report stored whole in an earlier upload's record to its rows", arguments: TestDatabaseKind.allCases)
    func earlierReportsMove(kind: TestDatabaseKind) async throws {
        var upload = Recs_Issuance_V1_GenerationUpload()
        (upload.uploadId, upload.reporterOrganizationId, upload.fileName) = ("U1", "A2", "old.csv")
        upload.records = (2...151).map { line in
            var record = Recs_Issuance_V1_GenerationRecordResult()
            record.line = Int32(line)
            record.reportingEntityUnitId = "QRE-\(line)"
            record.outcome = line % 2 == 0 ? .posted : .rejected
            var vintage = Recs_Common_V1_Vintage()
            (vintage.year, vintage.month) = (2025, 12)
            record.vintage = vintage
            var energy = Recs_Common_V1_MegawattHours()
            energy.kilowattHours = Int64(line) * 1_000
            record.energy = energy
            var feasibility = Recs_Issuance_V1_FeasibilityAssessment()
            (feasibility.feasible, feasibility.hours, feasibility.nameplateCapacityWatts) = (true, 744, 2_000_000)
            record.feasibility = feasibility
            if record.outcome == .rejected {
                var violation = Recs_Common_V1_RuleViolation()
                (violation.code, violation.message, violation.section, violation.line, violation.field) =
                    (904, "not the designated reporting entity", "Appendix D Table 27", Int32(line), "UNITID")
                record.violations = [violation, violation]
            } else {
                record.postedGenerationId = "G\(line)"
            }
            return record
        }
        (upload.postedCount, upload.rejectedCount) = (75, 75)
        let stored = upload
        try await withIssuance(kind, prepare: { database in
            try await database.migrate(IssuanceSchema.migrations.prefix { $0.name != "0007-issuance-upload-reports" })
            try await database.transaction { sql in
                try sql.execute(
                    "INSERT INTO uploads (upload_id, reporter_organization_id, received_at_unix_ms, record) VALUES ($1, $2, $3, $4)",
                    .text("U1"), .text("A2"), .int64(1_000), .bytes(stored.protobufBytes()))
            }
        }) { h in
            let read = try await Self.remainingRecords(h.client, uploadID: "U1", after: "", pageSize: 40)
            #expect(read.records == stored.records, "every record, field by field, in four pages")
            #expect(read.pages == 4)
            #expect(read.summary?.outcome == .processed && read.summary?.recordCount == 150 && read.summary?.postedCount == 75)
        }
    }

    @Test("Page tokens this method did not return are INVALID_ARGUMENT naming the field", arguments: TestDatabaseKind.allCases)
    func malformedTokensAreRefused(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            let upload = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("one", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,1"])).upload)
            for token in ["x", "-1", "01", "1.5", " 2", "99999999999999999999"] {
                var request = Recs_Issuance_V1_GetGenerationUploadRequest()
                request.uploadId = upload.uploadId
                var page = Recs_Common_V1_PageRequest()
                page.pageToken = token
                request.recordsPage = page
                let error = try await expectStatus(.invalidArgument) { _ = try await h.client.getGenerationUpload(request) }
                #expect(error.message.contains("records_page.page_token"), "\(token): \(error.message)")
            }
            var request = Recs_Issuance_V1_GetGenerationUploadRequest()
            request.uploadId = upload.uploadId
            var page = Recs_Common_V1_PageRequest()
            page.pageSize = -1
            request.recordsPage = page
            let error = try await expectStatus(.invalidArgument) { _ = try await h.client.getGenerationUpload(request) }
            #expect(error.message.contains("records_page.page_size"))
            // A token past the end is a well-formed key: an empty last page.
            page = Recs_Common_V1_PageRequest()
            page.pageToken = "500"
            request.recordsPage = page
            let past = try await h.client.getGenerationUpload(request)
            #expect(past.upload?.records.isEmpty == true && (past.recordsPage?.nextPageToken ?? "").isEmpty)
        }
    }
}
