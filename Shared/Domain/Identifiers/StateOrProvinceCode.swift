/// The two-letter state or province code that gives a generating unit's location in a serial number
/// (Operating Rules §12.1: serial numbers "indicate ... the location of the generator"; the MCT
/// example writes it `AA`).
///
/// Any two letters parse, because certificates imported from other tracking systems keep their
/// origin; ``geographicScope`` tells whether a unit there may earn certificates here (§4, §12.5).
public struct StateOrProvinceCode: Sendable, Hashable, Comparable, TextIdentifier {
    public let description: String

    public enum GeographicScope: Sendable, Hashable {
        /// Wholly inside the Western Interconnection.
        case withinWesternInterconnection
        /// A state bisected by the Western Interconnection: units there may participate (§12.5).
        case bisectedByWesternInterconnection
        /// Units there may not participate (§12.5).
        case outside
    }

    /// Alberta, British Columbia and the eleven western states listed in §4. Northern Baja California
    /// is also in the interconnection, but its usual code "BC" is British Columbia's, so it needs a
    /// decision (and a code) before it can be supported.
    public static let withinWesternInterconnection: Set<String> = [
        "AB", "BC", "WA", "OR", "CA", "NV", "ID", "UT", "NM", "AZ", "CO", "WY", "MT",
    ]
    /// "parts of Texas, South Dakota, and Nebraska" (§4).
    public static let bisectedByWesternInterconnection: Set<String> = ["TX", "SD", "NE"]

    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        let bytes = ASCII.canonicalBytes(text)
        guard bytes.count == 2, bytes.allSatisfy(ASCII.isUppercaseLetter) else {
            throw RuleViolation(
                .stateOrProvinceCodeMalformed,
                "state or province code \(ASCII.quoted(text)) is not two letters",
                section: Section.serialNumber)
        }
        self.description = String(decoding: bytes, as: UTF8.self)
    }

    public var geographicScope: GeographicScope {
        if Self.withinWesternInterconnection.contains(description) { return .withinWesternInterconnection }
        if Self.bisectedByWesternInterconnection.contains(description) { return .bisectedByWesternInterconnection }
        return .outside
    }

    /// Whether a generating unit located here may earn certificates (Operating Rules §4, §12.5).
    public var mayHostGeneratingUnits: Bool { geographicScope != .outside }

    public static func < (lhs: StateOrProvinceCode, rhs: StateOrProvinceCode) -> Bool {
        lhs.description < rhs.description
    }
}
