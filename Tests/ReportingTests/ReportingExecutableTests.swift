import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import ServiceTestSupport
import ProcessTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `reporting` executable as a process: it starts and serves even when none of the three feeds
/// can be reached (they are retried at each poll), and stops on SIGTERM with exit status 0.
@Suite("reporting executable")
struct ReportingExecutableTests {
    /// Built beside the test bundle by `swift build --build-tests` (every product is built).
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("reporting")
    }

    /// A loopback port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw TestFailure("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("Starts with its peers down, serves GetFeedPositions, stops on SIGTERM with status 0")
    func servesWithPeersDown() async throws {
        let executable = Self.executable
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            try Test.cancel("\(executable.path) is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-reporting-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let peer = "127.0.0.1:\(try Self.closedPort())"

        let process = try await ServiceProcess.start(
            "reporting", arguments: [
                "--port", "0", "--registry-address", peer, "--issuance-address", peer, "--transfer-address", peer,
                "--feed-poll-milliseconds", "20", "--tls-dir", TestDeployment.tlsDirectory,
            ], environment: ["RECS_DATA_DIR": directory.path],
            logDirectory: directory.appendingPathComponent("logs"))
        let port = process.port

        // Let the followers fail a few polls against the closed port; the service keeps serving.
        try await Task.sleep(for: .milliseconds(200))
        #expect(process.isRunning)
        // Its followers cannot work with the peers down: health says so (NOT_SERVING), it does not
        // stall silently (issue 7); calls are still answered.
        let healthClient = try TestDeployment.client(port: port)
        var check = Grpc_Health_V1_HealthCheckRequest()
        check.service = "recs.reporting.v1.ReportingService"
        let notServing = try await eventually(timeout: .seconds(10)) {
            try await Grpc_Health_V1_HealthClient(healthClient).check(check).status == .notServing
        }
        #expect(notServing, "reporting's health while it cannot follow its peers")
        await healthClient.close()
        // Feed positions are for operators and peer services: a peer's certificate reads them.
        let anonymousClient = try TestDeployment.client(port: port)
        try await expectStatus(.unauthenticated) {
            _ = try await Recs_Reporting_V1_ReportingServiceClient(anonymousClient).getFeedPositions(Recs_Reporting_V1_GetFeedPositionsRequest())
        }
        await anonymousClient.close()
        let client = try TestDeployment.client(port: port, as: "registry")
        let reporting = Recs_Reporting_V1_ReportingServiceClient(client)
        let response = try await reporting.getFeedPositions(Recs_Reporting_V1_GetFeedPositionsRequest())
        #expect(response.positions.count == 3)
        #expect(response.positions.allSatisfy { $0.appliedSequence == 0 })
        await client.close()

        #expect(await process.stop() == 0, "exit status on SIGTERM")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("reporting.sqlite").path))
    }
}
