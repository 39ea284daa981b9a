/// A subaccount's unique id (Operating Rules §6: "Each Subaccount will have a unique identification
/// number"), in the shape of the MCT example `1234ABCD-55ZZ`.
///
/// The rules give a single example and no grammar, so the shape is inferred from it position by
/// position: four digits, four letters, a hyphen, two digits, two letters (`DDDDLLLL-DDLL`, 13
/// characters). Letters are case-insensitive on input and stored upper-case. The kind of the
/// subaccount (Active, Retirement, ...) is not encoded in the id; it is looked up.
public struct SubaccountID: Sendable, Hashable, Comparable, TextIdentifier {
    /// The canonical, upper-case spelling.
    public let description: String

    private static let pattern: [Position] = [
        .digit, .digit, .digit, .digit, .letter, .letter, .letter, .letter,
        .hyphen, .digit, .digit, .letter, .letter,
    ]

    private enum Position {
        case digit, letter, hyphen

        func accepts(_ byte: UInt8) -> Bool {
            switch self {
            case .digit: ASCII.isDigit(byte)
            case .letter: ASCII.isUppercaseLetter(byte)
            case .hyphen: byte == UInt8(ascii: "-")
            }
        }

        var name: String {
            switch self {
            case .digit: "a digit"
            case .letter: "a letter"
            case .hyphen: "\"-\""
            }
        }
    }

    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        let bytes = ASCII.canonicalBytes(text)
        func malformed(_ reason: String) -> RuleViolation {
            RuleViolation(
                .subaccountIDMalformed,
                "subaccount id \(ASCII.quoted(text)) \(reason); expected 4 digits, 4 letters, \"-\", 2 digits, 2 letters, e.g. 1234ABCD-55ZZ",
                section: Section.subaccountID)
        }
        guard bytes.count == Self.pattern.count else {
            throw malformed("has \(bytes.count) characters instead of \(Self.pattern.count)")
        }
        for (offset, (byte, position)) in zip(bytes, Self.pattern).enumerated() where !position.accepts(byte) {
            throw malformed("has something other than \(position.name) at position \(offset + 1)")
        }
        self.description = String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: SubaccountID, rhs: SubaccountID) -> Bool { lhs.description < rhs.description }
}
