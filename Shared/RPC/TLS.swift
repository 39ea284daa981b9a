import NIOCore
import NIOSSL

/// TLS for a server: its certificate chain and key, and, for mutual TLS, the CA that client
/// certificates must chain to. ALPN offers `h2` only.
public struct ServerTLSConfiguration: Sendable {
    public var certificateChainPath: String
    public var privateKeyPath: String
    /// The CA that client certificates must chain to (mutual TLS).
    public var clientCAPath: String?
    /// Whether a client must present a certificate (``ClientCertificates/required``), or may
    /// connect without one and authenticate otherwise (``ClientCertificates/optional``: a
    /// certificate it does present must still chain to `clientCAPath`). Ignored without a CA.
    public var clientCertificates: ClientCertificates

    public enum ClientCertificates: Sendable, Hashable {
        case required
        case optional
    }

    public init(
        certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil,
        clientCertificates: ClientCertificates = .required
    ) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
        self.clientCertificates = clientCertificates
    }

    func makeContext() throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.applicationProtocols = ["h2"]
        configuration.minimumTLSVersion = .tlsv12
        if let clientCAPath {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCAPath))
            // Clients are identified by their certificate, not by a host name.
            switch clientCertificates {
            case .required: configuration.certificateVerification = .noHostnameVerification
            case .optional: configuration.certificateVerification = .optionalVerification
            }
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// TLS for a client: the CA that verifies the server and, for mutual TLS, this client's own
/// certificate and key.
public struct ClientTLSConfiguration: Sendable {
    /// nil trusts the system's roots.
    public var caPath: String?
    public var certificateChainPath: String?
    public var privateKeyPath: String?
    /// The name checked against the server's certificate (and sent as SNI); defaults to the host.
    public var serverHostname: String?

    public init(
        caPath: String? = nil, certificateChainPath: String? = nil, privateKeyPath: String? = nil,
        serverHostname: String? = nil
    ) {
        self.caPath = caPath
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.serverHostname = serverHostname
    }

    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["h2"]
        configuration.minimumTLSVersion = .tlsv12
        if let caPath {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caPath))
        }
        if let certificateChainPath, let privateKeyPath {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

enum TLSIdentity {
    /// The identity a handler sees for a verified client certificate.
    static func identity(of certificate: NIOSSLCertificate) -> PeerCertificateIdentity {
        var names: [String] = []
        for name in certificate._subjectAlternativeNames() {
            switch name.nameType {
            case .dnsName, .uri, .email:
                names.append(name.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
            case .ipAddress:
                let bytes = name.contents.withUnsafeBufferPointer { Array($0) }
                if bytes.count == 4 {
                    names.append(bytes.map(String.init).joined(separator: "."))
                } else if bytes.count == 16 {
                    names.append(
                        stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                            .joined(separator: ":"))
                }
            default:
                continue
            }
        }
        return PeerCertificateIdentity(commonName: commonName(certificate), subjectAlternativeNames: names)
    }

    /// NIOSSL keeps its common-name accessor internal; its description prints the field as
    /// `;common_name=…`, which is where this reads it from.
    private static func commonName(_ certificate: NIOSSLCertificate) -> String? {
        let description = certificate.description
        guard let start = description.firstRange(of: ";common_name=") else { return nil }
        let rest = description[start.upperBound...]
        let end = rest.firstIndex { $0 == ";" || $0 == ">" } ?? rest.endIndex
        return String(rest[..<end])
    }
}
