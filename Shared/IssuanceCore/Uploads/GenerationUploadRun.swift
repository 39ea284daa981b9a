import Domain
import Foundation
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// One upload, inside its transaction.
struct GenerationUploadRun {
    let request: Recs_Issuance_V1_UploadGenerationFileRequest
    let registryReachable: Bool

    mutating func run(_ transaction: inout JournalTransaction) throws -> Recs_Issuance_V1_UploadGenerationFileResponse {
        let reporterID = try IssuanceRules.parse(field: "reporter_organization_id") { () throws(RuleViolation) in
            try OrganizationID(parsing: request.reporterOrganizationId)
        }.description
        guard request.fileName.count <= IssuanceService.fileNameCharactersMax else {
            throw ServiceErrors.invalid("file_name", "has more than \(IssuanceService.fileNameCharactersMax) characters")
        }
        guard request.content.count <= Limits.uploadBytesMax else {
            throw ServiceErrors.status(
                RuleViolation(.fileTooLarge, "the file has more than \(Limits.uploadBytesMax) bytes", section: "docs/API.md, Limits"),
                field: "content")
        }
        // Who loads the file is settled first, so a rejected file's stored report has its reporter.
        let uploader = try checkReporter(reporterID, &transaction)
        let records = try parse(today: transaction.today, reporterID: reporterID)

        var upload = Self.summary(request, reporterID: reporterID, receivedAt: transaction.timestamp)
        upload.uploadId = "U\(try transaction.nextNumber("upload"))"
        upload.outcome = .processed
        // posted_generation rows name their upload: the summary is stored before the first of them.
        try UploadReports.save(upload, at: transaction.nowMilliseconds, &transaction.sql)

        // Each unit's records in date order, so a file may carry several consecutive periods of a unit.
        var results: [Int: Recs_Issuance_V1_GenerationRecordResult] = [:]
        let ordered = records.sorted { ($0.unit, $0.period.begin, $0.line) < ($1.unit, $1.period.begin, $1.line) }
        for record in ordered {
            results[record.line] = try post(record, uploadID: upload.uploadId, reporterID: reporterID, uploader: uploader, &transaction)
        }
        upload.records = records.map(\.line).sorted().compactMap { results[$0] }
        upload.postedCount = Int32(upload.records.filter { [.posted, .postedPendingFeasibility].contains($0.outcome) }.count)
        upload.rejectedCount = Int32(upload.records.filter { $0.outcome == .rejected }.count)
        return try Self.stored(upload, &transaction)
    }

    /// The upload as stored before any line is known.
    static func summary(
        _ request: Recs_Issuance_V1_UploadGenerationFileRequest, reporterID: String, receivedAt: Recs_Common_V1_Timestamp
    ) -> Recs_Issuance_V1_GenerationUpload {
        var upload = Recs_Issuance_V1_GenerationUpload()
        upload.reporterOrganizationId = reporterID
        upload.fileName = request.fileName
        upload.receivedAt = receivedAt
        return upload
    }

    /// Stores the whole report and answers its first page (docs/API.md, Paging); the event carries
    /// the summary, since each posted record has its own event.
    static func stored(
        _ upload: Recs_Issuance_V1_GenerationUpload, _ transaction: inout JournalTransaction
    ) throws -> Recs_Issuance_V1_UploadGenerationFileResponse {
        try UploadReports.save(upload, at: transaction.nowMilliseconds, &transaction.sql)
        var response = Recs_Issuance_V1_UploadGenerationFileResponse()
        var first = upload
        (first.records, response.recordsPage) = try Paging(nil, field: "records_page").fill(upload.records.map { (String($0.line), $0) })
        first.recordCount = Int32(clamping: upload.records.count)
        response.upload = first
        first.records = []
        try transaction.appendEvent(action: "UploadGenerationFile", .generationUpload(first))
        return response
    }

    /// Appendix D §4-§5: one bad line rejects the file, and every bad line is reported: the first
    /// ones in the trailers, all of them in the report stored for the refusal (issue 8).
    func parse(today: CalendarDate, reporterID: String) throws -> [GenerationRecord] {
        do throws(RuleViolations) {
            return try GenerationExtract.parse(request.content, receivedOn: today)
        } catch {
            let rejection = error
            let request = request
            throw RequestJournal.RefusalWithReport { transaction in
                var upload = Self.summary(request, reporterID: reporterID, receivedAt: transaction.timestamp)
                upload.uploadId = "U\(try transaction.nextNumber("upload"))"
                upload.outcome = .fileRejected
                upload.records = Self.rejectedLines(rejection)
                upload.rejectedCount = Int32(clamping: upload.records.count)
                upload.recordCount = upload.rejectedCount
                try UploadReports.save(upload, at: transaction.nowMilliseconds, &transaction.sql)
                // The first lines by number; the details list as many violations as trailers hold.
                let shown = rejection.lines.prefix(20).map(String.init).joined(separator: ", ")
                let lines = rejection.lines.count > 20 ? "\(shown) and \(rejection.lines.count - 20) more" : shown
                return ServiceErrors.status(
                    .invalidArgument,
                    "content: the generation file is rejected: \(rejection.violations.count) violation(s)"
                        + (lines.isEmpty ? "" : " on line(s) \(lines)")
                        + "; nothing was posted (Appendix D §4-§6); every bad line is in report \(upload.uploadId) "
                        + "(GetGenerationUpload): " + (rejection.violations.first?.description ?? ""),
                    reason: "GENERATION_FILE_REJECTED", violations: rejection.violations, reportID: upload.uploadId)
            }
        }
    }

    /// A rejected file's report: one result per bad line, in line order, with every violation of the
    /// line; line 0 holds what is wrong with the file as a whole.
    static func rejectedLines(_ rejection: RuleViolations) -> [Recs_Issuance_V1_GenerationRecordResult] {
        Dictionary(grouping: rejection.violations) { $0.line ?? 0 }.sorted { $0.key < $1.key }.map { line, violations in
            var result = Recs_Issuance_V1_GenerationRecordResult()
            result.line = Int32(clamping: line)
            result.outcome = .rejected
            result.violations = violations.map(proto)
            return result
        }
    }

    /// Appendix D §6.1: "Only Account Holders of type Qualified Reporting Entity, or Self-Reporting
    /// Account Holder, or WREGIS Administrator have the ability to load the Generation Extract File."
    func checkReporter(_ reporterID: String, _ transaction: inout JournalTransaction) throws -> GenerationUploader {
        guard let reporter = try transaction.organization(reporterID) else {
            if !registryReachable { throw Self.registryUnavailable("organization \(reporterID)") }
            throw ServiceErrors.notFound("organization \(reporterID)", field: "reporter_organization_id")
        }
        guard reporter.status == .active else {
            throw ServiceErrors.status(
                RuleViolation(
                    .wrongParty, "\(reporterID) is not an active account; only active accounts load generation files",
                    section: "Appendix D §6; Operating Rules §23", field: "reporter_organization_id"))
        }
        switch reporter.kind {
        case .qualifiedReportingEntity, .accountHolder: return .reportingEntity
        case .registryAdministrator: return .registryAdministrator
        case .programAdministrator, .unspecified:
            throw ServiceErrors.status(
                RuleViolation(
                    .wrongParty,
                    "\(reporterID) is not a Qualified Reporting Entity, a self-reporting account holder or the administrator",
                    section: "Appendix D §6.1", field: "reporter_organization_id"))
        }
    }

    static func registryUnavailable(_ what: String) -> RPCError {
        RPCError(
            .unavailable,
            "the registry could not be reached to look up \(what); retry with the same request_id (docs/API.md, idempotency rule 4)")
    }

    /// Table 27 for one record, then posting it to the unit's Generation Activity Log (§12.6).
    mutating func post(
        _ record: GenerationRecord, uploadID: String, reporterID: String, uploader: GenerationUploader,
        _ transaction: inout JournalTransaction
    ) throws -> Recs_Issuance_V1_GenerationRecordResult {
        var result = Recs_Issuance_V1_GenerationRecordResult()
        result.line = Int32(record.line)
        result.reportingEntityUnitId = record.unit.description
        result.vintage = IssuanceCodes.proto(record.vintage)
        result.period = IssuanceCodes.proto(record.period)
        result.energy = IssuanceCodes.energy(record.total.kilowattHours)

        func reject(_ violation: RuleViolation) -> Recs_Issuance_V1_GenerationRecordResult {
            var rejected = result
            rejected.outcome = .rejected
            rejected.violations = [Self.proto(violation.at(line: record.line))]
            return rejected
        }

        guard let unit = try findUnit(record, reporterID: reporterID, uploader: uploader, &transaction) else {
            return reject(
                RuleViolation(
                    .wrongParty,
                    "\(reporterID) is not the designated reporting entity of a unit with UNITID \(record.unit); the data is rejected",
                    section: "\(IssuanceService.uploadSection) (Reporting Entity validation)", field: "UNITID"))
        }
        result.generatingUnitId = unit.id
        do throws(RuleViolation) {
            try Self.checkMayReport(unit)
            try Self.checkPeriod(record, unit: unit, today: transaction.today)
        } catch {
            return reject(error)
        }

        // Table 26 applies when the period is already posted; otherwise Table 27's gap/overlap check.
        let existing = try transaction.livePosted(unitID: unit.id, period: record.period)
        let previous = existing == nil ? try transaction.previousPeriod(unitID: unit.id, endingBefore: nil) : nil
        var reloadRule: Int?
        do throws(RuleViolation) {
            if let existing {
                reloadRule = try Self.reloadRule(existing, uploader: uploader)
            } else {
                try GenerationContinuity.check(record.period, following: previous)
            }
        } catch {
            return reject(error)
        }

        let feasibility = Self.feasibility(record, unit: unit)
        result.feasibility = feasibility
        if !feasibility.feasible, request.onFeasibilityWarning == .skipRecord {
            result.outcome = .skippedFeasibility
            return result
        }

        let entry = try postEntry(
            record, unit: unit, uploadID: uploadID, reporterID: reporterID, feasibility: feasibility, replacing: existing,
            reloadRule: reloadRule, &transaction)
        result.outcome = feasibility.feasible ? .posted : .postedPendingFeasibility
        result.postedGenerationId = entry.postedGenerationId
        result.reloadRule = Int32(reloadRule ?? 0)
        return result
    }

    /// The unit a record is about: by the reporting entity's UNITID (Table 27), or, for the
    /// administrator, who is nobody's designated reporting entity, by the registry's unit id.
    func findUnit(
        _ record: GenerationRecord, reporterID: String, uploader: GenerationUploader, _ transaction: inout JournalTransaction
    ) throws -> StoredUnit? {
        let unit: StoredUnit?
        switch uploader {
        case .reportingEntity:
            unit = try transaction.unit(reportedBy: reporterID, as: record.unit.description)
        case .registryAdministrator:
            guard let id = try? GeneratingUnitID(parsing: record.unit.description) else { return nil }
            unit = try transaction.unit(id.description)
        }
        if unit == nil, !registryReachable { throw Self.registryUnavailable("UNITID \(record.unit)") }
        return unit
    }

    /// §5.3: "Once a generator is approved by the WREGIS Administrator, generation data can be
    /// uploaded by the QRE"; §5.3.7: a terminated unit earns nothing for later generation. Suspended
    /// and inactive units keep logging generation (§24.1) and get no certificates at the cycle.
    static func checkMayReport(_ unit: StoredUnit) throws(RuleViolation) {
        switch unit.record.status {
        case .approved, .suspended, .inactive: return
        case .terminated:
            throw RuleViolation(
                .transitionNotAllowed, "unit \(unit.id) is terminated; no generation is posted for it",
                section: "Operating Rules §5.3.7", field: "UNITID")
        case .registered, .unspecified:
            throw RuleViolation(
                .transitionNotAllowed,
                "unit \(unit.id) is not approved yet; generation data can be uploaded once the administrator approves it",
                section: "Operating Rules §5.3, §5.3.1", field: "UNITID")
        }
    }

    /// Addendum B: the period may span at most the class's maximum reporting interval; §9.4.2:
    /// generation more than two years old can no longer be reported or adjusted.
    static func checkPeriod(_ record: GenerationRecord, unit: StoredUnit, today: CalendarDate) throws(RuleViolation) {
        if let unitClass = unit.record.unitClass {
            do throws(RuleViolation) {
                try unitClass.reportingRequirements.checkReportingPeriod(record.period)
            } catch {
                var located = error
                located.field = "BeginDate"
                throw located
            }
        }
        if today > GenerationReportingWindow.lastDayOfPriorPeriodAdjustment(for: record.vintage) {
            _ = try GenerationReportingWindow.classify(vintage: record.vintage, periodEnd: record.period.end, receivedOn: today)
        }
    }

    /// Table 26 for a period already posted. Issued data cannot be reloaded: a correction after
    /// certificate creation is a prior period adjustment (§9.4.2).
    static func reloadRule(_ existing: PostedEntry, uploader: GenerationUploader) throws(RuleViolation) -> Int? {
        guard !existing.issued else {
            throw RuleViolation(
                .periodOverlap,
                "overlap: the period \(existing.record.period.map(Self.text) ?? "") was already issued in cycle "
                    + "\(existing.record.issuanceCycleId); a correction is a prior period adjustment (Operating Rules §9.4.2)",
                section: IssuanceService.uploadSection, field: "BeginDate")
        }
        let status = IssuanceCodes.domain(existing.record.status) ?? .wregisAccepted
        switch try GenerationReloadRule.decide(existing: status, uploader: uploader) {
        case .post: return nil
        case .overwrite(let rule): return rule
        }
    }

    static func text(_ range: Recs_Common_V1_DateRange) -> String {
        let begin = range.begin.map { "\($0.month)/\($0.day)/\($0.year)" } ?? ""
        let end = range.end.map { "\($0.month)/\($0.day)/\($0.year)" } ?? ""
        return "\(begin)-\(end)"
    }

    /// Appendix D §6.1, §9.5: reported MWh against nameplate × capacity factor × hours × 1.02. A
    /// unit registered without the figures cannot be assessed, which the registry does not allow.
    static func feasibility(_ record: GenerationRecord, unit: StoredUnit) -> Recs_Issuance_V1_FeasibilityAssessment {
        var assessment = Recs_Issuance_V1_FeasibilityAssessment()
        assessment.hours = Int32(record.period.hours)
        let facility = unit.record.facility
        guard let capacity = try? Capacity(watts: facility.nameplateCapacityWatts),
            let factor = try? CapacityFactor(partsPerMillion: facility.capacityFactorPartsPerMillion)
        else {
            assessment.feasible = true
            return assessment
        }
        assessment.nameplateCapacityWatts = capacity.watts
        assessment.capacityFactorPartsPerMillion = factor.partsPerMillion
        let maximum: Decimal
        switch EngineeringFeasibility.assess(reported: record.total, nameplateCapacity: capacity, capacityFactor: factor, period: record.period) {
        case .feasible(let value):
            assessment.feasible = true
            maximum = value
        case .softWarning(let warning):
            assessment.feasible = false
            maximum = warning.maximum
        }
        var kilowattHours = maximum * 1_000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &kilowattHours, 0, .down)
        assessment.maximum = IssuanceCodes.energy(NSDecimalNumber(decimal: rounded).int64Value)
        return assessment
    }

    /// Posts the record: "WREGIS Accepted", or "WREGIS Pending" when it failed feasibility
    /// (Appendix D §6.1), replacing the entry a reload overwrites, with its log lines and events.
    func postEntry(
        _ record: GenerationRecord, unit: StoredUnit, uploadID: String, reporterID: String,
        feasibility: Recs_Issuance_V1_FeasibilityAssessment, replacing existing: PostedEntry?, reloadRule: Int?,
        _ transaction: inout JournalTransaction
    ) throws -> Recs_Issuance_V1_PostedGeneration {
        var entry = Recs_Issuance_V1_PostedGeneration()
        entry.postedGenerationId = "G\(try transaction.nextNumber("posted_generation"))"
        entry.generatingUnitId = unit.id
        entry.kind = .reported
        entry.status = feasibility.feasible ? .wregisAccepted : .wregisPending
        entry.reportingEntityOrganizationId = reporterID
        entry.reportingEntityUnitId = record.unit.description
        entry.vintage = IssuanceCodes.proto(record.vintage)
        entry.period = IssuanceCodes.proto(record.period)
        entry.energy = IssuanceCodes.energy(record.total.kilowattHours)
        entry.feasibility = feasibility
        entry.uploadId = uploadID
        entry.line = Int32(record.line)
        entry.postedAt = transaction.timestamp
        // §12.2, §12.3: silence accepts the data by the vintage's cycle date.
        let cycleDate = IssuanceCycleRun.cycleDate(record.vintage)
        entry.autoAcceptAt = IssuanceCodes.timestamp(
            unixSeconds: Int64(cycleDate.instant(in: transaction.timeZone).timeIntervalSince1970))
        entry.reloadRule = Int32(reloadRule ?? 0)

        var balance = unit.balanceKilowattHours
        if let existing {
            entry.replacedPostedGenerationId = existing.record.postedGenerationId
            try transaction.replacePosted(existing.record.postedGenerationId, with: entry, vintage: record.vintage, period: record.period)
            let removed = existing.record.energy?.kilowattHours ?? 0
            balance -= removed
            try transaction.appendLogEntry(
                Self.logEntry(unit.id, entry: existing.record, energy: -removed, balance: balance), action: "UploadGenerationFile")
        } else {
            try transaction.insertPosted(entry, vintage: record.vintage, period: record.period)
        }
        try transaction.appendEvent(action: "UploadGenerationFile", .postedGeneration(entry))
        balance += record.total.kilowattHours
        try transaction.appendLogEntry(
            Self.logEntry(unit.id, entry: entry, energy: record.total.kilowattHours, balance: balance), action: "UploadGenerationFile")
        try transaction.setFigures(of: unit.id, carried: unit.carriedKilowattHours, balance: balance)
        return entry
    }

    /// §12.6 item 2: posted generation on the log (negative when a reload takes an entry off).
    static func logEntry(
        _ unitID: String, entry: Recs_Issuance_V1_PostedGeneration, energy: Int64, balance: Int64
    ) -> Recs_Issuance_V1_ActivityLogEntry {
        var log = Recs_Issuance_V1_ActivityLogEntry()
        log.generatingUnitId = unitID
        log.kind = .postedGeneration
        log.vintage = entry.vintage ?? Recs_Common_V1_Vintage()
        log.energy = IssuanceCodes.energy(energy)
        log.postedGenerationId = entry.postedGenerationId
        log.balanceAfter = IssuanceCodes.energy(balance)
        return log
    }

    static func proto(_ violation: RuleViolation) -> Recs_Common_V1_RuleViolation {
        var proto = Recs_Common_V1_RuleViolation()
        proto.code = UInt32(violation.code.rawValue)
        proto.message = violation.message
        proto.section = violation.section
        proto.line = Int32(clamping: violation.line ?? 0)
        proto.field = violation.field ?? ""
        return proto
    }
}
