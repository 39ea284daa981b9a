/// The one error shape of the domain: every parser and every rule reports a broken rule with it.
///
/// A violation carries a stable ``Code`` (for programs), a message (for people), the section of the
/// rules it enforces (so a support engineer can read the rule the user broke), and, for uploaded files,
/// the line and field that were wrong.
public struct RuleViolation: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable result codes. Values are grouped by area and are never renumbered or reused, because they
    /// cross process boundaries (RPC status details, stored upload reports).
    public enum Code: UInt16, Sendable, Hashable, Codable, CaseIterable {
        // Identifiers.
        case organizationIDMalformed = 101
        case subaccountIDMalformed = 102
        case generatingUnitIDMalformed = 103
        case reportingEntityUnitIDMalformed = 104
        case stateOrProvinceCodeMalformed = 105

        // Serial numbers and ranges.
        case serialNumberMalformed = 201
        case certificateRangeInvalid = 202
        case rangeNotContained = 203
        case quantityOutOfRange = 204
        case serialRangeRepeated = 205

        // Field values.
        case vintageMalformed = 301
        case dateMalformed = 302
        case energyMalformed = 303
        case quantityMalformed = 304
        case capacityInvalid = 305
        case capacityFactorInvalid = 306
        case fuelTypeUnknown = 307
        case yesNoMalformed = 308
        case valueMissing = 309
        case valueTooLong = 310

        // File structure.
        case fileTooLarge = 401
        case fileNotUTF8 = 402
        case fileEmpty = 403
        case headerNonconforming = 404
        case fieldCountMismatch = 405
        case quoteUnterminated = 406
        case quoteMisplaced = 407
        case fieldTooLong = 408
        case tooManyLines = 409

        // Generation data (Appendix D).
        case periodReversed = 501
        case vintageInconsistentWithPeriod = 502
        case energyNegative = 503
        case periodGap = 504
        case periodOverlap = 505
        case reloadRejectedAccountHolderAccepted = 506
        case reloadRejectedAdministratorStatus = 507
        case reportingPeriodTooLong = 508
        case priorPeriodAdjustmentTooLate = 509
        case periodNotEnded = 510
        case selfReportingNotAllowed = 511
        case energyTooLarge = 512

        // Program eligibility (Appendix C).
        case programUnknown = 601
        case programMixed = 602
        case programLayoutUndefined = 603
        case unitNotAssignedToProgram = 604
        case unitRepeated = 605
        case certificationNumberMalformed = 606

        // Mass Certificate Transfer.
        case destinationMissing = 701
        case destinationAmbiguous = 702
        case notesTooLong = 703
        case destinationNotActive = 704

        // Flows between subaccounts.
        case flowFromEndUseSubaccount = 801
        case flowIntoOtherOrganizationEndUse = 802
        case flowNotAllowed = 803
        case withdrawalRequiresAdministrator = 804

        // Lifecycles.
        case transitionNotAllowed = 901
        case transferExpired = 902
        case transferAlreadyExecuted = 903
        case wrongParty = 904
        case withdrawalWindowClosed = 905
        case executionBeforeRequest = 906
        case deadlineNotReached = 907
        case reasonTooLong = 908

        // Who may act (Operating Rules §7, §11).
        case notAuthenticated = 1001
        case notForThisCaller = 1002
        case agentNotApproved = 1003
        case userNotActive = 1004
        case administratorOnly = 1005
        case accessLevelTooLow = 1006
        case otherOrganization = 1007
        case permissionNotGranted = 1008
        case programAccessNotGranted = 1009
        case userTransitionNotAllowed = 1010
        case accessNotAssignable = 1011
        case permissionOutsideAccount = 1012
        /// §19.3.2: an account selects only active program administrators, and only an account
        /// holder's account selects any.
        case programAccessNotSelectable = 1013
    }

    /// How a caller should treat the violation; the RPC layer maps it to a status code
    /// (INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED).
    public enum Category: Sendable, Hashable {
        /// The input itself is wrong, whatever the state of the registry.
        case invalidArgument
        /// The input is well formed but the registry's state or a rule forbids it now.
        case failedPrecondition
        /// The party acting may not do this.
        case permissionDenied
        /// The caller did not say who it is.
        case unauthenticated
    }

    public var code: Code
    public var message: String
    /// The rule enforced, e.g. "Operating Rules §15.2" or "Appendix D §6.1, Table 27".
    public var section: String
    /// 1-based line of an uploaded file, when the violation concerns one.
    public var line: Int?
    /// Name of the field (column) concerned, when there is one.
    public var field: String?

    public init(_ code: Code, _ message: String, section: String, line: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.section = section
        self.line = line
        self.field = field
    }

    public var category: Category {
        switch code {
        case .notAuthenticated:
            return .unauthenticated
        case .wrongParty, .withdrawalRequiresAdministrator, .notForThisCaller, .agentNotApproved, .userNotActive,
            .administratorOnly, .accessLevelTooLow, .otherOrganization, .permissionNotGranted, .programAccessNotGranted:
            return .permissionDenied
        case .flowFromEndUseSubaccount, .flowIntoOtherOrganizationEndUse, .flowNotAllowed,
            .transitionNotAllowed, .transferExpired, .transferAlreadyExecuted, .withdrawalWindowClosed,
            .deadlineNotReached, .reloadRejectedAccountHolderAccepted, .reloadRejectedAdministratorStatus,
            .priorPeriodAdjustmentTooLate, .periodGap, .periodOverlap, .unitNotAssignedToProgram,
            .destinationNotActive, .userTransitionNotAllowed, .permissionOutsideAccount, .programAccessNotSelectable:
            return .failedPrecondition
        default:
            return .invalidArgument
        }
    }

    /// The same violation located at a line of a file (and optionally a field).
    public func at(line: Int, field: String? = nil) -> RuleViolation {
        var located = self
        located.line = line
        if let field { located.field = field }
        return located
    }

    public var description: String {
        var text = ""
        if let line { text += "line \(line): " }
        if let field { text += "\(field): " }
        text += "\(message) (\(section))"
        return text
    }
}

/// A whole upload rejected at once: the rules reject a file if any line is bad and report every bad
/// line, so parsers collect all violations, ordered by line, instead of stopping at the first.
public struct RuleViolations: Error, Sendable, Hashable, CustomStringConvertible {
    public var violations: [RuleViolation]

    public init(_ violations: [RuleViolation]) {
        precondition(!violations.isEmpty, "a rejection must name at least one violation")
        self.violations = violations.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }

    public var codes: [RuleViolation.Code] { violations.map(\.code) }

    /// Lines that have at least one violation, ascending.
    public var lines: [Int] { Array(Set(violations.compactMap(\.line))).sorted() }

    public var description: String { violations.map(\.description).joined(separator: "\n") }
}
