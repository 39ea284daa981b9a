/// gRPC custom metadata: ordered, case-insensitive keys (stored lowercased), repeated keys allowed.
/// Keys ending in `-bin` carry binary values, base64-encoded on the wire.
public struct Metadata: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Key = String
    public typealias Value = String

    public private(set) var entries: [(key: String, value: MetadataValue)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { add(key, value) }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public mutating func add(_ key: String, _ value: String) {
        entries.append((key.lowercased(), .string(value)))
    }

    public mutating func add(_ key: String, binary value: [UInt8]) {
        entries.append((key.lowercased(), .binary(value)))
    }

    public mutating func add(_ key: String, _ value: MetadataValue) {
        entries.append((key.lowercased(), value))
    }

    public mutating func removeAll(_ key: String) {
        let key = key.lowercased()
        entries.removeAll { $0.key == key }
    }

    /// The first string value for `key`.
    public subscript(_ key: String) -> String? {
        let key = key.lowercased()
        for entry in entries where entry.key == key {
            if case .string(let value) = entry.value { return value }
        }
        return nil
    }

    /// The first binary value for `key` (a `-bin` key).
    public func binary(_ key: String) -> [UInt8]? {
        let key = key.lowercased()
        for entry in entries where entry.key == key {
            if case .binary(let value) = entry.value { return value }
        }
        return nil
    }

    public func values(_ key: String) -> [MetadataValue] {
        let key = key.lowercased()
        return entries.filter { $0.key == key }.map(\.value)
    }

    /// Appends every entry as an HTTP/2 field: `-bin` values base64-encoded, text values trimmed.
    func appendFields(to fields: inout [(String, String)]) {
        for (key, value) in entries {
            switch value {
            case .string(let text): fields.append((key, Self.fieldValue(text)))
            case .binary(let bytes): fields.append((key, Base64.encode(bytes)))
            }
        }
    }

    /// A value as it can travel in an HTTP/2 field: RFC 9113 §8.2.1 forbids leading and trailing
    /// whitespace (nghttp2 resets the stream), so it is trimmed.
    static func fieldValue(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last,
            first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        else { return text }
        return String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: MetadataValue)]> {
        entries.makeIterator()
    }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }
}

/// One metadata value: text, or bytes for a key ending in `-bin`.
public enum MetadataValue: Sendable, Hashable {
    case string(String)
    case binary([UInt8])
}
