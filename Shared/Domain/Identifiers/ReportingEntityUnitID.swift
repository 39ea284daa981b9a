/// The id a Qualified Reporting Entity uses for a unit in its generation extract: "Identifier for the
/// unit assigned by its Balancing Authority ... or Qualified Reporting Entity", Varchar(50)
/// (Appendix D §5.1, Table 25).
///
/// It is not the registry's ``GeneratingUnitID``: the registry maps it to a unit through the unit's
/// designated reporting entity. It is kept exactly as written (case included), since it belongs to
/// the reporting entity; only emptiness, length and control characters are checked.
public struct ReportingEntityUnitID: Sendable, Hashable, Comparable, TextIdentifier {
    public let description: String

    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        func malformed(_ reason: String) -> RuleViolation {
            RuleViolation(
                .reportingEntityUnitIDMalformed, "UNITID \(ASCII.quoted(text)) \(reason)",
                section: Section.generationFields)
        }
        guard !text.isEmpty else { throw malformed("is empty") }
        guard text.count <= Limits.reportingEntityUnitIDCharactersMax else {
            throw malformed("is longer than \(Limits.reportingEntityUnitIDCharactersMax) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw malformed("contains a control character")
        }
        self.description = String(text)
    }

    public static func < (lhs: ReportingEntityUnitID, rhs: ReportingEntityUnitID) -> Bool {
        lhs.description < rhs.description
    }
}
