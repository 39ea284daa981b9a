/// An organization's id: the letter `A` followed by a one to four digit number, e.g. `A1` or `A9999`
/// (MCT Data File Specifications, to_organization).
///
/// The number is written without leading zeros, so every organization has exactly one spelling;
/// a lower-case `a` is accepted on input and printed upper-case.
public struct OrganizationID: Sendable, Hashable, Comparable, TextIdentifier {
    /// 1 through 9999.
    public let number: Int

    public init(number: Int) throws(RuleViolation) {
        guard (1...9_999).contains(number) else {
            throw RuleViolation(
                .organizationIDMalformed, "organization number \(number) is outside 1 to 9999",
                section: Section.organizationID)
        }
        self.number = number
    }

    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        let bytes = ASCII.canonicalBytes(text)
        func malformed(_ reason: String) -> RuleViolation {
            RuleViolation(
                .organizationIDMalformed,
                "organization id \(ASCII.quoted(text)) \(reason); expected \"A\" and 1 to 4 digits, e.g. A1 or A9999",
                section: Section.organizationID)
        }
        guard let first = bytes.first else { throw malformed("is empty") }
        guard first == UInt8(ascii: "A") else { throw malformed("does not start with \"A\"") }
        let digits = bytes.dropFirst()
        guard !digits.isEmpty else { throw malformed("has no number") }
        guard digits.allSatisfy(ASCII.isDigit) else { throw malformed("has a character other than a digit after \"A\"") }
        guard digits.count <= Limits.organizationNumberDigitsMax else { throw malformed("has more than 4 digits") }
        guard digits.first != UInt8(ascii: "0") else { throw malformed("has a leading zero") }
        self.number = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    public var description: String { "A\(number)" }

    public static func < (lhs: OrganizationID, rhs: OrganizationID) -> Bool { lhs.number < rhs.number }
}
