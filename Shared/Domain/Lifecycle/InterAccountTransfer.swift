import Foundation

/// A one-time inter-account transfer as a pure state machine (Operating Rules §15.2-§15.3;
/// M-RETS §4.6.1).
///
/// ```
///   pending ── accept (no execution date, or date reached) ──▶ completed
///      │    └─ accept (execution date ahead) ──▶ accepted ── execution time reached ──▶ completed
///      ├── reject ──▶ rejected                        └── withdraw (before execution) ──▶ withdrawn
///      ├── withdraw ──▶ withdrawn
///      └── 14 days without an answer ──▶ expired
/// ```
///
/// The certificates are frozen from the request until the transfer ends. The I/O layer delivers
/// `.timePassed` when ``nextDeadline`` arrives; an answer that arrives after the expiry instant is
/// refused even if that timer has not fired yet.
public struct InterAccountTransfer: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable {
        case pending
        /// Accepted, waiting for its execution date.
        case accepted
        case completed
        case rejected
        case withdrawn
        case expired

        public var isFinal: Bool { ![.pending, .accepted].contains(self) }
    }

    public enum Party: String, Sendable, Hashable, Codable {
        case transferor
        case transferee
    }

    public enum Event: Sendable, Hashable {
        case accept(by: Party, at: Date)
        case reject(by: Party, at: Date)
        case withdraw(by: Party, at: Date)
        /// The clock reached `at`: expiry and scheduled execution happen here.
        case timePassed(at: Date)
    }

    public enum Notice: String, Sendable, Hashable, Codable {
        case requested, accepted, rejected, withdrawn, expired, completed
    }

    public enum Action: Sendable, Hashable {
        case freezeCertificates
        /// Return the certificates to the transferor's Active subaccount, unfrozen.
        case releaseCertificates
        /// Move the certificates to the transferee's Active subaccount.
        case moveCertificatesToTransferee
        case notify(Party, Notice)
    }

    public let requestedAt: Date
    /// 00:01 on the execution date for a scheduled transfer (§15.2); nil for an immediate one.
    public let executionAt: Date?
    public private(set) var state: State
    /// The registry's time zone, in which the 14 days are counted (ADR 0007).
    public let timeZone: TimeZone

    /// The instant the request lapses if unanswered: 14 calendar days after the request (§15.2).
    public var expiresAt: Date { RegistryCalendar.adding(days: Limits.transferExpiryDays, to: requestedAt, in: timeZone) }

    /// When the I/O layer should deliver `.timePassed`, if anything is waiting on the clock.
    public var nextDeadline: Date? {
        switch state {
        case .pending: expiresAt
        case .accepted: executionAt
        default: nil
        }
    }

    /// The execution instant of a transfer scheduled for `date`: "12:01 am on the scheduled transfer
    /// date" (§15.2) in the registry's time zone.
    public static func executionInstant(on date: CalendarDate, in timeZone: TimeZone) -> Date {
        date.instant(hour: 0, minute: 1, in: timeZone)
    }

    /// Creates a pending transfer. The caller has already checked the flow
    /// (``SubaccountFlow/allowedFlow(from:to:sameOrganization:initiatedBy:)``) and that the
    /// certificates are active.
    public static func request(
        at requestedAt: Date, executionAt: Date? = nil, timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) throws(RuleViolation) -> (InterAccountTransfer, [Action]) {
        if let executionAt, executionAt <= requestedAt {
            throw RuleViolation(
                .executionBeforeRequest, "the execution date must be after the request", section: Section.transfer)
        }
        let transfer = InterAccountTransfer(requestedAt: requestedAt, executionAt: executionAt, state: .pending, timeZone: timeZone)
        return (transfer, [.freezeCertificates, .notify(.transferor, .requested), .notify(.transferee, .requested)])
    }

    public init(requestedAt: Date, executionAt: Date?, state: State, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.requestedAt = requestedAt
        self.executionAt = executionAt
        self.state = state
        self.timeZone = timeZone
    }

    public mutating func apply(_ event: Event) throws(RuleViolation) -> [Action] {
        switch (state, event) {
        case (.pending, .accept(let party, let at)):
            try Self.require(party, is: .transferee, toDo: "accept")
            try checkNotExpired(at)
            if let executionAt, at < executionAt {
                state = .accepted
                return [.notify(.transferor, .accepted)]
            }
            state = .completed
            return Self.completion

        case (.pending, .reject(let party, let at)):
            try Self.require(party, is: .transferee, toDo: "reject")
            try checkNotExpired(at)
            state = .rejected
            return [.releaseCertificates, .notify(.transferor, .rejected), .notify(.transferee, .rejected)]

        case (.pending, .withdraw(let party, let at)):
            // Until the recipient answers nothing has executed, so the transferor may withdraw even
            // after the execution date (M-RETS §4.6.1: "before a Transferee confirms").
            try Self.require(party, is: .transferor, toDo: "withdraw")
            try checkNotExpired(at)
            state = .withdrawn
            return Self.withdrawal

        case (.accepted, .withdraw(let party, let at)):
            // §15.3: "at any time up to the execution date ... regardless of whether the transferee
            // Account Holder has already accepted it".
            try Self.require(party, is: .transferor, toDo: "withdraw")
            if let executionAt, at >= executionAt {
                throw RuleViolation(
                    .transferAlreadyExecuted, "the transfer reached its execution date and can no longer be withdrawn",
                    section: Section.transferCancel)
            }
            state = .withdrawn
            return Self.withdrawal

        case (.pending, .timePassed(let at)):
            guard at >= expiresAt else { return [] }
            state = .expired
            return [.releaseCertificates, .notify(.transferor, .expired), .notify(.transferee, .expired)]

        case (.accepted, .timePassed(let at)):
            guard let executionAt, at >= executionAt else { return [] }
            state = .completed
            return Self.completion

        case (_, .timePassed):
            return []

        case (.accepted, .accept), (.accepted, .reject):
            throw RuleViolation(
                .transitionNotAllowed, "the transfer has already been accepted", section: Section.transfer)

        default:
            throw RuleViolation(
                .transitionNotAllowed, "the transfer is \(state.rawValue) and can no longer change", section: Section.transfer)
        }
    }

    private static let completion: [Action] = [
        .moveCertificatesToTransferee, .notify(.transferor, .completed), .notify(.transferee, .completed),
    ]

    private static let withdrawal: [Action] = [
        .releaseCertificates, .notify(.transferee, .withdrawn), .notify(.transferor, .withdrawn),
    ]

    private func checkNotExpired(_ at: Date) throws(RuleViolation) {
        guard at < expiresAt else {
            throw RuleViolation(
                .transferExpired, "the transfer expired \(Limits.transferExpiryDays) days after it was requested",
                section: Section.transfer)
        }
    }

    private static func require(_ party: Party, is expected: Party, toDo verb: String) throws(RuleViolation) {
        guard party == expected else {
            throw RuleViolation(
                .wrongParty, "only the \(expected.rawValue) may \(verb) a transfer",
                section: verb == "withdraw" ? Section.transferCancel : Section.transfer)
        }
    }
}
