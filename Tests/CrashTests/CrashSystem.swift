import Foundation
import GRPCWire
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import Storage
import StorageTestSupport
import Synchronization
import Testing

/// The services of a crash or bad-input test as processes, as a deployment runs them (mutual TLS
/// between the services, API keys for users, `--test-clock`), on SQLite or PostgreSQL. Transfer and
/// issuance listen on fixed ports so a test can kill one with SIGKILL and start it again on the
/// same data where its peers and clients expect it.
final class CrashSystem: Sendable {
    let registry: ServiceProcess
    private let transferProcess: Mutex<ServiceProcess>
    private let issuanceProcess: Mutex<ServiceProcess>
    let reporting: ServiceProcess?
    let transferPort: Int
    let issuancePort: Int
    let administratorKey: String
    /// The administrator's clients (users' clients: TLS with the deployment's CA, no certificate).
    let clients: [RPCClient]
    let registryClient: Recs_Registry_V1_RegistryServiceClient
    let issuanceClient: Recs_Issuance_V1_IssuanceServiceClient
    let transferClient: Recs_Transfer_V1_TransferServiceClient
    let reportingClient: Recs_Reporting_V1_ReportingServiceClient?
    /// Opens the transfer service's database (the ledger) from the test, for the invariant.
    let openTransferDatabase: @Sendable () async throws -> any Database
    private let startTransferProcess: @Sendable () async throws -> ServiceProcess
    private let startIssuanceProcess: @Sendable () async throws -> ServiceProcess
    /// How many times each service was killed.
    let kills = Mutex<[String: Int]>([:])

    var transfer: ServiceProcess { transferProcess.withLock { $0 } }
    var issuance: ServiceProcess { issuanceProcess.withLock { $0 } }
    var processes: [ServiceProcess] { [registry, transfer, issuance] + (reporting.map { [$0] } ?? []) }

    private init(
        registry: ServiceProcess, transfer: ServiceProcess, issuance: ServiceProcess, reporting: ServiceProcess?,
        transferPort: Int, issuancePort: Int, administratorKey: String,
        openTransferDatabase: @escaping @Sendable () async throws -> any Database,
        startTransfer: @escaping @Sendable () async throws -> ServiceProcess,
        startIssuance: @escaping @Sendable () async throws -> ServiceProcess
    ) throws {
        self.registry = registry
        transferProcess = Mutex(transfer)
        issuanceProcess = Mutex(issuance)
        self.reporting = reporting
        (self.transferPort, self.issuancePort) = (transferPort, issuancePort)
        self.administratorKey = administratorKey
        clients = try ([registry.port, transferPort, issuancePort] + (reporting.map { [$0.port] } ?? [])).map {
            try TestDeployment.client(port: $0)
        }
        registryClient = Recs_Registry_V1_RegistryServiceClient(clients[0])
        transferClient = Recs_Transfer_V1_TransferServiceClient(clients[1])
        issuanceClient = Recs_Issuance_V1_IssuanceServiceClient(clients[2])
        reportingClient = reporting == nil ? nil : Recs_Reporting_V1_ReportingServiceClient(clients[3])
        self.openTransferDatabase = openTransferDatabase
        startTransferProcess = startTransfer
        startIssuanceProcess = startIssuance
    }

    var administrator: CallOptions { TestDeployment.options(administratorKey) }

    /// SIGKILL to the transfer service, then the same executable again on the same port and data.
    func killAndRestartTransfer() async throws {
        transfer.killAbruptly()
        kills.withLock { $0["transfer", default: 0] += 1 }
        let started = try await startTransferProcess()
        transferProcess.withLock { $0 = started }
    }

    /// SIGKILL to the issuance service (no restart).
    func killIssuance() {
        issuance.killAbruptly()
        kills.withLock { $0["issuance", default: 0] += 1 }
    }

    /// The issuance service again on its port and data.
    func restartIssuance() async throws {
        let started = try await startIssuanceProcess()
        issuanceProcess.withLock { $0 = started }
    }

    /// Sets every running service's simulated clock (ADR 0007) to `unixSeconds`.
    func setTime(unixSeconds: Int64) async throws {
        var request = Recs_Testing_V1_SetTimeRequest()
        var time = Recs_Common_V1_Timestamp()
        time.unixSeconds = unixSeconds
        request.time = time
        for client in clients {
            _ = try await Recs_Testing_V1_TestClockClient(client).setTime(request, options: administrator)
        }
    }

    /// Starts registry, transfer, issuance (and reporting when `withReporting`) on `kind`, runs
    /// `body`, then stops them with SIGTERM. Logs of every process are printed when `body` throws.
    static func withRunning(
        _ kind: TestDatabaseKind, withReporting: Bool = false, _ body: (CrashSystem) async throws -> Void
    ) async throws {
        let products = ["registry", "transfer", "issuance"] + (withReporting ? ["reporting"] : [])
        for product in products where !ServiceProcess.isBuilt(product) {
            Issue.record("\(product) is not built beside the tests (swift build --build-tests builds every product)")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("recs-crash-\(UUID().uuidString)")
        let dataDirectory = root.appendingPathComponent("data").path
        var databases: [TestDatabase] = []
        var storage: [String: [String]] = [:]
        switch kind {
        case .sqlite:
            for product in products { storage[product] = ["--data-dir", dataDirectory] }
        case .postgres:
            for product in products {
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
        let transferURL = kind == .postgres ? databases[1].postgresURL : nil
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            try await run(storage: storage, root: root, withReporting: withReporting, openTransferDatabase: {
                if let transferURL { return try await PostgresDatabase.open(url: transferURL, connectionsMax: 1) }
                return try await SQLiteDatabase.open(dataDirectory: dataDirectory, service: "transfer")
            }, body)
        } catch {
            for database in databases { await database.tearDown() }
            throw error
        }
        for database in databases { await database.tearDown() }
    }

    private static func run(
        storage: [String: [String]], root: URL, withReporting: Bool,
        openTransferDatabase: @escaping @Sendable () async throws -> any Database, _ body: (CrashSystem) async throws -> Void
    ) async throws {
        let logs = root.appendingPathComponent("logs")
        let dataDirectory = root.appendingPathComponent("data").path
        @Sendable func start(_ product: String, port: Int = 0, _ extra: [String]) async throws -> ServiceProcess {
            let polling = product == "registry" ? [] : ["--feed-poll-milliseconds", "100"]
            // The registry writes the administrator's key in its data directory, on PostgreSQL too.
            let keyDirectory = product == "registry" && !storage[product]!.contains("--data-dir") ? ["--data-dir", dataDirectory] : []
            return try await ServiceProcess.start(
                product,
                arguments: ["--port", "\(port)", "--tls-dir", TestDeployment.tlsDirectory, "--test-clock"] + keyDirectory
                    + storage[product]! + extra + polling,
                logDirectory: logs)
        }
        var started: [ServiceProcess] = []
        var system: CrashSystem?
        do {
            let registry = try await start("registry", [])
            started.append(registry)
            let ports = try freePorts(2)
            let (transferPort, issuancePort) = (ports[0], ports[1])
            let startTransfer: @Sendable () async throws -> ServiceProcess = {
                try await start("transfer", port: transferPort, ["--registry-address", registry.address])
            }
            let transfer = try await startTransfer()
            started.append(transfer)
            // Deposits are retried every 200 ms, so a batch left undeposited by a kill goes soon.
            let startIssuance: @Sendable () async throws -> ServiceProcess = {
                try await start(
                    "issuance", port: issuancePort,
                    [
                        "--registry-address", registry.address, "--transfer-address", "127.0.0.1:\(transferPort)",
                        "--deposit-retry-milliseconds", "200",
                    ])
            }
            let issuance = try await startIssuance()
            started.append(issuance)
            var reporting: ServiceProcess?
            if withReporting {
                reporting = try await start(
                    "reporting",
                    [
                        "--registry-address", registry.address, "--issuance-address", issuance.address, "--transfer-address",
                        transfer.address,
                    ])
                started.append(reporting!)
            }
            let running = try CrashSystem(
                registry: registry, transfer: transfer, issuance: issuance, reporting: reporting, transferPort: transferPort,
                issuancePort: issuancePort, administratorKey: try TestDeployment.administratorKey(in: dataDirectory),
                openTransferDatabase: openTransferDatabase, startTransfer: startTransfer, startIssuance: startIssuance)
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
        for process in system.processes.reversed() {
            let status = await process.stop()
            #expect(status == 0, "\(process.name) exit status on SIGTERM after the test:\n\(process.logTail)")
        }
    }
}
