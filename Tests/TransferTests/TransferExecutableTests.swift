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
    @Test("§14.2: serves on SQLite in RECS_DATA_DIR, keeps data across restarts, stops on SIGTERM")
    func servesAndStops() async throws {
        guard ServiceProcess.isBuilt("transfer") else {
            try Test.cancel("transfer is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-transfer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        for round in 1...2 {
            let process = try await ServiceProcess.start(
                "transfer", arguments: ["--port", "0", "--tls-dir", TestDeployment.tlsDirectory, "--registry-address", "127.0.0.1:9"],
                environment: ["RECS_DATA_DIR": directory.path], logDirectory: directory.appendingPathComponent("logs"))
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
            request.organizationId = "A1"
            request.depositSubaccountId = "1000ACTA-01AA"
            // Issue 7: a forged deposit is refused, from anybody but the issuance service.
            try await expectStatus(.unauthenticated) { _ = try await anonymous.depositCertificates(request) }
            try await expectStatus(.permissionDenied) { _ = try await asReporting.depositCertificates(request) }
            // The second run answers the first deposit: the data survived the restart.
            let response = try await transfer.depositCertificates(request)
            #expect(response.placements.count == 1)
            let events = try await transfer.listEvents(Recs_Transfer_V1_ListEventsRequest())
            #expect(events.lastSequence == 1, "round \(round)")
            try await expectStatus(.permissionDenied) { _ = try await transfer.listHoldings(Recs_Transfer_V1_ListHoldingsRequest()) }
            await client.close()
            await reportingClient.close()
            await anonymousClient.close()

            #expect(await process.stop() == 0, "exit status on SIGTERM")
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("transfer.sqlite").path))
    }
}
