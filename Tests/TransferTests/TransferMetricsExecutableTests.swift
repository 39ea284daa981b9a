import Foundation
import GRPCWire
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import ServiceTestSupport
import Testing

/// Issue 8, item 9: the `transfer` executable with `--metrics-port 0` serves GET /metrics, and
/// what it counts matches the calls made to it.
@Suite("transfer metrics endpoint")
struct TransferMetricsExecutableTests {
    static let listEvents = "recs.transfer.v1.TransferService/ListEvents"
    static let deposit = "recs.transfer.v1.TransferService/DepositCertificates"

    @Test("counts each call by method and code, times it in a histogram, shows feed lag; stops on SIGTERM")
    func countsCalls() async throws {
        guard ServiceProcess.isBuilt("transfer") else {
            try Test.cancel("transfer is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        // No registry runs at that address: the registry followers keep failing, which the
        // background-failure counter shows, while the service still answers.
        let process = try await ServiceProcess.start(
            "transfer",
            arguments: [
                "--port", "0", "--metrics-port", "0", "--tls-dir", TestDeployment.tlsDirectory, "--data-dir", directory.path,
                "--registry-address", "127.0.0.1:9", "--feed-poll-milliseconds", "50",
            ],
            logDirectory: directory.appendingPathComponent("logs"))
        let metricsPort = try #require(process.metricsPort)

        let before = MetricsScrape.samples(try MetricsScrape.request(port: metricsPort).body)
        let okBefore = MetricsScrape.value(before, "recs_rpc_requests_total", ["method": Self.listEvents, "code": "OK"]) ?? 0
        let deniedBefore =
            MetricsScrape.value(before, "recs_rpc_requests_total", ["method": Self.deposit, "code": "UNAUTHENTICATED"]) ?? 0
        let histogramBefore = MetricsScrape.value(before, "recs_rpc_request_duration_seconds_count", ["method": Self.listEvents]) ?? 0

        let reportingClient = try TestDeployment.client(port: process.port, as: "reporting")
        let anonymousClient = try TestDeployment.client(port: process.port)
        let asReporting = Recs_Transfer_V1_TransferServiceClient(reportingClient)
        let anonymous = Recs_Transfer_V1_TransferServiceClient(anonymousClient)
        for _ in 1...3 { _ = try await asReporting.listEvents(Recs_Transfer_V1_ListEventsRequest()) }
        var deposit = Recs_Transfer_V1_DepositCertificatesRequest()
        deposit.requestId = "metrics-deposit"
        for _ in 1...2 { try await expectStatus(.unauthenticated) { _ = try await anonymous.depositCertificates(deposit) } }
        await reportingClient.close()
        await anonymousClient.close()

        let scrape = try MetricsScrape.request(port: metricsPort)
        #expect(scrape.status == 200)
        let after = MetricsScrape.samples(scrape.body)
        #expect(MetricsScrape.value(after, "recs_rpc_requests_total", ["method": Self.listEvents, "code": "OK"]) == okBefore + 3)
        #expect(
            MetricsScrape.value(after, "recs_rpc_requests_total", ["method": Self.deposit, "code": "UNAUTHENTICATED"])
                == deniedBefore + 2)
        #expect(
            MetricsScrape.value(after, "recs_rpc_request_duration_seconds_count", ["method": Self.listEvents]) == histogramBefore + 3)
        #expect(
            MetricsScrape.value(after, "recs_rpc_request_duration_seconds_bucket", ["method": Self.listEvents, "le": "+Inf"])
                == histogramBefore + 3)
        #expect(MetricsScrape.value(after, "recs_rpc_requests_in_flight", ["method": Self.listEvents]) == 0)
        #expect(MetricsScrape.value(after, "recs_feed_lag_events", ["follower": "registry"]) != nil)
        #expect(MetricsScrape.value(after, "recs_feed_lag_events", ["follower": "registry-principals"]) != nil)
        #expect((MetricsScrape.value(after, "recs_db_commits_total") ?? 0) > 0, "migrations and the calls committed")
        #expect(MetricsScrape.value(after, "recs_db_transactions_total", ["outcome": "committed"]) != nil)
        #expect(scrape.body.contains("# HELP recs_rpc_requests_total "))
        #expect(scrape.body.contains("# TYPE recs_rpc_request_duration_seconds histogram"))
        let registryFailures = try await eventually(timeout: .seconds(10)) {
            let samples = MetricsScrape.samples(try MetricsScrape.request(port: metricsPort).body)
            return (MetricsScrape.value(samples, "recs_background_work_failures_total", ["work": "registry feed"]) ?? 0) > 0
        }
        #expect(registryFailures, "the unreachable registry shows as failures of the follower's loop")

        // Only GET /metrics is served.
        #expect(try MetricsScrape.request(port: metricsPort, path: "/other").status == 404)
        #expect(try MetricsScrape.request(port: metricsPort, method: "POST").status == 405)
        #expect(try MetricsScrape.request(port: metricsPort, method: "GET", body: "x").status == 413)

        #expect(await process.stop() == 0, "exit status on SIGTERM")
        #expect(throws: (any Error).self, "the endpoint stopped with the process") {
            _ = try MetricsScrape.request(port: metricsPort)
        }
    }
}
