import ArgumentParser
import Foundation
import ProtoMessages

// recs generation ..., recs issuance ...: the issuance service.

struct Generation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generation data (issuance).", subcommands: [Upload.self])

    struct Upload: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload a generation file (Appendix D CSV: UNITID,Vintage,BeginDate,EndDate,TotalMWh).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The reporting organization (QRE, self-reporting account holder or administrator).")
        var qre: String

        @Flag(
            name: .customLong("skip-infeasible"),
            help: "Skip records that fail the feasibility check instead of posting them as pending.")
        var skipInfeasible = false

        @Argument(help: "The CSV file.", completion: .file())
        var file: String

        func execute(_ session: Session) async throws {
            let url = URL(fileURLWithPath: file)
            let content: Data
            do {
                content = try Data(contentsOf: url)
            } catch {
                throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
            }
            var request = Recs_Issuance_V1_UploadGenerationFileRequest()
            request.reporterOrganizationId = qre
            request.fileName = url.lastPathComponent
            request.content = [UInt8](content)
            request.onFeasibilityWarning = skipInfeasible ? .skipRecord : .postAsPending
            request.requestId = session.requestID()
            let response = try await session.issuance.uploadGenerationFile(request, options: session.callOptions)
            var upload = response.upload ?? Recs_Issuance_V1_GenerationUpload()
            upload.records = try await everyPage((upload.records, response.recordsPage)) { token in
                var more = Recs_Issuance_V1_GetGenerationUploadRequest()
                more.uploadId = upload.uploadId
                more.recordsPage = pageRequest(after: token)
                let page = try await session.issuance.getGenerationUpload(more, options: session.callOptions)
                return (page.upload?.records ?? [], page.recordsPage)
            }
            session.printer.emit(upload.record)
        }
    }
}

struct Issuance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Issuance cycles and certificate batches (issuance).", subcommands: [Run.self, Batches.self])

    struct Run: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the issuance cycle of a vintage month, then list the batches it issued.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The vintage month, MM/YYYY.", transform: Parse.vintage)
        var vintage: Recs_Common_V1_Vintage

        func execute(_ session: Session) async throws {
            var request = Recs_Issuance_V1_RunIssuanceCycleRequest()
            request.vintage = vintage
            request.requestId = session.requestID()
            let response = try await session.issuance.runIssuanceCycle(request, options: session.callOptions)
            var cycle = response.cycle ?? Recs_Issuance_V1_IssuanceCycle()
            cycle.units = try await everyPage((cycle.units, response.unitsPage)) { token in
                var more = Recs_Issuance_V1_GetIssuanceCycleRequest()
                more.cycle = .issuanceCycleId(cycle.issuanceCycleId)
                more.unitsPage = pageRequest(after: token)
                let page = try await session.issuance.getIssuanceCycle(more, options: session.callOptions)
                return (page.cycle?.units ?? [], page.unitsPage)
            }
            var record = cycle.record
            record["already_completed"] = .bool(response.alreadyCompleted)
            session.printer.emit(record)
            guard let cycleID = response.cycle?.issuanceCycleId, !cycleID.isEmpty else { return }
            try await Batches.list(session, cycleID: cycleID)
        }
    }

    struct Batches: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "List issued certificate batches.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var page: PageOptions

        @Option(help: "Only this generating unit's batches.")
        var unit: String = ""

        @Option(help: "Only the batches of this issuance cycle.")
        var cycle: String = ""

        func execute(_ session: Session) async throws {
            try await Self.list(session, unitID: unit, cycleID: cycle, page: page.proto)
        }

        static func list(
            _ session: Session, unitID: String = "", cycleID: String, page: Recs_Common_V1_PageRequest = .init()
        ) async throws {
            var request = Recs_Issuance_V1_ListCertificateBatchesRequest()
            request.generatingUnitId = unitID
            request.issuanceCycleId = cycleID
            request.page = page
            let response = try await session.issuance.listCertificateBatches(request, options: session.callOptions)
            session.printer.emit(list: "batches", response.batches.map(\.record), extra: pageFooter(response.page))
        }
    }
}
