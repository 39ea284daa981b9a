import ArgumentParser
import Foundation
import RPC
import ServiceKit
import Storage

/// Names a service for its flags and environment variables.
public protocol ServiceIdentity: Sendable {
    /// Lower-case name: the executable, the log label, the SQLite file `<name>.sqlite`.
    static var name: String { get }
    static var defaultPort: Int { get }
}

extension ServiceIdentity {
    /// `RECS_<NAME>_` prefix of the service's own variables.
    static var environmentPrefix: String { "RECS_\(name.uppercased())_" }
}

let environment = ProcessInfo.processInfo.environment

func truthy(_ text: String?) -> Bool { ["1", "true", "yes"].contains((text ?? "").lowercased()) }

/// The flags every service executable takes: where it listens, where its data is, TLS for its
/// server and for calls to its peers. Each flag can also be given by an environment variable
/// (the flag wins), listed in `--help`.
public struct ServiceOptions<Service: ServiceIdentity>: ParsableArguments {
    public init() {}

    @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one. [env: \(Service.environmentPrefix)PORT]"))
    public var port: Int = Int(environment["\(Service.environmentPrefix)PORT"] ?? "") ?? Service.defaultPort

    @Option(help: ArgumentHelp("Address to bind. [env: \(Service.environmentPrefix)HOST]"))
    public var host: String = environment["\(Service.environmentPrefix)HOST"] ?? "127.0.0.1"

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("Directory of the SQLite database \(Service.name).sqlite. [env: RECS_DATA_DIR]"))
    public var dataDirectory: String = environment["RECS_DATA_DIR"] ?? "data"

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp("PostgreSQL URL (postgresql://...); replaces --data-dir. [env: \(Service.environmentPrefix)DATABASE_URL]"))
    public var databaseURL: String = environment["\(Service.environmentPrefix)DATABASE_URL"] ?? ""

    @Option(
        name: .customLong("tls-dir"),
        help: ArgumentHelp(
            "The deployment's TLS directory (scripts/make-deployment-certs.sh): serve TLS with DIR/\(Service.name).pem and .key, "
                + "verify client certificates against DIR/ca.pem, and call peers with that certificate. [env: RECS_TLS_DIR]"))
    public var tlsDirectory: String = environment["RECS_TLS_DIR"] ?? ""

    @Option(
        name: .customLong("certificate-identity"),
        help: ArgumentHelp(
            "A client certificate name trusted as a partner tracking system or service: NAME=partner:<system id> or "
                + "NAME=service:<name>; repeatable. The four services are known by their own names. "
                + "[env: RECS_CERTIFICATE_IDENTITIES, comma-separated]"))
    public var certificateIdentities: [String] =
        (environment["RECS_CERTIFICATE_IDENTITIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }

    @Flag(
        name: .customLong("test-clock"),
        help: ArgumentHelp(
            "FOR TESTS ONLY: a simulated clock, standing still until the registry administrator moves it through "
                + "recs.testing.v1.TestClock (recs clock). Never the default. [env: RECS_TEST_CLOCK]"))
    public var testClock = truthy(environment["RECS_TEST_CLOCK"])

    @Option(
        name: .customLong("time-zone"),
        help: ArgumentHelp(
            "The registry's time zone: day-based rules count calendar days there (ADR 0007). [env: RECS_TIME_ZONE]"))
    public var timeZone: String = environment["RECS_TIME_ZONE"] ?? ServiceClock.defaultTimeZone.identifier

    @Flag(help: ArgumentHelp("Serve TLS (ALPN h2) instead of cleartext h2c. [env: \(Service.environmentPrefix)TLS]"))
    public var tls = truthy(environment["\(Service.environmentPrefix)TLS"])

    @Option(help: ArgumentHelp("PEM certificate chain (with --tls). [env: \(Service.environmentPrefix)TLS_CERT]"))
    public var cert: String = environment["\(Service.environmentPrefix)TLS_CERT"] ?? ""

    @Option(help: ArgumentHelp("PEM private key (with --tls). [env: \(Service.environmentPrefix)TLS_KEY]"))
    public var key: String = environment["\(Service.environmentPrefix)TLS_KEY"] ?? ""

    @Option(
        name: .customLong("client-ca"),
        help: ArgumentHelp("PEM CA for client certificates: requires mutual TLS. [env: \(Service.environmentPrefix)CLIENT_CA]"))
    public var clientCA: String = environment["\(Service.environmentPrefix)CLIENT_CA"] ?? ""

    @Option(
        name: .customLong("metrics-port"),
        help: ArgumentHelp(
            "Serve GET /metrics (Prometheus text format) on this port; 0 picks a free one (logged, and printed as "
                + "\"\(Service.name) metrics on PORT\"). Off when not given. [env: \(Service.environmentPrefix)METRICS_PORT]"))
    var metricsPortOption: Int?

    /// `--metrics-port`, else its environment variable; nil when neither is given.
    public var metricsPort: Int? { metricsPortOption ?? Int(environment["\(Service.environmentPrefix)METRICS_PORT"] ?? "") }

    @Option(
        name: .customLong("metrics-host"),
        help: ArgumentHelp("Address the metrics endpoint binds. [env: \(Service.environmentPrefix)METRICS_HOST]"))
    public var metricsHost: String = environment["\(Service.environmentPrefix)METRICS_HOST"] ?? "127.0.0.1"

    public func validate() throws {
        if !(0...65_535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if let metricsPort, !(0...65_535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0 to 65535") }
        if !tlsDirectory.isEmpty {
            if tls || !cert.isEmpty || !key.isEmpty || !clientCA.isEmpty {
                throw ValidationError("--tls-dir replaces --tls, --cert, --key and --client-ca: give one or the other")
            }
            for file in ["ca.pem", "\(Service.name).pem", "\(Service.name).key"] {
                let path = (tlsDirectory as NSString).appendingPathComponent(file)
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw ValidationError("--tls-dir: \(path) is missing or unreadable (scripts/make-deployment-certs.sh \(tlsDirectory) makes it)")
                }
            }
        }
        _ = try access()
        guard TimeZone(identifier: timeZone) != nil else {
            throw ValidationError("--time-zone: \"\(timeZone)\" is not a time zone identifier (e.g. America/Los_Angeles, UTC)")
        }
        if tls, cert.isEmpty || key.isEmpty { throw ValidationError("--tls needs --cert and --key") }
        if !tls, !cert.isEmpty || !key.isEmpty || !clientCA.isEmpty {
            throw ValidationError("--cert, --key and --client-ca need --tls")
        }
        _ = try storage()
    }

    /// SQLite in `--data-dir` or PostgreSQL at `--database-url`.
    public func storage() throws -> StorageConfiguration {
        do {
            return try StorageConfiguration(databaseURL: databaseURL, dataDirectory: dataDirectory)
        } catch {
            throw ValidationError("--database-url: \(error)")
        }
    }

    /// The service's one clock (ADR 0007): the system's, or a simulated one with `--test-clock`,
    /// starting at the real time.
    public func clock() -> ServiceClock {
        let zone = TimeZone(identifier: timeZone) ?? ServiceClock.defaultTimeZone
        return testClock ? ServiceClock(simulatedFrom: Date(), timeZone: zone) : ServiceClock(timeZone: zone)
    }

    /// A file of the deployment's TLS directory.
    func tlsFile(_ name: String) -> String { (tlsDirectory as NSString).appendingPathComponent(name) }

    public var server: ServerConfiguration {
        // Client certificates are optional: users connect without one and present an API key;
        // a certificate that is presented must chain to the CA, and names a service or partner.
        let serverTLS: ServerTLSConfiguration? =
            if !tlsDirectory.isEmpty {
                ServerTLSConfiguration(
                    certificateChainPath: tlsFile("\(Service.name).pem"), privateKeyPath: tlsFile("\(Service.name).key"),
                    clientCAPath: tlsFile("ca.pem"), clientCertificates: .optional)
            } else if tls {
                ServerTLSConfiguration(
                    certificateChainPath: cert, privateKeyPath: key, clientCAPath: clientCA.isEmpty ? nil : clientCA,
                    clientCertificates: .optional)
            } else {
                nil
            }
        return ServerConfiguration(host: host, port: port, tls: serverTLS)
    }

    /// Every call checked (ADR 0006): the deployment's services by their certificates' names,
    /// plus the `--certificate-identity` mappings.
    public func access() throws -> ServiceAccess {
        var certificates = CertificateIdentities.deploymentServices
        for text in certificateIdentities where !text.isEmpty {
            do {
                let (name, identity) = try CertificateIdentities.parse(text)
                certificates.add(name: name, identity)
            } catch {
                throw ValidationError("--certificate-identity: \(error)")
            }
        }
        return .enforced(certificates: certificates)
    }

    /// TLS for calls to peers: the explicit `--peer-*` flags, else the deployment's TLS directory
    /// (its CA, and this service's certificate as the client certificate), else nil (h2c).
    public func peerTLS(_ explicit: PeerTLS) -> ClientTLSConfiguration? {
        if let configured = explicit.peerTLS { return configured }
        guard !tlsDirectory.isEmpty else { return nil }
        return ClientTLSConfiguration(
            caPath: tlsFile("ca.pem"), certificateChainPath: tlsFile("\(Service.name).pem"),
            privateKeyPath: tlsFile("\(Service.name).key"))
    }

    /// For a service that reads its peers' feeds: they serve them to peer services only, so it
    /// must present a client certificate, or it would start and never learn anything.
    public func requirePeerCertificate(_ explicit: PeerTLS) throws {
        guard peerTLS(explicit)?.certificateChainPath != nil else {
            throw ValidationError(
                "\(Service.name) reads its peers' event feeds, which only the deployment's services may read: give --tls-dir "
                    + "(scripts/make-deployment-certs.sh makes one) or --peer-ca, --peer-cert and --peer-key")
        }
    }
}

/// TLS for calls to peer services: for services that call others.
public struct PeerTLS: ParsableArguments {
    public init() {}

    @Option(
        name: .customLong("peer-ca"),
        help: "PEM CA of the peer services: call them over TLS (cleartext h2c without it). [env: RECS_PEER_CA]")
    public var peerCA: String = environment["RECS_PEER_CA"] ?? ""

    @Option(
        name: .customLong("peer-cert"),
        help: "PEM client certificate presented to peers (with --peer-ca, for mutual TLS). [env: RECS_PEER_CERT]")
    public var peerCert: String = environment["RECS_PEER_CERT"] ?? ""

    @Option(name: .customLong("peer-key"), help: "PEM private key of --peer-cert. [env: RECS_PEER_KEY]")
    public var peerKey: String = environment["RECS_PEER_KEY"] ?? ""

    public func validate() throws {
        if peerCert.isEmpty != peerKey.isEmpty { throw ValidationError("--peer-cert and --peer-key go together") }
        if !peerCert.isEmpty, peerCA.isEmpty { throw ValidationError("--peer-cert needs --peer-ca") }
    }

    /// TLS for calls to peers, or nil for h2c.
    public var peerTLS: ClientTLSConfiguration? {
        guard !peerCA.isEmpty else { return nil }
        return ClientTLSConfiguration(
            caPath: peerCA, certificateChainPath: peerCert.isEmpty ? nil : peerCert, privateKeyPath: peerKey.isEmpty ? nil : peerKey)
    }
}

/// Parses a `--<peer>-address` value.
func peerAddress(_ text: String, flag: String) throws -> PeerAddress {
    do {
        return try PeerAddress(parsing: text)
    } catch {
        throw ValidationError("--\(flag): \(error)")
    }
}

/// `--registry-address`: for services that call the registry.
public struct RegistryPeer: ParsableArguments {
    public init() {}
    @Option(name: .customLong("registry-address"), help: "The registry service, host:port. [env: RECS_REGISTRY_ADDRESS]")
    public var registryAddress: String = environment["RECS_REGISTRY_ADDRESS"] ?? "127.0.0.1:50061"
    public func validate() throws { _ = try address() }
    public func address() throws -> PeerAddress { try peerAddress(registryAddress, flag: "registry-address") }
}

/// `--issuance-address`: for services that call the issuance service.
public struct IssuancePeer: ParsableArguments {
    public init() {}
    @Option(name: .customLong("issuance-address"), help: "The issuance service, host:port. [env: RECS_ISSUANCE_ADDRESS]")
    public var issuanceAddress: String = environment["RECS_ISSUANCE_ADDRESS"] ?? "127.0.0.1:50062"
    public func validate() throws { _ = try address() }
    public func address() throws -> PeerAddress { try peerAddress(issuanceAddress, flag: "issuance-address") }
}

/// `--transfer-address`: for services that call the transfer service.
public struct TransferPeer: ParsableArguments {
    public init() {}
    @Option(name: .customLong("transfer-address"), help: "The transfer service, host:port. [env: RECS_TRANSFER_ADDRESS]")
    public var transferAddress: String = environment["RECS_TRANSFER_ADDRESS"] ?? "127.0.0.1:50063"
    public func validate() throws { _ = try address() }
    public func address() throws -> PeerAddress { try peerAddress(transferAddress, flag: "transfer-address") }
}

/// `--feed-poll-milliseconds`: for services that follow other services' event feeds.
public struct FeedPolling: ParsableArguments {
    public init() {}
    @Option(
        name: .customLong("feed-poll-milliseconds"),
        help: "Milliseconds between polls of the followed event feeds. [env: RECS_FEED_POLL_MILLISECONDS]")
    public var feedPollMilliseconds: Int = Int(environment["RECS_FEED_POLL_MILLISECONDS"] ?? "") ?? 500
    public func validate() throws {
        guard (10...600_000).contains(feedPollMilliseconds) else {
            throw ValidationError("--feed-poll-milliseconds must be 10 to 600000")
        }
    }
    public var interval: Duration { .milliseconds(feedPollMilliseconds) }
}
