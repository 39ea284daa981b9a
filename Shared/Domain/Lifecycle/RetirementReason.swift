/// Why certificates were retired: a reason chosen from a list consistent with the programs, plus
/// optional free text (Operating Rules §16.1, §6.2.3). Immutable once given (§6.2.3, footnote 8:
/// so the same certificate cannot be claimed for two purposes).
public struct RetirementReason: Sendable, Hashable, Codable {
    public enum Category: Sendable, Hashable, Codable {
        /// Compliance with a state, provincial or voluntary program tracked in the registry.
        case program(EligibilityProgram)
        /// A voluntary market activity that is not a tracked program.
        case voluntaryMarketActivity
        case other
    }

    public let category: Category
    public let details: String?

    public init(_ category: Category, details: String? = nil) throws(RuleViolation) {
        try ReasonDetails.check(details, section: Section.retirement)
        self.category = category
        self.details = details
    }

    /// The program to consult before an administrator withdrawal (§16.2), if any.
    public var program: EligibilityProgram? {
        if case .program(let program) = category { program } else { nil }
    }
}

/// Optional reason for reserving certificates: free text, possibly from a drop-down list (§18.1).
public struct ReserveReason: Sendable, Hashable, Codable {
    public let details: String

    public init(_ details: String) throws(RuleViolation) {
        try ReasonDetails.check(details, section: Section.reserve)
        self.details = details
    }
}

enum ReasonDetails {
    static func check(_ details: String?, section: String) throws(RuleViolation) {
        guard let details, details.count > Limits.reasonDetailsCharactersMax else { return }
        throw RuleViolation(
            .reasonTooLong, "the reason has \(details.count) characters; at most \(Limits.reasonDetailsCharactersMax)",
            section: section)
    }
}
