import Foundation
import GRPCWire
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import ServiceTestSupport
import Testing

/// The `transfer` executable as a process: configuration from flags and environment, migrations at
/// start, "transfer listening on PORT", and a graceful stop on SIGTERM with exit status 0.
@Suite("transfer executable")
struct TransferExecutableTests {
    @Test(
        "§14.2: serves TLS on SQLite in RECS_DATA_DIR, takes deposits from the issuance service only, into subaccounts the registry published, keeps data across restarts, stops on SIGTERM"
    )
    func servesAndStops() async throws {
        for product in ["transfer", "registry"] where !ServiceProcess.isBuilt(product) {
            try Test.cancel("\(product) is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-transfer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logs = directory.appendingPathComponent("logs")
        let registryData = directory.appendingPathComponent("registry").path
        let registry = try await ServiceProcess.start(
            "registry", arguments: ["--port", "0", "--tls-dir", TestDeployment.tlsDirectory, "--data-dir", registryData],
            logDirectory: logs)
        let registryClient = try TestDeployment.client(port: registry.port)
        let administrator = TestDeployment.options(try TestDeployment.administratorKey(in: registryData))
        var create = Recs_Registry_V1_CreateOrganizationRequest()
        (create.requestId, create.name, create.type, create.managerPersonName, create.managerLogin) =
            ("process-org", "Process Test", .accountHolder, "Pat", "pat-process")
        let organization = try #require(
            try await Recs_Registry_V1_RegistryServiceClient(registryClient).createOrganization(create, options: administrator).organization)
        let active = try #require(organization.subaccounts.first { $0.kind == .active })

        for round in 1...2 {
            let process = try await ServiceProcess.start(
                "transfer",
                arguments: [
                    "--port", "0", "--tls-dir", TestDeployment.tlsDirectory, "--registry-address", registry.address,
                    "--feed-poll-milliseconds", "50",
                ],
                environment: ["RECS_DATA_DIR": directory.path], logDirectory: logs)
            let port = process.port
            // Deposits come from the issuance service only, known by its certificate.
            let client = try TestDeployment.client(port: port, as: "issuance")
            let transfer = Recs_Transfer_V1_TransferServiceClient(client)
            let reportingClient = try TestDeployment.client(port: port, as: "reporting")
            let asReporting = Recs_Transfer_V1_TransferServiceClient(reportingClient)
            let anonymousClient = try TestDeployment.client(port: port)
            let anonymous = Recs_Transfer_V1_TransferServiceClient(anonymousClient)
            var request = Recs_Transfer_V1_DepositCertificatesRequest()
            request.requestId = "process-deposit"
            var batch = Recs_Common_V1_CertificateBatch()
            batch.batchNumber = 7
            batch.quantity = 10
            var attributes = Recs_Common_V1_CertificateAttributes()
            attributes.generatingUnitId = "99999"
            attributes.stateOrProvince = "CA"
            attributes.fuelTypeCode = "SO1"
            var vintage = Recs_Common_V1_Vintage()
            vintage.year = 2024
            vintage.month = 1
            attributes.vintage = vintage
            var created = Recs_Common_V1_Date()
            created.year = 2024
            created.month = 3
            created.day = 1
            attributes.createdOn = created
            batch.attributes = attributes
            request.batch = batch
            request.organizationId = organization.organizationId
            request.depositSubaccountId = active.subaccountId
            // Issue 7: a forged deposit is refused, from anybody but the issuance service.
            try await expectStatus(.unauthenticated) { _ = try await anonymous.depositCertificates(request) }
            try await expectStatus(.permissionDenied) { _ = try await asReporting.depositCertificates(request) }
            // Issue 7: a subaccount the registry never published is not made up by a deposit.
            var forged = request
            (forged.requestId, forged.depositSubaccountId) = ("forged-subaccount", "9999FAKE-01AA")
            try await expectStatus(.failedPrecondition) { _ = try await transfer.depositCertificates(forged) }
            // The second run answers the first deposit: the data survived the restart.
            let response = try await transfer.depositCertificates(request)
            #expect(response.placements.count == 1)
            let events = try await transfer.listEvents(Recs_Transfer_V1_ListEventsRequest())
            #expect(events.lastSequence == 1, "round \(round)")
            #expect(events.events.first?.actor?.kind == .service && events.events.first?.actor?.id == "issuance")
            try await expectStatus(.permissionDenied) { _ = try await transfer.listHoldings(Recs_Transfer_V1_ListHoldingsRequest()) }
            await client.close()
            await reportingClient.close()
            await anonymousClient.close()

            #expect(await process.stop() == 0, "exit status on SIGTERM")
        }
        await registryClient.close()
        #expect(await registry.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("transfer.sqlite").path))
    }
}
