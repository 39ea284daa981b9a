import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `reporting` executable following a real `registry` process over gRPC (ReportingFeeds.remote):
/// an organization created in the registry shows in reporting's directory (§19.2.1) once
/// GetFeedPositions says the registry feed is applied.
@Suite("reporting follows the registry process")
struct ReportingFollowsRegistryTests {
    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Starts `name` with `arguments`; returns the process and the port from its "listening on" line.
    static func launch(_ name: String, _ arguments: [String], dataDirectory: URL) async throws -> (Process, Int) {
        let process = Process()
        process.executableURL = executable(name)
        process.arguments = ["--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["RECS_DATA_DIR"] = dataDirectory.path
        environment.removeValue(forKey: "RECS_\(name.uppercased())_DATABASE_URL")
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = await Task.detached { () -> String in
            var bytes: [UInt8] = []
            while true {
                let chunk = output.fileHandleForReading.readData(ofLength: 1)
                guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        guard let port = Int(line.dropFirst("\(name) listening on ".count)) else {
            process.terminate()
            throw TestFailure("\(name) printed \"\(line)\"")
        }
        return (process, port)
    }

    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    @Test("An organization created in the registry appears in ListActiveAccountHolders")
    func followsRegistry() async throws {
        for name in ["registry", "reporting"] where !FileManager.default.isExecutableFile(atPath: Self.executable(name).path) {
            try Test.cancel("\(name) is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-reporting-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        let (registryProcess, registryPort) = try await Self.launch("registry", [], dataDirectory: directory)
        defer { Self.stop(registryProcess) }
        let peer = "127.0.0.1:\(registryPort)"
        let (reportingProcess, reportingPort) = try await Self.launch(
            "reporting",
            ["--registry-address", peer, "--issuance-address", "127.0.0.1:1", "--transfer-address", "127.0.0.1:1",
             "--feed-poll-milliseconds", "20"],
            dataDirectory: directory)
        defer { Self.stop(reportingProcess) }

        let registryClient = try RPCClient(host: "127.0.0.1", port: registryPort)
        let reportingClient = try RPCClient(host: "127.0.0.1", port: reportingPort)
        var create = Recs_Registry_V1_CreateOrganizationRequest()
        create.requestId = "e2e-create"
        create.name = "Followed Co"
        create.type = .accountHolder
        create.managerPersonName = "Pat"
        create.managerLogin = "pat-e2e"
        let created = try await Recs_Registry_V1_RegistryServiceClient(registryClient).createOrganization(create)
        let id = try #require(created.organization?.organizationId)

        let reporting = Recs_Reporting_V1_ReportingServiceClient(reportingClient)
        var applied: Int64 = 0
        for _ in 0..<250 where applied < 1 {
            let positions = try await reporting.getFeedPositions(Recs_Reporting_V1_GetFeedPositionsRequest())
            applied = positions.positions.first { $0.service == "recs.registry.v1.RegistryService" }?.appliedSequence ?? 0
            if applied < 1 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(applied >= 1)
        let holders = try await reporting.listActiveAccountHolders(Recs_Reporting_V1_ListActiveAccountHoldersRequest())
        #expect(holders.accountHolders.map(\.organizationId) == [id])
        #expect(holders.accountHolders.first?.name == "Followed Co")
        await registryClient.close()
        await reportingClient.close()
    }
}
