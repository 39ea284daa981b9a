import GRPCWire
import RPC

/// Where another service listens: `host:port` (IPv6 as `[::1]:50061`), as given by a `--*-address`
/// flag or a `RECS_*_ADDRESS` variable.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(PeerAddressError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port)
        else { throw PeerAddressError(text: text) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { throw PeerAddressError(text: text) }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// A client of this peer: TLS when `tls` is given, h2c otherwise.
    public func client(tls: ClientTLSConfiguration? = nil) throws -> RPCClient {
        try RPCClient(host: host, port: port, tls: tls)
    }
}

public struct PeerAddressError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "\"\(text)\" is not an address: write host:port, e.g. 127.0.0.1:50061" }
}
