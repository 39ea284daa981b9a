import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// docs/API.md "The first flow" with the real executables: registry, transfer and issuance as
/// processes on SQLite, issuance following the registry's feed and depositing through transfer.
@Suite("issuance with registry and transfer processes")
struct IssuanceFlowProcessTests {
    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// A service process and the port it printed.
    final class Service {
        let process = Process()
        let port: Int

        init(_ name: String, arguments: [String], dataDirectory: URL) async throws {
            process.executableURL = IssuanceFlowProcessTests.executable(name)
            process.arguments = ["--port", "0"] + arguments
            var environment = ProcessInfo.processInfo.environment
            environment["RECS_DATA_DIR"] = dataDirectory.path
            for key in environment.keys where key.hasSuffix("_DATABASE_URL") { environment.removeValue(forKey: key) }
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = await Task.detached { () -> String in
                var bytes: [UInt8] = []
                while let byte = output.fileHandleForReading.readData(ofLength: 1).first, byte != UInt8(ascii: "\n") {
                    bytes.append(byte)
                }
                return String(decoding: bytes, as: UTF8.self)
            }.value
            guard line.hasPrefix("\(name) listening on "), let port = Int(line.dropFirst("\(name) listening on ".count)) else {
                process.terminate()
                throw TestFailure("\(name) did not start: \"\(line)\"")
            }
            self.port = port
        }

        func stop() -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test("§12, §14.2: a QRE's upload becomes certificates in the account holder's Active subaccount, exactly once")
    func firstFlow() async throws {
        for name in ["registry", "transfer", "issuance"] where !FileManager.default.isExecutableFile(atPath: Self.executable(name).path) {
            try Test.cancel("\(name) is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-flow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let registryProcess = try await Service("registry", arguments: [], dataDirectory: directory)
        let registryAddress = "127.0.0.1:\(registryProcess.port)"
        let transferProcess = try await Service(
            "transfer", arguments: ["--registry-address", registryAddress, "--feed-poll-milliseconds", "50"], dataDirectory: directory)
        let issuanceProcess = try await Service(
            "issuance",
            arguments: [
                "--registry-address", registryAddress, "--transfer-address", "127.0.0.1:\(transferProcess.port)",
                "--feed-poll-milliseconds", "50",
            ], dataDirectory: directory)
        let registryClient = try RPCClient(host: "127.0.0.1", port: registryProcess.port)
        let transferClient = try RPCClient(host: "127.0.0.1", port: transferProcess.port)
        let issuanceClient = try RPCClient(host: "127.0.0.1", port: issuanceProcess.port)
        do {
            try await run(
                registry: Recs_Registry_V1_RegistryServiceClient(registryClient),
                transfer: Recs_Transfer_V1_TransferServiceClient(transferClient),
                issuance: Recs_Issuance_V1_IssuanceServiceClient(issuanceClient))
        } catch {
            Issue.record(error)
        }
        await registryClient.close()
        await transferClient.close()
        await issuanceClient.close()
        #expect(issuanceProcess.stop() == 0)
        #expect(transferProcess.stop() == 0)
        #expect(registryProcess.stop() == 0)
    }

    func run(
        registry: Recs_Registry_V1_RegistryServiceClient, transfer: Recs_Transfer_V1_TransferServiceClient,
        issuance: Recs_Issuance_V1_IssuanceServiceClient
    ) async throws {
        var holder = Recs_Registry_V1_CreateOrganizationRequest()
        holder.requestId = "holder"
        holder.name = "Sunny Acres LLC"
        holder.type = .accountHolder
        holder.managerPersonName = "Pat"
        holder.managerLogin = "pat"
        let organization = try #require(try await registry.createOrganization(holder).organization)
        let active = try #require(organization.subaccounts.first { $0.kind == .active })
        var qre = holder
        qre.requestId = "qre"
        qre.name = "Grid QRE"
        qre.type = .qualifiedReportingEntity
        qre.managerLogin = "quinn"
        let reporter = try #require(try await registry.createOrganization(qre).organization)

        var data = Recs_Registry_V1_GeneratingUnitStaticData()
        data.name = "Sunny Acres 1"
        data.stateOrProvince = "CA"
        data.country = "US"
        var fuel = Recs_Registry_V1_UnitFuel()
        fuel.fuelTypeCode = "SO1"
        fuel.fuelSourceCodes = ["solar"]
        data.fuels = [fuel]
        var commenced = Recs_Common_V1_Date()
        commenced.year = 2020
        commenced.month = 1
        commenced.day = 1
        data.commencedOperationOn = commenced
        data.nameplateCapacityWatts = 2_000_000
        data.capacityFactorPartsPerMillion = 250_000
        var classification = Recs_Registry_V1_ClassificationCharacteristics()
        classification.siting = .wholesale
        data.classification = classification
        data.allOutputReported = true
        var register = Recs_Registry_V1_RegisterGeneratingUnitRequest()
        register.requestId = "register"
        register.organizationId = organization.organizationId
        register.depositSubaccountId = active.subaccountId
        register.staticData = data
        let unitID = try #require(try await registry.registerGeneratingUnit(register).generatingUnit?.generatingUnitId)
        var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
        approve.requestId = "approve"
        approve.generatingUnitId = unitID
        _ = try await registry.approveGeneratingUnit(approve)
        var designate = Recs_Registry_V1_DesignateReportingEntityRequest()
        designate.requestId = "designate"
        designate.generatingUnitId = unitID
        designate.type = .qualifiedReportingEntity
        designate.reportingEntityOrganizationId = reporter.organizationId
        designate.reportingEntityUnitId = "GRID-1"
        _ = try await registry.designateReportingEntity(designate)

        // Last month, whole: ended, and inside the 75-day reporting window.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let lastMonth = calendar.date(byAdding: .month, value: -1, to: Date())!
        let (year, month) = (calendar.component(.year, from: lastMonth), calendar.component(.month, from: lastMonth))
        let days = calendar.range(of: .day, in: .month, for: lastMonth)!.count
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let line = "GRID-1,\(two(month))/\(year),\(two(month))/01/\(year),\(two(month))/\(two(days))/\(year),10.5"

        // Uploaded straight after the designation: issuance catches up with the registry's feed first.
        var upload = Recs_Issuance_V1_UploadGenerationFileRequest()
        upload.requestId = "upload"
        upload.reporterOrganizationId = reporter.organizationId
        upload.content = Array("UNITID,Vintage,BeginDate,EndDate,TotalMWh\n\(line)".utf8)
        let record = try #require(try await issuance.uploadGenerationFile(upload).upload?.records.first)
        #expect(record.outcome == .posted && record.generatingUnitId == unitID)

        var cycle = Recs_Issuance_V1_RunIssuanceCycleRequest()
        cycle.requestId = "cycle"
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = Int32(year)
        vintage.month = Int32(month)
        cycle.vintage = vintage
        let issued = try #require(try await issuance.runIssuanceCycle(cycle).cycle)
        #expect(issued.certificatesIssued == 10)
        #expect(issued.units.first?.deposited == true)
        #expect(issued.units.first?.carriedForward?.kilowattHours == 500)
        cycle.requestId = "cycle-again"
        #expect(try await issuance.runIssuanceCycle(cycle).alreadyCompleted)

        var summary = Recs_Transfer_V1_GetHoldingsSummaryRequest()
        summary.organizationId = organization.organizationId
        let totals = try await transfer.getHoldingsSummary(summary).totals
        #expect(totals.filter { $0.subaccountKind == .active && $0.status == .active }.map(\.quantity).reduce(0, +) == 10)
    }
}
