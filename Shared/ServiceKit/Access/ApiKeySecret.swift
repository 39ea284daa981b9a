import Storage

/// An API key as a user holds it: `recs_<key id>_<secret>` (ADR 0006). The key id names the key in
/// the audit trail and finds its record; the secret is 32 random bytes, shown once at creation,
/// and stored nowhere but as its SHA-256.
public struct ApiKeySecret: Sendable, Hashable {
    public static let prefix = "recs_"
    /// Random bytes in a secret: 256 bits, so a hash of it cannot be searched.
    public static let secretBytes = 32
    /// Longest token accepted in an `authorization` header; anything longer is not one of ours.
    public static let tokenCharactersMax = 128

    public let keyID: String
    public let secret: String

    /// A new key with a fresh secret from the system's random source (getrandom on Linux).
    public static func generate(keyID: String) -> ApiKeySecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<secretBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return ApiKeySecret(keyID: keyID, secret: bytes.map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 0x0F)] }.joined())
    }

    init(keyID: String, secret: String) {
        self.keyID = keyID
        self.secret = secret
    }

    /// Reads a presented token; nil when it does not have the shape of a key.
    public init?(token: String) {
        guard token.utf8.count <= Self.tokenCharactersMax, token.hasPrefix(Self.prefix) else { return nil }
        let rest = token.dropFirst(Self.prefix.count)
        guard let separator = rest.firstIndex(of: "_") else { return nil }
        let keyID = String(rest[..<separator])
        let secret = String(rest[rest.index(after: separator)...])
        guard !keyID.isEmpty, keyID.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }),
            secret.utf8.count == Self.secretBytes * 2, secret.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        self.init(keyID: keyID, secret: secret)
    }

    /// What a caller sends: `recs_<key id>_<secret>`.
    public var token: String { "\(Self.prefix)\(keyID)_\(secret)" }

    /// What the registry stores and publishes in place of the secret.
    public var secretSHA256: [UInt8] { SHA256.hash(Array(secret.utf8)) }

    /// True when `self`'s secret hashes to `stored`, compared in constant time so the time taken
    /// says nothing about how much of it matched.
    public func matches(_ stored: [UInt8]) -> Bool {
        Self.constantTimeEqual(secretSHA256, stored)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static let hexDigits = (0..<16).map { String($0, radix: 16) }
}
