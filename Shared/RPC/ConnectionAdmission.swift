/// Which connections the server takes, by the client's address: the server-wide cap, and per
/// address (IP, any port) a cap on open connections and on connections that have not sent a first
/// request yet. A pure value the server keeps under its lock; the I/O code asks it on accept and
/// tells it when a connection sends its first request and when it closes.
///
/// Refusal happens at accept, before TLS and before any HTTP/2 byte: a client over its share costs
/// the server one accept and one close, never a handshake. Counting per address (not per port)
/// means one client cannot hold the server's whole `connectionsMax` with idle connections, and
/// clients behind other addresses are not affected by it.
public struct ConnectionAdmission: Sendable {
    public enum Decision: Equatable, Sendable {
        case admitted
        /// The server holds `connectionsMax` connections.
        case serverFull
        /// This address holds `connectionsPerAddressMax` connections.
        case addressFull
        /// This address holds `connectionsWithoutRequestPerAddressMax` connections that have not
        /// sent a request yet.
        case addressIdleFull
        /// The server is stopping.
        case shuttingDown
    }

    private struct AddressCount {
        var open = 0
        var withoutRequest = 0
    }

    public let connectionsMax: Int
    public let connectionsPerAddressMax: Int
    public let connectionsWithoutRequestPerAddressMax: Int
    private var addresses: [String: AddressCount] = [:]
    public private(set) var openCount = 0
    public private(set) var shuttingDown = false

    public init(limits: ServerLimits) {
        precondition(limits.connectionsPerAddressMax >= 1 && limits.connectionsWithoutRequestPerAddressMax >= 1)
        self.connectionsMax = limits.connectionsMax
        self.connectionsPerAddressMax = limits.connectionsPerAddressMax
        self.connectionsWithoutRequestPerAddressMax = limits.connectionsWithoutRequestPerAddressMax
    }

    /// A new connection from `address`; when admitted it counts as open and without request until
    /// ``firstRequest(from:)`` or ``closed(from:sentRequest:)``.
    public mutating func admit(from address: String) -> Decision {
        if shuttingDown { return .shuttingDown }
        if openCount >= connectionsMax { return .serverFull }
        var count = addresses[address, default: AddressCount()]
        if count.open >= connectionsPerAddressMax { return .addressFull }
        if count.withoutRequest >= connectionsWithoutRequestPerAddressMax { return .addressIdleFull }
        count.open += 1
        count.withoutRequest += 1
        addresses[address] = count
        openCount += 1
        return .admitted
    }

    /// An admitted connection from `address` sent the HEADERS of its first request.
    public mutating func firstRequest(from address: String) {
        guard var count = addresses[address], count.withoutRequest > 0 else {
            preconditionFailure("first request of a connection that was not admitted")
        }
        count.withoutRequest -= 1
        addresses[address] = count
    }

    /// An admitted connection from `address` closed; `sentRequest` tells whether
    /// ``firstRequest(from:)`` was called for it.
    public mutating func closed(from address: String, sentRequest: Bool) {
        guard var count = addresses[address], count.open > 0 else {
            preconditionFailure("close of a connection that was not admitted")
        }
        count.open -= 1
        if !sentRequest { count.withoutRequest -= 1 }
        precondition(count.withoutRequest >= 0 && count.withoutRequest <= count.open)
        addresses[address] = count.open == 0 ? nil : count
        openCount -= 1
    }

    /// Refuses every later connection.
    public mutating func beginShutdown() {
        shuttingDown = true
    }

    /// Open connections from `address`, and how many of them sent no request yet.
    public func count(from address: String) -> (open: Int, withoutRequest: Int) {
        let count = addresses[address, default: AddressCount()]
        return (count.open, count.withoutRequest)
    }
}
