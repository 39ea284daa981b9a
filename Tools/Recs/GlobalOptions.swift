import ArgumentParser
import Foundation

/// The four services `recs` talks to, with where to find each by default.
enum Service: String, CaseIterable, Sendable, ExpressibleByArgument {
    case registry, issuance, transfer, reporting

    /// The gRPC service name, also the name its health status is published under.
    var grpcName: String {
        switch self {
        case .registry: "recs.registry.v1.RegistryService"
        case .issuance: "recs.issuance.v1.IssuanceService"
        case .transfer: "recs.transfer.v1.TransferService"
        case .reporting: "recs.reporting.v1.ReportingService"
        }
    }

    var environmentVariable: String { "RECS_\(rawValue.uppercased())_ADDRESS" }

    var defaultAddress: String {
        switch self {
        case .registry: "127.0.0.1:50061"
        case .issuance: "127.0.0.1:50062"
        case .transfer: "127.0.0.1:50063"
        case .reporting: "127.0.0.1:50064"
        }
    }
}

/// Options every command takes: where the services are, how to reach them and how to print.
/// Each can also be given by an environment variable; the option wins.
struct GlobalOptions: ParsableArguments {
    static let environment = ProcessInfo.processInfo.environment

    @Option(help: "Registry service host:port. [env: RECS_REGISTRY_ADDRESS]")
    var registry: String = defaultAddress(.registry)

    @Option(help: "Issuance service host:port. [env: RECS_ISSUANCE_ADDRESS]")
    var issuance: String = defaultAddress(.issuance)

    @Option(help: "Transfer service host:port. [env: RECS_TRANSFER_ADDRESS]")
    var transfer: String = defaultAddress(.transfer)

    @Option(help: "Reporting service host:port. [env: RECS_REPORTING_ADDRESS]")
    var reporting: String = defaultAddress(.reporting)

    @Option(help: "PEM CA that signed the services' certificates: speak TLS instead of cleartext h2c. [env: RECS_CA]")
    var ca: String = environment["RECS_CA"] ?? ""

    @Option(
        name: .customLong("api-key-file"),
        help: ArgumentHelp(
            "File holding your API key (recs_K…_…), sent as `authorization: Bearer` on every call; "
                + "scripts/run.sh names the administrator's. [env: RECS_API_KEY_FILE; or the key itself in RECS_API_KEY]"))
    var apiKeyFile: String = environment["RECS_API_KEY_FILE"] ?? ""

    @Option(
        name: .customLong("request-id"),
        help: "Request id of a mutating call; reuse the one printed on stderr to retry safely. (default: a new UUID)")
    var requestID: String?

    @Option(name: .customLong("deadline-seconds"), help: "Fail a call that has not finished after this many seconds.")
    var deadlineSeconds: Int = 30

    @Flag(help: "Print one JSON object per response instead of key: value lines.")
    var json = false

    private static func defaultAddress(_ service: Service) -> String {
        environment[service.environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? service.defaultAddress
    }

    /// The caller's API key: `--api-key-file` (or `RECS_API_KEY_FILE`), else `RECS_API_KEY`; nil
    /// calls anonymously (only health answers then).
    func apiKey() throws -> String? {
        if !apiKeyFile.isEmpty {
            guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else {
                throw ValidationError("--api-key-file \"\(apiKeyFile)\" is not a readable file")
            }
            let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty, !key.contains(where: \.isWhitespace) else {
                throw ValidationError("--api-key-file \"\(apiKeyFile)\" must hold one API key (recs_K…_…) and nothing else")
            }
            return key
        }
        let key = (Self.environment["RECS_API_KEY"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return key.isEmpty ? nil : key
    }

    func address(of service: Service) -> String {
        switch service {
        case .registry: registry
        case .issuance: issuance
        case .transfer: transfer
        case .reporting: reporting
        }
    }

    func validate() throws {
        for service in Service.allCases {
            _ = try Endpoint(parsing: address(of: service), option: "--\(service.rawValue)")
        }
        if !ca.isEmpty, !FileManager.default.isReadableFile(atPath: ca) {
            throw ValidationError("--ca \"\(ca)\" is not a readable file")
        }
        if deadlineSeconds <= 0 { throw ValidationError("--deadline-seconds must be positive") }
        _ = try apiKey()
        if let requestID, requestID.isEmpty { throw ValidationError("--request-id must not be empty") }
    }
}

/// A `host:port` (an IPv6 host in brackets: `[::1]:50061`).
struct Endpoint: Equatable {
    var host: String
    var port: Int

    init(parsing text: String, option: String) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw ValidationError("\(option) \"\(text)\" is not host:port")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            throw ValidationError("\(option) \"\(text)\" is not host:port with a port from 1 to 65535")
        }
        self.host = host
        self.port = port
    }
}
