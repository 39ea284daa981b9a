import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import ProcessTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `issuance` executable as a process: configuration from flags and environment, migrations at
/// start, "issuance listening on PORT", its event feed, and a graceful stop on SIGTERM with exit
/// status 0, even with the registry and transfer peers unreachable (they are only followed and
/// retried in the background).
@Suite("issuance executable")
struct IssuanceExecutableTests {
    /// Built beside the test bundle by `swift build --build-tests` (every product is built).
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("issuance")
    }

    @Test("Serves on SQLite in RECS_DATA_DIR with its peers down, answers ListEvents, stops on SIGTERM")
    func servesAndStops() async throws {
        let executable = Self.executable
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            try Test.cancel("\(executable.path) is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-issuance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        let process = try await ServiceProcess.start(
            "issuance", arguments: [
                "--port", "0", "--registry-address", "127.0.0.1:9", "--transfer-address", "127.0.0.1:9",
                "--feed-poll-milliseconds", "50", "--deposit-retry-milliseconds", "100",
            ], environment: ["RECS_DATA_DIR": directory.path],
            logDirectory: directory.appendingPathComponent("logs"))
        let port = process.port

        let client = try RPCClient(host: "127.0.0.1", port: port)
        let issuance = Recs_Issuance_V1_IssuanceServiceClient(client)
        let events = try await issuance.listEvents(Recs_Issuance_V1_ListEventsRequest())
        #expect(events.events.isEmpty && events.lastSequence == 0)
        // The registry is down and the reporter is unknown: UNAVAILABLE, not a recorded failure.
        var upload = Recs_Issuance_V1_UploadGenerationFileRequest()
        upload.requestId = "process-upload"
        upload.reporterOrganizationId = "A2"
        upload.content = Array("UNITID,Vintage,BeginDate,EndDate,TotalMWh\nQ1,01/2026,01/01/2026,01/31/2026,1".utf8)
        do {
            _ = try await issuance.uploadGenerationFile(upload)
            Issue.record("the upload succeeded without a registry")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
        }
        await client.close()

        #expect(await process.stop() == 0, "exit status on SIGTERM")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("issuance.sqlite").path))
    }

    @Test("--help lists the service's flags, its peers and the feed and deposit intervals")
    func helpListsEveryFlag() throws {
        let executable = Self.executable
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            try Test.cancel("\(executable.path) is not built (swift build --build-tests builds it)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--help"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for flag in [
            "--port", "--host", "--data-dir", "--database-url", "--tls", "--registry-address", "--transfer-address", "--peer-ca",
            "--peer-cert", "--peer-key", "--feed-poll-milliseconds", "--deposit-retry-milliseconds",
        ] {
            #expect(text.contains(flag), "\(flag) missing from --help")
        }
    }
}
