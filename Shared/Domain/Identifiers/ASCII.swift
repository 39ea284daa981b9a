/// Character classes used by the identifier parsers. Identifiers are ASCII by definition, so the
/// parsers work on UTF-8 bytes and treat anything else as malformed.
enum ASCII {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isUppercaseLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    static func isLowercaseLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    static func isLetter(_ byte: UInt8) -> Bool { isUppercaseLetter(byte) || isLowercaseLetter(byte) }

    /// Upper-cases ASCII letters and leaves every other byte alone.
    static func uppercased(_ byte: UInt8) -> UInt8 { isLowercaseLetter(byte) ? byte - 32 : byte }

    /// The text's bytes with letters upper-cased: identifiers are compared in one canonical spelling
    /// so that "a12" typed in a spreadsheet and "A12" name the same organization.
    static func canonicalBytes(_ text: some StringProtocol) -> [UInt8] { text.utf8.map(uppercased) }

    /// Quotes a user-supplied value for an error message, shortened so a hostile value cannot
    /// flood the report.
    static func quoted(_ text: some StringProtocol) -> String {
        let limit = 40
        let shown = text.count > limit ? String(text.prefix(limit)) + "…" : String(text)
        return "\"\(shown)\""
    }
}
