import Foundation
import GRPCWire
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import ServiceTestSupport
import Testing

/// The `registry` executable as a process: configuration from flags and environment, migrations at
/// start, "registry listening on PORT", and a graceful stop on SIGTERM with exit status 0.
@Suite("registry executable")
struct RegistryExecutableTests {
    @Test(
        "Serves TLS on SQLite in RECS_DATA_DIR, writes the administrator's key once, refuses anonymous callers, keeps data across restarts, stops on SIGTERM"
    )
    func servesAndStops() async throws {
        guard ServiceProcess.isBuilt("registry") else {
            try Test.cancel("registry is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-registry-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        var firstToken = ""
        for round in 1...2 {
            let process = try await ServiceProcess.start(
                "registry", arguments: ["--port", "0", "--tls-dir", TestDeployment.tlsDirectory],
                environment: ["RECS_DATA_DIR": directory.path], logDirectory: directory.appendingPathComponent("logs"))
            let port = process.port
            let client = try TestDeployment.client(port: port)
            let registry = Recs_Registry_V1_RegistryServiceClient(client)
            let administrator = TestDeployment.options(try TestDeployment.administratorKey(in: directory.path))
            var request = Recs_Registry_V1_CreateOrganizationRequest()
            request.requestId = "process-create"
            request.name = "Process Test"
            request.type = .accountHolder
            request.managerPersonName = "Pat"
            request.managerLogin = "pat-process"
            // Only the administrator creates organizations; nobody anonymous gets past health.
            try await expectStatus(.unauthenticated) { _ = try await registry.createOrganization(request) }
            // The second run answers the recorded outcome: the data survived the restart.
            let response = try await registry.createOrganization(request, options: administrator)
            // A1 is the registry administrator's organization, made on the first start with its
            // Manager and first API key (three events); a restart makes nothing again. A2 and its
            // Manager are two more.
            #expect(response.organization?.organizationId == "A2")
            // ADR 0007: without --test-clock there is no way to move the service's time.
            try await expectStatus(.unimplemented) {
                _ = try await Recs_Testing_V1_TestClockClient(client).getTime(Recs_Testing_V1_GetTimeRequest(), options: administrator)
            }
            let events = try await registry.listEvents(Recs_Registry_V1_ListEventsRequest(), options: administrator)
            #expect(events.lastSequence == 5, "round \(round)")
            let keyFile = directory.appendingPathComponent("admin-api-key")
            let token = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("recs_K1_") && token.count == "recs_K1_".count + 64)
            if round == 1 { firstToken = token } else { #expect(token == firstToken, "the key file is written once") }
            let permissions = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
            #expect(permissions == 0o600, "readable by its owner only")
            await client.close()

            #expect(await process.stop() == 0, "exit status on SIGTERM")
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("registry.sqlite").path))

        // ADR 0006: a lost administrator key is recovered by whoever runs the registry with its data:
        // --issue-admin-key writes a new one, and refuses while the file is still there.
        let refused = try ServiceProcess.runToExit(
            "registry", arguments: ["--port", "0", "--tls-dir", TestDeployment.tlsDirectory, "--issue-admin-key"],
            environment: ["RECS_DATA_DIR": directory.path])
        #expect(refused.status != 0 && refused.output.contains("admin-api-key exists"), "\(refused.output)")
        let keyFile = directory.appendingPathComponent("admin-api-key")
        try FileManager.default.removeItem(at: keyFile)
        let process = try await ServiceProcess.start(
            "registry", arguments: ["--port", "0", "--tls-dir", TestDeployment.tlsDirectory, "--issue-admin-key"],
            environment: ["RECS_DATA_DIR": directory.path], logDirectory: directory.appendingPathComponent("logs"))
        let recovered = try TestDeployment.administratorKey(in: directory.path)
        #expect(recovered != firstToken && !recovered.hasPrefix("recs_K1_"))
        let permissions = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let client = try TestDeployment.client(port: process.port)
        let me = try await Recs_Registry_V1_RegistryServiceClient(client).whoAmI(
            Recs_Registry_V1_WhoAmIRequest(), options: TestDeployment.options(recovered))
        #expect(me.actor?.kind == .registryAdministrator && me.user?.login == "admin")
        await client.close()
        #expect(await process.stop() == 0)
    }
}
