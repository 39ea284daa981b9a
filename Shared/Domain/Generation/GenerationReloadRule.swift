/// The status of generation data already posted for a unit and period (Appendix D §6.1, Tables 26-27).
public enum PostedGenerationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Posted after failing the engineering feasibility check; earns no certificates until corrected
    /// or approved by the administrator (Appendix D §6.1).
    case wregisPending
    case wregisAccepted
    case accountHolderAccepted
    case accountHolderDisputed
    case administratorAccepted
    case administratorDisputed
    case administratorAdjusted

    /// The status of newly posted data: "WREGIS Accepted" (Table 26, Rule 2), or "WREGIS Pending" when it
    /// failed the feasibility check.
    public static func afterPosting(_ feasibility: EngineeringFeasibility.Assessment) -> PostedGenerationStatus {
        feasibility.isFeasible ? .wregisAccepted : .wregisPending
    }
}

/// Who uploads generation data. Self-reporting account holders (§9.2.2) follow the reporting
/// entity's rules.
public enum GenerationUploader: String, Sendable, Hashable, Codable {
    case reportingEntity
    case registryAdministrator
}

/// Reloading rules 1-4 for a period that already has posted data (Appendix D §6.1, Table 26).
public enum GenerationReloadRule {
    public enum Decision: Sendable, Hashable {
        /// Nothing posted yet: post the data.
        case post
        /// Replace the posted data; `rule` is the Table 26 rule that allows it (2 or 4), or nil when
        /// correcting "WREGIS Pending" data, which Appendix D §6.1 allows ("until either corrected").
        case overwrite(rule: Int?)
    }

    /// Decides what a reload does; a rejection leaves the posted data and its status unchanged.
    public static func decide(existing: PostedGenerationStatus?, uploader: GenerationUploader) throws(RuleViolation) -> Decision {
        guard let existing else { return .post }
        // Rule 4 first: the administrator overrides every other rule.
        if uploader == .registryAdministrator { return .overwrite(rule: 4) }
        switch existing {
        case .accountHolderAccepted:
            throw RuleViolation(
                .reloadRejectedAccountHolderAccepted,
                "data for this unit has already been accepted by the account holder; only the administrator can replace it",
                section: "\(Section.reloadRules), Rule 1")
        case .wregisAccepted, .accountHolderDisputed:
            return .overwrite(rule: 2)
        case .administratorAccepted, .administratorDisputed, .administratorAdjusted:
            throw RuleViolation(
                .reloadRejectedAdministratorStatus,
                "data for this unit is \(existing.rawValue) by the administrator and cannot be replaced by a reload",
                section: "\(Section.reloadRules), Rule 3")
        case .wregisPending:
            return .overwrite(rule: nil)
        }
    }
}
