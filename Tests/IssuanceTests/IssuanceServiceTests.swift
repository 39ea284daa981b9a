import Domain
import GRPCWire
import IssuanceCore
import ProtoMessages
import ProtoServices
import StorageTestSupport
import ServiceKit
import ServiceTestSupport
import Testing

/// IssuanceService end to end: in-process server, generated client, fake registry feed and fake
/// transfer, on SQLite and on PostgreSQL (when RECS_TEST_POSTGRES_URL is set). Sections are the
/// WREGIS Operating Rules unless marked.
@Suite("IssuanceService")
struct IssuanceServiceTests {
    static func code(_ code: RuleViolation.Code) -> UInt32 { UInt32(code.rawValue) }

    @Test(
        "§12.2-§12.6, §14.2: upload → log → cycle; whole MWh become a batch, the fraction rolls forward, the batch is deposited",
        arguments: TestDatabaseKind.allCases)
    func uploadThenCycleIssuesWholeMegawattHours(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            let january = try await h.client.uploadGenerationFile(
                Requests.upload("upload-jan", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,10.5"])
            ).upload
            let record = try #require(january?.records.first)
            #expect(record.outcome == .posted)
            #expect(record.generatingUnitId == "W1" && record.line == 2)
            #expect(record.energy?.kilowattHours == 10_500)
            #expect(record.feasibility?.feasible == true)
            // Appendix D §6.1: 2 MW × 0.25 × 744 h × 1.02 = 379.44 MWh.
            #expect(record.feasibility?.maximum?.kilowattHours == 379_440)
            #expect(january?.postedCount == 1 && january?.rejectedCount == 0)

            var log = try await h.client.getGenerationActivityLog(Requests.log("W1"))
            #expect(log.balance?.kilowattHours == 10_500)
            #expect(log.entries.map(\.kind) == [.postedGeneration])

            let first = try #require(try await h.client.runIssuanceCycle(Requests.cycle("cycle-jan", year: 2026, month: 1)).cycle)
            #expect(first.state == .completed)
            #expect(first.certificatesIssued == 10 && first.batchCount == 1)
            let unit = try #require(first.units.first)
            #expect(unit.generatingUnitId == "W1" && unit.outcome == .issued)
            #expect(unit.certificates == 10 && unit.batchNumbers == [1])
            #expect(unit.carriedForward?.kilowattHours == 500)
            #expect(unit.deposited)
            // §12.2: the cycle date is 90 days after the end of the month.
            #expect(first.cycleDate?.year == 2026 && first.cycleDate?.month == 5 && first.cycleDate?.day == 1)

            let batch = try #require(try await h.client.batch(1))
            #expect(batch.quantity == 10)
            // ADR 0002: unit-state-batch-first-last.
            #expect(batch.serialRange?.text == "W1-CA-1-1-10")
            #expect(batch.serialRange?.first == 1 && batch.serialRange?.last == 10)
            #expect(batch.attributes?.generatingUnitId == "W1" && batch.attributes?.stateOrProvince == "CA")
            #expect(batch.attributes?.fuelTypeCode == "SO1" && batch.attributes?.vintage?.month == 1)
            #expect(batch.attributes?.createdOn?.day == 5 && batch.attributes?.generatingUnitName == "Sunny Acres W1")

            // §14.2: into the unit's Active subaccount, with a request id derived from the batch.
            let deposit = try #require(h.depositor.calls.first)
            #expect(deposit.requestId == "deposit:1")
            #expect(deposit.organizationId == "A1" && deposit.depositSubaccountId == "1234ABCD-55ZZ")
            #expect(deposit.batch == batch && deposit.sourceId == first.issuanceCycleId)

            // February: 0.7 MWh + the 0.5 carried = 1 certificate, 0.2 carried (11 in all).
            _ = try await h.client.uploadGenerationFile(
                Requests.upload("upload-feb", lines: ["QRE-7,02/2026,02/01/2026,02/28/2026,0.7"]))
            let second = try #require(try await h.client.runIssuanceCycle(Requests.cycle("cycle-feb", year: 2026, month: 2)).cycle)
            #expect(second.issuanceCycleId != first.issuanceCycleId)
            #expect(second.units.first?.certificates == 1)
            #expect(second.units.first?.carriedForward?.kilowattHours == 200)
            #expect(try await h.client.batch(2)?.serialRange?.text == "W1-CA-2-1-1")
            #expect(h.depositor.deposited.values.map(\.quantity).reduce(0, +) == 11)

            log = try await h.client.getGenerationActivityLog(Requests.log("W1"))
            #expect(log.balance?.kilowattHours == 200)
            #expect(
                log.entries.map(\.kind) == [
                    .postedGeneration, .certificatesCreated, .balanceForward, .postedGeneration, .certificatesCreated, .balanceForward,
                ])
            #expect(log.entries.map { $0.energy?.kilowattHours ?? 0 } == [10_500, -10_000, 500, 700, -1_000, 200])
            #expect(log.entries.last?.balanceAfter?.kilowattHours == 200)
        }
    }

    @Test(
        "issue 8: a file with a thousand bad lines still answers: the trailers hold the first violations and say how many there are",
        arguments: TestDatabaseKind.allCases)
    func manyBadLinesFitTheTrailers(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            let lines = (1...1_000).map { _ in "QRE-7,13/2026,02/01/2026,02/28/2026,1" }
            let error = try await expectStatus(.invalidArgument) {
                _ = try await h.client.uploadGenerationFile(Requests.upload("many-bad-lines", lines: lines))
            }
            let details = try errorDetails(error)
            #expect(details.reason == "GENERATION_FILE_REJECTED")
            #expect(details.truncated && details.violationCount == 1_000)
            #expect(!details.violations.isEmpty && details.violations.count < 1_000)
            #expect(details.violations.first?.line == 2, "the first bad lines, in order")
            #expect(details.protobufBytes().count <= ServiceErrors.detailsBytesMax)
            #expect(error.message.count <= ServiceErrors.messageCharactersMax)
            #expect(error.message.contains("and 980 more"), "\(error.message)")
        }
    }

    @Test("Appendix D §4-§5: bad lines reject the whole file, each reported with its line; nothing is posted",
        arguments: TestDatabaseKind.allCases)
    func badLinesRejectTheFile(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            let error = try await expectStatus(.invalidArgument) {
                _ = try await h.client.uploadGenerationFile(
                    Requests.upload(
                        "bad-lines",
                        lines: [
                            "QRE-7,01/2026,01/01/2026,01/31/2026,10.5",
                            "QRE-7,13/2026,02/01/2026,02/28/2026,1",
                            "QRE-7,03/2026,03/01/2026,03/31/2026,abc",
                        ]))
            }
            let details = try errorDetails(error)
            #expect(details.reason == "GENERATION_FILE_REJECTED")
            #expect(Set(details.violations.map(\.line)) == [3, 4])
            #expect(details.violations.contains { $0.line == 3 && $0.code == Self.code(.vintageMalformed) })
            #expect(details.violations.contains { $0.line == 4 && $0.code == Self.code(.energyMalformed) })
            #expect(error.message.contains("line(s) 3, 4"))
            // The good line 2 was not posted either.
            #expect(try await h.client.allEvents().isEmpty)
            #expect(try await h.client.getGenerationActivityLog(Requests.log("W1")).entries.isEmpty)

            // Appendix D §4: a nonconforming header is fatal.
            let header = try await expectStatus(.invalidArgument) {
                _ = try await h.client.uploadGenerationFile(
                    Requests.upload("bad-header", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,1"], header: "UNIT,Vintage,Begin,End,MWh"))
            }
            #expect(try errorDetails(header).violations.first?.code == Self.code(.headerNonconforming))
            #expect(try errorDetails(header).violations.first?.line == 1)
            #expect(try await h.client.allEvents().isEmpty)
        }
    }

    @Test("Appendix D §6.1 Table 27: a reporter that is not the unit's designated QRE has the record rejected; a program administrator may not upload",
        arguments: TestDatabaseKind.allCases)
    func wrongReporterIsRefused(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", qre: "A2", reportedAs: "QRE-7")
            let upload = try #require(
                try await h.client.uploadGenerationFile(
                    Requests.upload("wrong-qre", reporter: "A3", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,10"])
                ).upload)
            let record = try #require(upload.records.first)
            #expect(record.outcome == .rejected)
            #expect(record.generatingUnitId.isEmpty)
            #expect(record.violations.first?.code == Self.code(.wrongParty))
            #expect(record.violations.first?.section.contains("Table 27") == true)
            #expect(upload.postedCount == 0 && upload.rejectedCount == 1)
            #expect(try await h.client.getGenerationActivityLog(Requests.log("W1")).entries.isEmpty)

            // Appendix D §6.1: only QREs, self-reporting account holders and the administrator load files.
            let denied = try await expectStatus(.permissionDenied) {
                _ = try await h.client.uploadGenerationFile(
                    Requests.upload("program-admin", reporter: "A4", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,10"]))
            }
            #expect(try errorDetails(denied).violations.first?.code == Self.code(.wrongParty))
            try await expectStatus(.notFound) {
                _ = try await h.client.uploadGenerationFile(
                    Requests.upload("unknown-org", reporter: "A99", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,10"]))
            }
        }
    }

    @Test("§5.3, §5.3.1: generation for a unit not yet approved is rejected", arguments: TestDatabaseKind.allCases)
    func unapprovedUnitIsRejected(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", status: .registered, reportedAs: "QRE-7")
            let record = try #require(
                try await h.client.uploadGenerationFile(
                    Requests.upload("unapproved", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,10"])
                ).upload?.records.first)
            #expect(record.outcome == .rejected && record.generatingUnitId == "W1")
            #expect(record.violations.first?.section.contains("§5.3.1") == true)
        }
    }

    @Test("Appendix D Table 27: a gap and an overlap with the previous period are rejected with distinct messages; Table 26 rule 2 reloads",
        arguments: TestDatabaseKind.allCases)
    func gapAndOverlapAreRejected(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            _ = try await h.client.uploadGenerationFile(Requests.upload("jan", lines: ["QRE-7,01/2026,01/01/2026,01/20/2026,5"]))
            let gap = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("gap", lines: ["QRE-7,01/2026,01/22/2026,01/31/2026,5"]))
                    .upload?.records.first)
            #expect(gap.outcome == .rejected && gap.violations.first?.code == Self.code(.periodGap))
            let overlap = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("overlap", lines: ["QRE-7,01/2026,01/20/2026,01/31/2026,5"]))
                    .upload?.records.first)
            #expect(overlap.outcome == .rejected && overlap.violations.first?.code == Self.code(.periodOverlap))
            #expect(gap.violations.first?.message.hasPrefix("gap") == true)
            #expect(overlap.violations.first?.message.hasPrefix("overlap") == true)

            // Table 26 rule 2: the same period again replaces "WREGIS Accepted" data.
            let reload = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("reload", lines: ["QRE-7,01/2026,01/01/2026,01/20/2026,7.25"]))
                    .upload?.records.first)
            #expect(reload.outcome == .posted && reload.reloadRule == 2)
            let log = try await h.client.getGenerationActivityLog(Requests.log("W1"))
            #expect(log.balance?.kilowattHours == 7_250)
            let cycle = try await h.client.runIssuanceCycle(Requests.cycle("cycle", year: 2026, month: 1)).cycle
            #expect(cycle?.certificatesIssued == 7)
            #expect(cycle?.units.first?.carriedForward?.kilowattHours == 250)
            // Issued data cannot be reloaded: a correction is a prior period adjustment (§9.4.2).
            let late = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("late", lines: ["QRE-7,01/2026,01/01/2026,01/20/2026,9"]))
                    .upload?.records.first)
            #expect(late.outcome == .rejected)
        }
    }

    @Test("Appendix D §6.1, §9.5: generation above the engineering estimate is posted pending (or skipped) and not issued",
        arguments: TestDatabaseKind.allCases)
    func infeasibleGenerationIsHeld(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            h.registry.unit("W2", reportedAs: "QRE-8")
            let upload = try #require(
                try await h.client.uploadGenerationFile(
                    Requests.upload(
                        "infeasible",
                        lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,379.44", "QRE-8,01/2026,01/01/2026,01/31/2026,379.441"])
                ).upload)
            #expect(upload.records.map(\.outcome) == [.posted, .postedPendingFeasibility])
            #expect(upload.records[1].feasibility?.feasible == false)
            let cycle = try #require(try await h.client.runIssuanceCycle(Requests.cycle("cycle", year: 2026, month: 1)).cycle)
            #expect(cycle.units.map(\.generatingUnitId) == ["W1", "W2"])
            #expect(cycle.units.map(\.outcome) == [.issued, .noAcceptedGeneration])
            #expect(cycle.certificatesIssued == 379)
            #expect(try await h.client.getGenerationActivityLog(Requests.log("W2")).balance?.kilowattHours == 379_441)

            // "cancel" (Appendix D §6.1): the record is not posted.
            h.registry.unit("W3", reportedAs: "QRE-9")
            let skipped = try #require(
                try await h.client.uploadGenerationFile(
                    Requests.upload("skip", lines: ["QRE-9,01/2026,01/01/2026,01/31/2026,500"], onFeasibilityWarning: .skipRecord)
                ).upload?.records.first)
            #expect(skipped.outcome == .skippedFeasibility && skipped.postedGenerationId.isEmpty)
            #expect(try await h.client.getGenerationActivityLog(Requests.log("W3")).entries.isEmpty)
        }
    }

    @Test("Idempotency: a retry returns the first response; the same id with another request is ALREADY_EXISTS",
        arguments: TestDatabaseKind.allCases)
    func retriesAreIdempotent(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            let request = Requests.upload("same", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,3"])
            let first = try await h.client.uploadGenerationFile(request)
            let eventCount = try await h.client.allEvents().count
            #expect(try await h.client.uploadGenerationFile(request) == first)
            #expect(try await h.client.allEvents().count == eventCount)
            let reused = try await expectStatus(.alreadyExists) {
                _ = try await h.client.uploadGenerationFile(Requests.upload("same", lines: ["QRE-7,02/2026,02/01/2026,02/28/2026,3"]))
            }
            #expect(try errorDetails(reused).reason == "REQUEST_ID_REUSED")
            // A rule failure is recorded too: the retry answers the same status.
            let bad = Requests.upload("bad", lines: ["QRE-7,1/2026,01/01/2026,01/31/2026,3"])
            let once = try await expectStatus(.invalidArgument) { _ = try await h.client.uploadGenerationFile(bad) }
            let twice = try await expectStatus(.invalidArgument) { _ = try await h.client.uploadGenerationFile(bad) }
            #expect(once.message == twice.message)
            try await expectStatus(.invalidArgument) {
                _ = try await h.client.uploadGenerationFile(Requests.upload("", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,3"]))
            }

            let cycle = Requests.cycle("cycle", year: 2026, month: 1)
            let issued = try await h.client.runIssuanceCycle(cycle)
            #expect(try await h.client.runIssuanceCycle(cycle) == issued)
            try await expectStatus(.alreadyExists) {
                _ = try await h.client.runIssuanceCycle(Requests.cycle("cycle", year: 2026, month: 2))
            }
        }
    }

    @Test("§12.2, exactly once: running a vintage's cycle again issues nothing twice but issues generation posted since",
        arguments: TestDatabaseKind.allCases)
    func cycleRunTwiceIssuesOnce(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            h.registry.unit("W2", reportedAs: "QRE-8")
            _ = try await h.client.uploadGenerationFile(Requests.upload("w1", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,4"]))
            let first = try await h.client.runIssuanceCycle(Requests.cycle("run-1", year: 2026, month: 1))
            #expect(first.alreadyCompleted == false && first.cycle?.certificatesIssued == 4)

            let again = try await h.client.runIssuanceCycle(Requests.cycle("run-2", year: 2026, month: 1))
            #expect(again.alreadyCompleted)
            #expect(again.cycle?.issuanceCycleId == first.cycle?.issuanceCycleId)
            #expect(again.cycle?.certificatesIssued == 4 && again.cycle?.batchCount == 1)

            _ = try await h.client.uploadGenerationFile(Requests.upload("w2", lines: ["QRE-8,01/2026,01/01/2026,01/31/2026,2.5"]))
            let third = try await h.client.runIssuanceCycle(Requests.cycle("run-3", year: 2026, month: 1))
            #expect(third.alreadyCompleted == false)
            #expect(third.cycle?.issuanceCycleId == first.cycle?.issuanceCycleId)
            #expect(third.cycle?.certificatesIssued == 6 && third.cycle?.batchCount == 2)
            #expect(third.cycle?.units.map(\.batchNumbers) == [[1], [2]])

            _ = try await h.client.runIssuanceCycle(Requests.cycle("run-feb", year: 2026, month: 2))
            let cycles = try await h.client.listIssuanceCycles(Recs_Issuance_V1_ListIssuanceCyclesRequest()).cycles
            #expect(cycles.map { $0.vintage?.month ?? 0 } == [1, 2])
            #expect(cycles.allSatisfy { $0.units.isEmpty })

            var list = Recs_Issuance_V1_ListCertificateBatchesRequest()
            list.issuanceCycleId = first.cycle?.issuanceCycleId ?? ""
            #expect(try await h.client.listCertificateBatches(list).batches.map(\.quantity) == [4, 2])
            #expect(h.depositor.calls.map(\.requestId) == ["deposit:1", "deposit:2"])
        }
    }

    @Test("§14.2: with transfer down the cycle succeeds undeposited; later runs deposit each batch exactly once",
        arguments: TestDatabaseKind.allCases)
    func depositFailureThenSuccess(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            _ = try await h.client.uploadGenerationFile(Requests.upload("w1", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,12"]))
            h.depositor.failing = true
            let request = Requests.cycle("cycle", year: 2026, month: 1)
            let failed = try await h.client.runIssuanceCycle(request)
            #expect(failed.cycle?.certificatesIssued == 12)
            #expect(failed.cycle?.units.first?.deposited == false)
            #expect(h.depositor.deposited.isEmpty)
            // A retry while transfer is still down: the same cycle, still outstanding.
            let retried = try await h.client.runIssuanceCycle(request)
            #expect(retried.cycle?.issuanceCycleId == failed.cycle?.issuanceCycleId)
            #expect(retried.cycle?.units.first?.deposited == false)

            h.depositor.failing = false
            // The retry with the same request id reads the deposit state fresh.
            let recovered = try await h.client.runIssuanceCycle(request)
            #expect(recovered.cycle?.issuanceCycleId == failed.cycle?.issuanceCycleId)
            #expect(recovered.cycle?.units.first?.deposited == true)
            #expect(recovered.cycle?.certificatesIssued == 12 && recovered.cycle?.batchCount == 1)
            #expect(h.depositor.deposited.keys.sorted() == [1])
            #expect(Set(h.depositor.calls.map(\.requestId)) == ["deposit:1"])
            let calls = h.depositor.calls.count
            // Nothing outstanding: the background loop and further runs send nothing.
            #expect(await h.application.deposits.depositOutstanding())
            _ = try await h.client.runIssuanceCycle(request)
            #expect(h.depositor.calls.count == calls)

            var get = Recs_Issuance_V1_GetIssuanceCycleRequest()
            get.issuanceCycleId = failed.cycle?.issuanceCycleId ?? ""
            #expect(try await h.client.getIssuanceCycle(get).cycle?.units.first?.deposited == true)
        }
    }

    @Test("§12.1-§12.2: a cycle for a month that has not ended is refused", arguments: TestDatabaseKind.allCases)
    func cycleBeforeMonthEndIsRefused(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.clock.set("2026-03-31")
            let error = try await expectStatus(.failedPrecondition) {
                _ = try await h.client.runIssuanceCycle(Requests.cycle("march", year: 2026, month: 3))
            }
            #expect(error.message.contains("§12.2"))
            #expect(try errorDetails(error).reason == "CYCLE_DATE_NOT_REACHED")
            h.clock.set("2026-04-01")
            let cycle = try await h.client.runIssuanceCycle(Requests.cycle("march-later", year: 2026, month: 3)).cycle
            #expect(cycle?.state == .completed && cycle?.certificatesIssued == 0)
            // Appendix D §6.1: a period that has not ended cannot be reported either.
            h.registry.unit("W1", reportedAs: "QRE-7")
            let early = try await expectStatus(.invalidArgument) {
                _ = try await h.client.uploadGenerationFile(Requests.upload("april", lines: ["QRE-7,04/2026,04/01/2026,04/30/2026,1"]))
            }
            #expect(try errorDetails(early).violations.first?.code == Self.code(.periodNotEnded))
        }
    }

    @Test("docs/API.md event feeds: consecutive sequences; upload, posting, log, batch and cycle events",
        arguments: TestDatabaseKind.allCases)
    func eventFeedIsConsecutive(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            _ = try await h.client.uploadGenerationFile(Requests.upload("w1", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,3.5"]))
            _ = try await h.client.runIssuanceCycle(Requests.cycle("cycle", year: 2026, month: 1))
            let events = try await h.client.allEvents()
            #expect(events.map(\.sequence) == Array(1...Int64(events.count)))
            #expect(events.allSatisfy { !$0.requestId.isEmpty && $0.at != nil })
            let batches = events.compactMap { event -> Recs_Common_V1_CertificateBatch? in
                if case .batchIssued(let batch) = event.payload { return batch } else { return nil }
            }
            #expect(batches.map(\.quantity) == [3])
            #expect(events.contains { if case .generationUpload = $0.payload { true } else { false } })
            #expect(events.contains { if case .postedGeneration = $0.payload { true } else { false } })
            #expect(events.contains { if case .activityLogEntry = $0.payload { true } else { false } })
            #expect(events.last.map { if case .issuanceCycle(let cycle) = $0.payload { cycle.state == .completed } else { false } } == true)

            var page = Recs_Issuance_V1_ListEventsRequest()
            page.afterSequence = 2
            page.limit = 2
            let slice = try await h.client.listEvents(page)
            #expect(slice.events.map(\.sequence) == [3, 4])
            #expect(slice.lastSequence == Int64(events.count))
            page.afterSequence = -1
            try await expectStatus(.invalidArgument) { _ = try await h.client.listEvents(page) }
        }
    }

    @Test("Units come from the registry's feed: a unit designated a moment ago is matched; an unknown unit with the registry down is UNAVAILABLE",
        arguments: TestDatabaseKind.allCases)
    func unitsComeFromTheRegistryFeed(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            _ = try await h.client.uploadGenerationFile(Requests.upload("w1", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,1"]))
            #expect(try await h.application.registryFollower.position() == 5)

            h.registry.reachable = false
            // A known unit is still served.
            let known = try await h.client.uploadGenerationFile(
                Requests.upload("w1-feb", lines: ["QRE-7,02/2026,02/01/2026,02/28/2026,1"]))
            #expect(known.upload?.records.first?.outcome == .posted)
            h.registry.unit("W2", reportedAs: "QRE-8")
            let request = Requests.upload("w2", lines: ["QRE-8,01/2026,01/01/2026,01/31/2026,1"])
            let unavailable = try await expectStatus(.unavailable) { _ = try await h.client.uploadGenerationFile(request) }
            #expect(unavailable.message.contains("registry"))
            // UNAVAILABLE is not recorded: the retry with the same id succeeds once the registry is back.
            h.registry.reachable = true
            let retried = try await h.client.uploadGenerationFile(request)
            #expect(retried.upload?.records.first?.outcome == .posted)
            #expect(retried.upload?.records.first?.generatingUnitId == "W2")
        }
    }

    @Test("Appendix D §6.1: consecutive periods of a unit in one file are checked in date order; the stored report is readable",
        arguments: TestDatabaseKind.allCases)
    func severalPeriodsInOneFile(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            h.clock.set("2026-04-10")
            let upload = try #require(
                try await h.client.uploadGenerationFile(
                    Requests.upload(
                        "three-months",
                        lines: [
                            "QRE-7,02/2026,02/01/2026,02/28/2026,2",
                            "QRE-7,01/2026,01/01/2026,01/31/2026,1",
                            "QRE-7,03/2026,03/02/2026,03/31/2026,3",
                        ])
                ).upload)
            // Lines in file order; line 4 leaves a gap after February.
            #expect(upload.records.map(\.line) == [2, 3, 4])
            #expect(upload.records.map(\.outcome) == [.posted, .posted, .rejected])
            #expect(upload.records[2].violations.first?.code == Self.code(.periodGap))
            var get = Recs_Issuance_V1_GetGenerationUploadRequest()
            get.uploadId = upload.uploadId
            #expect(try await h.client.getGenerationUpload(get).upload == upload)
            get.uploadId = "U999"
            try await expectStatus(.notFound) { _ = try await h.client.getGenerationUpload(get) }
        }
    }

    @Test("Appendix D §6.1 Table 26 rule 4: the administrator loads by unit id and overwrites; a QRE reload after it is rule 2",
        arguments: TestDatabaseKind.allCases)
    func administratorUploads(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.organization("A5", type: .registryAdministrator)
            h.registry.unit("W1", reportedAs: "QRE-7")
            let first = try #require(
                try await h.client.uploadGenerationFile(
                    Requests.upload("admin-1", reporter: "A5", lines: ["W1,01/2026,01/01/2026,01/31/2026,4"])
                ).upload?.records.first)
            #expect(first.outcome == .posted && first.generatingUnitId == "W1" && first.reloadRule == 0)
            let again = try #require(
                try await h.client.uploadGenerationFile(
                    Requests.upload("admin-2", reporter: "A5", lines: ["W1,01/2026,01/01/2026,01/31/2026,5"])
                ).upload?.records.first)
            #expect(again.outcome == .posted && again.reloadRule == 4)
            let qre = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("qre", lines: ["QRE-7,01/2026,01/01/2026,01/31/2026,6"]))
                    .upload?.records.first)
            #expect(qre.outcome == .posted && qre.reloadRule == 2)
            let log = try await h.client.getGenerationActivityLog(Requests.log("W1"))
            #expect(log.balance?.kilowattHours == 6_000)
            #expect(log.entries.map { $0.energy?.kilowattHours ?? 0 } == [4_000, -4_000, 5_000, -5_000, 6_000])
        }
    }

    @Test("Addendum B: a monthly class reports within one calendar month; §9.4.2: generation older than two years is refused",
        arguments: TestDatabaseKind.allCases)
    func reportingPeriodLimits(kind: TestDatabaseKind) async throws {
        try await withIssuance(kind) { h in
            h.registry.unit("W1", reportedAs: "QRE-7")
            let long = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("long", lines: ["QRE-7,02/2026,01/15/2026,02/28/2026,5"]))
                    .upload?.records.first)
            #expect(long.outcome == .rejected && long.violations.first?.code == Self.code(.reportingPeriodTooLong))
            h.registry.unit("W2", reportedAs: "QRE-8")
            let old = try #require(
                try await h.client.uploadGenerationFile(Requests.upload("old", lines: ["QRE-8,01/2024,01/01/2024,01/31/2024,5"]))
                    .upload?.records.first)
            #expect(old.outcome == .rejected && old.violations.first?.code == Self.code(.priorPeriodAdjustmentTooLate))
        }
    }
}
