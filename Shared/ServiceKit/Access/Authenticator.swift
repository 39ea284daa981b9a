import Domain
import Foundation
import GRPCWire
import RPC

/// Who a call comes from (Operating Rules §11): a user by the API key in `authorization: Bearer
/// <key>`, checked against the service's own ``PrincipalDirectory``; a service of this deployment
/// or a compatible tracking system by its verified mutual-TLS client certificate, mapped to a
/// configured identity; anybody else is anonymous.
public struct Authenticator: Sendable {
    public let directory: PrincipalDirectory
    public let certificates: CertificateIdentities

    public init(directory: PrincipalDirectory, certificates: CertificateIdentities = CertificateIdentities()) {
        self.directory = directory
        self.certificates = certificates
    }

    /// The caller of a call. A credential that is presented and not valid (a malformed, unknown or
    /// revoked key) is UNAUTHENTICATED at once, never treated as anonymous.
    public func authenticate(_ metadata: Metadata, peer: PeerInfo) throws -> Caller {
        if let key = try presentedKey(metadata) {
            return try user(key)
        }
        if let certificate = peer.certificate, let caller = certificates.caller(for: certificate) {
            return caller
        }
        return .anonymous
    }

    /// The API key of `authorization: Bearer <key>`, nil without that header; a malformed header
    /// or key is UNAUTHENTICATED.
    public func presentedKey(_ metadata: Metadata) throws -> ApiKeySecret? {
        guard let header = metadata["authorization"] else { return nil }
        let scheme = "Bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme.lowercased() else {
            throw Self.refused("the authorization header must be `Bearer <API key>`", reason: "CREDENTIAL_MALFORMED")
        }
        let token = String(header.dropFirst(scheme.count)).trimmingCharacters(in: CharacterSet(charactersIn: " "))
        guard let key = ApiKeySecret(token: token) else {
            throw Self.refused("the API key is malformed (expected recs_<key id>_<secret>)", reason: "CREDENTIAL_MALFORMED")
        }
        return key
    }

    private func user(_ key: ApiKeySecret) throws -> Caller {
        guard let user = directory.user(presenting: key) else {
            throw Self.refused("API key \(key.keyID) is unknown, revoked, or its secret does not match", reason: "CREDENTIAL_REJECTED")
        }
        return .user(user, keyID: key.keyID)
    }

    static func refused(_ message: String, reason: String) -> RPCError {
        ServiceErrors.status(.unauthenticated, message + " (Operating Rules §11)", reason: reason)
    }
}

/// The client certificates a service trusts as callers, by the name they carry (their common name
/// or one of their subject alternative names), each mapped to a service of this deployment or a
/// registered compatible tracking system. Only certificates the server's client CA verified ever
/// reach this mapping.
public struct CertificateIdentities: Sendable {
    public enum Identity: Sendable, Hashable {
        case service(PeerService)
        case partner(systemID: String)
    }

    public private(set) var identities: [String: Identity]

    public init(_ identities: [String: Identity] = [:]) {
        self.identities = identities
    }

    /// The four services under their own names (`registry`, `issuance`, …): the deployment's CA
    /// issues their certificates with those common names.
    public static let deploymentServices = CertificateIdentities(
        Dictionary(uniqueKeysWithValues: PeerService.allCases.map { ($0.rawValue, Identity.service($0)) }))

    public mutating func add(name: String, _ identity: Identity) {
        identities[name] = identity
    }

    /// Parses `name=service:<registry|issuance|transfer|reporting>` or `name=partner:<system id>`.
    public static func parse(_ text: String) throws(ParseError) -> (String, Identity) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw ParseError(text) }
        let kind = parts[1].split(separator: ":", maxSplits: 1).map(String.init)
        guard kind.count == 2, !kind[1].isEmpty else { throw ParseError(text) }
        switch kind[0] {
        case "service":
            guard let service = PeerService(rawValue: kind[1]) else { throw ParseError(text) }
            return (parts[0], .service(service))
        case "partner":
            return (parts[0], .partner(systemID: kind[1]))
        default:
            throw ParseError(text)
        }
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        init(_ text: String) { self.text = text }
        public var description: String {
            "\"\(text)\" is not NAME=service:<registry|issuance|transfer|reporting> or NAME=partner:<system id>"
        }
    }

    func caller(for certificate: PeerCertificateIdentity) -> Caller? {
        for name in [certificate.commonName].compactMap({ $0 }) + certificate.subjectAlternativeNames {
            switch identities[name] {
            case .service(let service): return .service(service, certificate: name)
            case .partner(let system): return .partner(systemID: system, certificate: name)
            case nil: continue
            }
        }
        return nil
    }
}
