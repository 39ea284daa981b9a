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

/// The four services running, with clients and where each keeps its data. The transfer service
/// listens on a fixed port so the test can stop it and start it again where its peers expect it.
final class System: @unchecked Sendable {
    let registry: ServiceProcess
    private(set) var transfer: ServiceProcess
    let issuance: ServiceProcess
    let reporting: ServiceProcess
    let clients: [RPCClient]
    let registryClient: Recs_Registry_V1_RegistryServiceClient
    let transferClient: Recs_Transfer_V1_TransferServiceClient
    let issuanceClient: Recs_Issuance_V1_IssuanceServiceClient
    let reportingClient: Recs_Reporting_V1_ReportingServiceClient
    /// The registry administrator's key, from the file the registry wrote on its first start.
    let administratorKey: String
    /// Where the registry keeps its data: `sqlite:<file>` or a PostgreSQL URL (the audit test
    /// edits a stored event there, as someone with access to the database could).
    let registryStore: String
    /// Opens the transfer service's database (the ledger) from the test, for the invariant.
    let openTransferDatabase: @Sendable () async throws -> any Database
    private let startTransfer: () async throws -> ServiceProcess

    init(
        registry: ServiceProcess, transfer: ServiceProcess, issuance: ServiceProcess, reporting: ServiceProcess,
        administratorKey: String, registryStore: String, openTransferDatabase: @escaping @Sendable () async throws -> any Database,
        startTransfer: @escaping () async throws -> ServiceProcess
    ) throws {
        (self.registry, self.transfer, self.issuance, self.reporting) = (registry, transfer, issuance, reporting)
        // Users' clients: TLS with the deployment's CA and no certificate; who calls is the key sent.
        clients = try [registry, transfer, issuance, reporting].map { try TestDeployment.client(port: $0.port) }
        self.administratorKey = administratorKey
        registryClient = Recs_Registry_V1_RegistryServiceClient(clients[0])
        transferClient = Recs_Transfer_V1_TransferServiceClient(clients[1])
        issuanceClient = Recs_Issuance_V1_IssuanceServiceClient(clients[2])
        reportingClient = Recs_Reporting_V1_ReportingServiceClient(clients[3])
        self.openTransferDatabase = openTransferDatabase
        self.registryStore = registryStore
        self.startTransfer = startTransfer
    }

    var processes: [ServiceProcess] { [registry, transfer, issuance, reporting] }

    /// SIGTERM to the transfer service; its exit status (0 when it stopped gracefully).
    func stopTransfer() async -> Int32? { await transfer.stop() }

    /// The transfer service again, on the same port and data (the clients reconnect by themselves;
    /// its simulated clock resumes where it stood).
    func restartTransfer() async throws {
        transfer = try await startTransfer()
        let options = TestDeployment.options(administratorKey)
        let registryTime = try await Recs_Testing_V1_TestClockClient(clients[0]).getTime(Recs_Testing_V1_GetTimeRequest(), options: options)
        let transferTime = try await Recs_Testing_V1_TestClockClient(clients[1]).getTime(Recs_Testing_V1_GetTimeRequest(), options: options)
        #expect(transferTime.time == registryTime.time, "the restarted transfer service's simulated time resumes where it stood")
    }

    /// Starts the services in the order they call each other (registry; transfer → registry;
    /// issuance → registry, transfer; reporting → all three), runs `body`, stops them with SIGTERM
    /// and expects each to exit 0.
    static func withRunning(_ kind: TestDatabaseKind, _ body: (System) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("recs-e2e-\(UUID().uuidString)")
        var databases: [TestDatabase] = []
        var storage: [String: [String]] = [:]
        switch kind {
        case .sqlite:
            for product in EndToEndTests.products { storage[product] = ["--data-dir", root.appendingPathComponent("data").path] }
        case .postgres:
            for product in EndToEndTests.products {
                switch try await TestDatabase.make(.postgres) {
                case .unavailable(let message, let isFailure):
                    for database in databases { await database.tearDown() }
                    if isFailure { Issue.record(Comment(rawValue: message)) } else { try Test.cancel(Comment(rawValue: message)) }
                    return
                case .available(let database):
                    databases.append(database)
                    storage[product] = ["--database-url", database.postgresURL!]
                }
            }
        }
        do {
            try await run(
                storage: storage, root: root, transferURL: databases.count == 4 ? databases[1].postgresURL : nil,
                registryURL: databases.first?.postgresURL, body)
        } catch {
            for database in databases { await database.tearDown() }
            try? FileManager.default.removeItem(at: root)
            throw error
        }
        for database in databases { await database.tearDown() }
        try? FileManager.default.removeItem(at: root)
    }

    private static func run(
        storage: [String: [String]], root: URL, transferURL: String?, registryURL: String?, _ body: (System) async throws -> Void
    ) async throws {
        let logs = root.appendingPathComponent("logs")
        var started: [ServiceProcess] = []
        func start(_ product: String, port: Int = 0, _ peers: [String]) async throws -> ServiceProcess {
            let polling = product == "registry" ? [] : ["--feed-poll-milliseconds", "100"]
            // The registry writes the administrator's key in its data directory, on PostgreSQL too.
            let keyDirectory =
                product == "registry" && !storage[product]!.contains("--data-dir") ? ["--data-dir", root.appendingPathComponent("data").path] : []
            return try await ServiceProcess.start(
                product,
                arguments: ["--port", "\(port)", "--tls-dir", TestDeployment.tlsDirectory, "--test-clock"] + keyDirectory
                    + storage[product]! + peers + polling,
                logDirectory: logs)
        }
        var system: System?
        do {
            let registry = try await start("registry", [])
            started.append(registry)
            let transferPort = try freePorts(1)[0]
            let startTransfer = { try await start("transfer", port: transferPort, ["--registry-address", registry.address]) }
            let transfer = try await startTransfer()
            started.append(transfer)
            let issuance = try await start(
                "issuance", ["--registry-address", registry.address, "--transfer-address", transfer.address])
            started.append(issuance)
            let reporting = try await start(
                "reporting",
                [
                    "--registry-address", registry.address, "--issuance-address", issuance.address, "--transfer-address",
                    transfer.address,
                ])
            started.append(reporting)
            let dataDirectory = root.appendingPathComponent("data").path
            let running = try System(
                registry: registry, transfer: transfer, issuance: issuance, reporting: reporting,
                administratorKey: try TestDeployment.administratorKey(in: dataDirectory),
                registryStore: registryURL ?? "sqlite:\(dataDirectory)/registry.sqlite", openTransferDatabase: {
                    if let transferURL { return try await PostgresDatabase.open(url: transferURL, connectionsMax: 1) }
                    return try await SQLiteDatabase.open(dataDirectory: dataDirectory, service: "transfer")
                }, startTransfer: startTransfer)
            system = running
            try await body(running)
        } catch {
            for process in system?.processes ?? started { print("--- \(process.name) log ---\n\(process.logTail)") }
            for client in system?.clients ?? [] { await client.close() }
            for process in (system?.processes ?? started).reversed() { await process.stop() }
            throw error
        }
        guard let system else { return }
        for client in system.clients { await client.close() }
        // Stop in reverse order; each stops gracefully on SIGTERM with exit status 0.
        for process in system.processes.reversed() {
            let status = await process.stop()
            #expect(status == 0, "\(process.name) exit status on SIGTERM:\n\(process.logTail)")
        }
    }
}
