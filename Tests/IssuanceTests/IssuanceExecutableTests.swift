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

    @Test("Serves TLS on SQLite in RECS_DATA_DIR with its peers down, answers ListEvents to a peer, refuses anonymous uploads, stops on SIGTERM")
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
                "--feed-poll-milliseconds", "50", "--deposit-retry-milliseconds", "100", "--tls-dir", TestDeployment.tlsDirectory,
            ], environment: ["RECS_DATA_DIR": directory.path],
            logDirectory: directory.appendingPathComponent("logs"))
        let port = process.port

        let client = try TestDeployment.client(port: port, as: "reporting")
        let issuance = Recs_Issuance_V1_IssuanceServiceClient(client)
        let events = try await issuance.listEvents(Recs_Issuance_V1_ListEventsRequest())
        #expect(events.events.isEmpty && events.lastSequence == 0)
        // Nobody is known while the registry is down: an upload without a key is refused before anything.
        var upload = Recs_Issuance_V1_UploadGenerationFileRequest()
        upload.requestId = "process-upload"
        upload.reporterOrganizationId = "A2"
        upload.content = Array("UNITID,Vintage,BeginDate,EndDate,TotalMWh\nQ1,01/2026,01/01/2026,01/31/2026,1".utf8)
        let anonymousClient = try TestDeployment.client(port: port)
        do {
            _ = try await Recs_Issuance_V1_IssuanceServiceClient(anonymousClient).uploadGenerationFile(upload)
            Issue.record("an anonymous upload succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unauthenticated)
        }
        // A peer service is not a reporting entity either.
        do {
            _ = try await issuance.uploadGenerationFile(upload)
            Issue.record("a peer service's upload succeeded")
        } catch let error as RPCError {
            #expect(error.code == .permissionDenied)
        }
        await anonymousClient.close()
        await client.close()

        #expect(await process.stop() == 0, "exit status on SIGTERM")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("issuance.sqlite").path))
    }

    @Test(
        "ADR 0006: issuance, transfer and reporting refuse to start without a client certificate, since their peers' feeds are for peer services only",
        arguments: ["issuance", "transfer", "reporting"])
    func refusesToStartWithoutPeerCertificate(product: String) throws {
        guard ServiceProcess.isBuilt(product) else { try Test.cancel("\(product) is not built") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-no-cert-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, output) = try ServiceProcess.runToExit(product, arguments: ["--port", "0", "--data-dir", directory.path])
        #expect(status != 0)
        #expect(output.contains("--tls-dir"), "names the way out: \(output)")
        #expect(!output.contains("listening on"))
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
