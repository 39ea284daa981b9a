import ArgumentParser
import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

/// What one command invocation uses: a client per service (connected on first call), the call
/// options and the printer.
final class Session {
    let options: GlobalOptions
    let printer: Printer
    private var clients: [Service: RPCClient] = [:]

    init(options: GlobalOptions) {
        self.options = options
        self.printer = Printer(json: options.json)
    }

    /// The deadline of every call, and the caller's key when it has one.
    var callOptions: CallOptions {
        var metadata = Metadata()
        if let key = try? options.apiKey() { metadata.add("authorization", "Bearer \(key)") }
        return CallOptions(metadata: metadata, timeout: .seconds(options.deadlineSeconds))
    }

    func client(_ service: Service) throws -> RPCClient {
        if let client = clients[service] { return client }
        let endpoint = try Endpoint(parsing: options.address(of: service), option: "--\(service.rawValue)")
        let tls = options.ca.isEmpty ? nil : ClientTLSConfiguration(caPath: options.ca)
        let client = try RPCClient(host: endpoint.host, port: endpoint.port, tls: tls)
        clients[service] = client
        return client
    }

    var registry: Recs_Registry_V1_RegistryServiceClient { get throws { .init(try client(.registry)) } }
    var issuance: Recs_Issuance_V1_IssuanceServiceClient { get throws { .init(try client(.issuance)) } }
    var transfer: Recs_Transfer_V1_TransferServiceClient { get throws { .init(try client(.transfer)) } }
    var reporting: Recs_Reporting_V1_ReportingServiceClient { get throws { .init(try client(.reporting)) } }

    /// The request id of a mutating call, written on stderr so that a user whose call failed or
    /// timed out can retry it with `--request-id` and be sure it takes effect at most once.
    func requestID() -> String {
        let id = options.requestID ?? UUID().uuidString.lowercased()
        printError("request-id: \(id)")
        return id
    }

    func close() async {
        for client in clients.values { await client.close() }
        clients = [:]
    }
}

/// A command that calls the services. `run()` gives it a session and turns a failed call into the
/// one error shape on stderr and exit status 1.
protocol RecsCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    func execute(_ session: Session) async throws
}

extension RecsCommand {
    func run() async throws {
        let session = Session(options: global)
        let failure: (any Error)?
        do {
            try await execute(session)
            failure = nil
        } catch {
            failure = error
        }
        await session.close()
        guard let failure else { return }
        if failure is ExitCode || failure is ValidationError || failure is CleanExit { throw failure }
        report(failure)
        throw ExitCode.failure
    }
}

/// A failure found by `recs` itself after parsing (a file it cannot read, a missing record):
/// printed as `error: <description>`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes `error: STATUS: message` and each rule violation of the trailing `recs-error-details-bin`.
func report(_ error: any Error) {
    guard let error = error as? RPCError else {
        printError("error: \(error)")
        return
    }
    printError("error: \(error.code): \(error.message)")
    guard let bytes = error.metadata.binary("recs-error-details-bin") else { return }
    guard let details = try? Recs_Common_V1_ErrorDetails(protobufBytes: bytes) else {
        printError("  (recs-error-details-bin could not be decoded)")
        return
    }
    if !details.reason.isEmpty { printError("  reason \(details.reason)") }
    for violation in details.violations { printError("  " + describe(violation)) }
}

/// `rule <code> <section> line <n> field <f>: <message>`, leaving out the parts a violation lacks.
func describe(_ violation: Recs_Common_V1_RuleViolation) -> String {
    var parts = ["rule \(violation.code)"]
    if !violation.section.isEmpty { parts.append(violation.section) }
    if violation.line > 0 { parts.append("line \(violation.line)") }
    if !violation.field.isEmpty { parts.append("field \(violation.field)") }
    return parts.joined(separator: " ") + ": " + violation.message
}
