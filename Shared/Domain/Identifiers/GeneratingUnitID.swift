/// The registry's id for a generating unit (the "WREGIS GU ID", Appendix B-1; Operating Rules §14.1).
///
/// The documents show plain numbers (`99999` in the MCT serial example; "Integer" in Appendix C) and
/// a lettered form (`W14` in the Appendix C example file), so both are accepted: up to three letters
/// followed by one to nine digits. The id is opaque: `W014` and `W14` are different ids. It never
/// contains a hyphen, which is what lets it lead a serial number (`99999-AA-123456-1-100`).
public struct GeneratingUnitID: Sendable, Hashable, Comparable, TextIdentifier {
    /// The canonical, upper-case spelling.
    public let description: String

    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        let bytes = ASCII.canonicalBytes(text)
        func malformed(_ reason: String) -> RuleViolation {
            RuleViolation(
                .generatingUnitIDMalformed,
                "generating unit id \(ASCII.quoted(text)) \(reason); expected up to 3 letters and 1 to 9 digits, e.g. 99999 or W1234",
                section: Section.generatingUnitID)
        }
        guard !bytes.isEmpty else { throw malformed("is empty") }
        let letters = bytes.prefix(while: ASCII.isUppercaseLetter)
        let digits = bytes.dropFirst(letters.count)
        guard letters.count <= Limits.generatingUnitPrefixLettersMax else { throw malformed("has more than 3 letters") }
        guard !digits.isEmpty else { throw malformed("has no digits") }
        guard digits.allSatisfy(ASCII.isDigit) else { throw malformed("has a character other than a digit after its letters") }
        guard digits.count <= Limits.generatingUnitDigitsMax else { throw malformed("has more than 9 digits") }
        self.description = String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: GeneratingUnitID, rhs: GeneratingUnitID) -> Bool { lhs.description < rhs.description }
}
