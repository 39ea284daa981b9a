import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `registry` executable as a process: configuration from flags and environment, migrations at
/// start, "registry listening on PORT", and a graceful stop on SIGTERM with exit status 0.
@Suite("registry executable")
struct RegistryExecutableTests {
    /// Built beside the test bundle by `swift build --build-tests` (every product is built).
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("registry")
    }

    @Test("Serves on SQLite in RECS_DATA_DIR, keeps data across restarts, stops on SIGTERM")
    func servesAndStops() async throws {
        let executable = Self.executable
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            try Test.cancel("\(executable.path) is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-registry-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        for round in 1...2 {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["--port", "0"]
            var environment = ProcessInfo.processInfo.environment
            environment["RECS_DATA_DIR"] = directory.path
            environment.removeValue(forKey: "RECS_REGISTRY_DATABASE_URL")
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()

            let line = await Task.detached { () -> String in
                var bytes: [UInt8] = []
                while true {
                    let chunk = output.fileHandleForReading.readData(ofLength: 1)
                    guard let byte = chunk.first else { break }
                    if byte == UInt8(ascii: "\n") { break }
                    bytes.append(byte)
                }
                return String(decoding: bytes, as: UTF8.self)
            }.value
            #expect(line.hasPrefix("registry listening on "))
            let port = try #require(Int(line.dropFirst("registry listening on ".count)))

            let client = try RPCClient(host: "127.0.0.1", port: port)
            let registry = Recs_Registry_V1_RegistryServiceClient(client)
            var request = Recs_Registry_V1_CreateOrganizationRequest()
            request.requestId = "process-create"
            request.name = "Process Test"
            request.type = .accountHolder
            request.managerPersonName = "Pat"
            request.managerLogin = "pat-process"
            // The second run answers the recorded outcome: the data survived the restart.
            let response = try await registry.createOrganization(request)
            #expect(response.organization?.organizationId == "A1")
            let events = try await registry.listEvents(Recs_Registry_V1_ListEventsRequest())
            #expect(events.lastSequence == 1, "round \(round)")
            await client.close()

            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("registry.sqlite").path))
    }
}
