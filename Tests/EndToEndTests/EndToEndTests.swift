import Domain
import Foundation
import GRPCWire
import Ledger
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import Storage
import StorageTestSupport
import Testing

/// The walking skeleton end to end (issue 3): the four real executables as separate processes,
/// each on its own database, calling each other over gRPC; a certificate goes from meter data to
/// retirement, and afterwards every batch is conserved and no serial number is in two holdings.
@Suite("end to end: four services as processes", .serialized)
struct EndToEndTests {
    static let products = ["registry", "transfer", "issuance", "reporting"]

    @Test("meter data → issuance → transfer → retirement, looked up in reporting; conservation holds", arguments: TestDatabaseKind.allCases)
    func walkingSkeleton(kind: TestDatabaseKind) async throws {
        for product in Self.products + ["recs"] where !ServiceProcess.isBuilt(product) {
            Issue.record("\(product) is not built beside the tests (swift build --build-tests builds every product)")
            return
        }
        try await System.withRunning(kind) { system in
            try await Flow(system: system).run()
        }
    }
}

/// The four services running, with clients and where each keeps its data.
struct System {
    let registry: ServiceProcess
    let transfer: ServiceProcess
    let issuance: ServiceProcess
    let reporting: ServiceProcess
    let clients: [RPCClient]
    let registryClient: Recs_Registry_V1_RegistryServiceClient
    let transferClient: Recs_Transfer_V1_TransferServiceClient
    let issuanceClient: Recs_Issuance_V1_IssuanceServiceClient
    let reportingClient: Recs_Reporting_V1_ReportingServiceClient
    /// Opens the transfer service's database (the ledger) from the test, for the invariant.
    let openTransferDatabase: @Sendable () async throws -> any Database
    let logDirectory: URL

    var processes: [ServiceProcess] { [registry, transfer, issuance, reporting] }

    /// Starts the services in the order they call each other (registry; transfer → registry;
    /// issuance → registry, transfer; reporting → all three), runs `body`, stops them with SIGTERM
    /// and expects each to exit 0.
    static func withRunning(_ kind: TestDatabaseKind, _ body: (System) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("recs-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var databases: [String: TestDatabase] = [:]
        var storage: [String: [String]] = [:]
        switch kind {
        case .sqlite:
            for product in EndToEndTests.products { storage[product] = ["--data-dir", root.appendingPathComponent("data").path] }
        case .postgres:
            for product in EndToEndTests.products {
                switch try await TestDatabase.make(.postgres) {
                case .unavailable(let message, let isFailure):
                    for database in databases.values { await database.tearDown() }
                    if isFailure { Issue.record(Comment(rawValue: message)) } else { try Test.cancel(Comment(rawValue: message)) }
                    return
                case .available(let database):
                    databases[product] = database
                    storage[product] = ["--database-url", database.postgresURL!]
                }
            }
        }
        defer { for database in databases.values { Task { await database.tearDown() } } }

        let logs = root.appendingPathComponent("logs")
        var started: [ServiceProcess] = []
        func start(_ product: String, _ peers: [String]) async throws -> ServiceProcess {
            let process = try await ServiceProcess.start(
                product, arguments: ["--port", "0"] + storage[product]! + peers + ["--feed-poll-milliseconds", "100"].filter { _ in product != "registry" },
                logDirectory: logs)
            started.append(process)
            return process
        }
        do {
            let registry = try await start("registry", [])
            let transfer = try await start("transfer", ["--registry-address", registry.address])
            let issuance = try await start(
                "issuance", ["--registry-address", registry.address, "--transfer-address", transfer.address])
            let reporting = try await start(
                "reporting",
                [
                    "--registry-address", registry.address, "--issuance-address", issuance.address, "--transfer-address",
                    transfer.address,
                ])
            let clients = try [registry, transfer, issuance, reporting].map { try RPCClient(host: "127.0.0.1", port: $0.port) }
            let transferURL = databases["transfer"]?.postgresURL
            let dataDirectory = root.appendingPathComponent("data").path
            let system = System(
                registry: registry, transfer: transfer, issuance: issuance, reporting: reporting, clients: clients,
                registryClient: Recs_Registry_V1_RegistryServiceClient(clients[0]),
                transferClient: Recs_Transfer_V1_TransferServiceClient(clients[1]),
                issuanceClient: Recs_Issuance_V1_IssuanceServiceClient(clients[2]),
                reportingClient: Recs_Reporting_V1_ReportingServiceClient(clients[3]),
                openTransferDatabase: {
                    if let transferURL { return try await PostgresDatabase.open(url: transferURL, connectionsMax: 1) }
                    return try await SQLiteDatabase.open(dataDirectory: dataDirectory, service: "transfer")
                }, logDirectory: logs)
            do {
                try await body(system)
            } catch {
                for process in started { print("--- \(process.name) log ---\n\(process.logTail)") }
                throw error
            }
            for client in clients { await client.close() }
            // Stop in reverse order; each stops gracefully on SIGTERM with exit status 0.
            for process in started.reversed() {
                let status = await process.stop()
                #expect(status == 0, "\(process.name) exit status on SIGTERM:\n\(process.logTail)")
            }
        } catch {
            for process in started.reversed() { await process.stop() }
            throw error
        }
    }
}
