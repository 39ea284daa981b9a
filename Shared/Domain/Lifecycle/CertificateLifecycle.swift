import Foundation

/// The status of a range of certificates as a pure state machine: events in, next status and the
/// actions for the I/O layer out (in the style of postgres-nio's ConnectionStateMachine). Time is
/// passed in with each event; the machine never reads a clock.
///
/// ```
///              transferRequested            transferCompleted / transferReleased
///   active ───────────────────────▶ pendingTransfer ─────────────────────────────▶ active
///     │ retire ──▶ retired ─────── withdraw (administrator, ≤ 12 months, §16.2) ──▶ active
///     │ reserve ─▶ reserved ────── withdraw (administrator, ≤ 3 months, §18.3) ───▶ active
///     │ exportRequested ─▶ exportPending ── accepted ─▶ exported ── withdraw (administrator, §6.3.2) ─▶ active
///                               └── rejected / expired after 14 days (§17.1) ──▶ active
/// ```
///
/// Certificates in any state other than active are frozen: nothing else may transact them (M-RETS
/// §4.6.1 "freezes"; §17.1 "pending").
public struct CertificateLifecycle: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        case active
        /// Part of an inter-account transfer awaiting the recipient (§15.2; M-RETS §4.6.1).
        case pendingTransfer(since: Date)
        case retired(at: Date, reason: RetirementReason)
        case reserved(at: Date, reason: ReserveReason?)
        /// Offered to a compatible tracking system (§17.1; M-RETS §4.6.5).
        case exportPending(since: Date)
        case exported(at: Date)

        /// The status as shown by the serial number look-up (§20).
        public var kind: Kind {
            switch self {
            case .active: .active
            case .pendingTransfer: .pendingTransfer
            case .retired: .retired
            case .reserved: .reserved
            case .exportPending: .exportPending
            case .exported: .exported
            }
        }
    }

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case active, pendingTransfer, retired, reserved, exportPending, exported
    }

    public enum Event: Sendable, Hashable {
        case transferRequested(at: Date)
        /// The recipient accepted and the transfer executed: the certificates are the recipient's,
        /// active again.
        case transferCompleted(at: Date)
        /// The transfer was rejected, withdrawn or expired: the certificates stay with the holder.
        case transferReleased(at: Date)
        case retire(at: Date, reason: RetirementReason)
        case reserve(at: Date, reason: ReserveReason?)
        case exportRequested(at: Date)
        case exportAccepted(at: Date)
        case exportRejected(at: Date)
        /// The timer for an export pending 14 days (§17.1).
        case exportExpired(at: Date)
        /// A withdrawal from a Retirement, Reserve or Export subaccount back to Active, requested at
        /// `requestedAt` and carried out at `at` (the program administrator may need 15 business days
        /// to answer first, §16.2).
        case withdraw(by: Initiator, requestedAt: Date, at: Date)
    }

    public enum Action: Sendable, Hashable {
        /// Nothing else may transact these certificates.
        case freeze
        case unfreeze
        /// Hand the certificates to the transferee's Active subaccount.
        case moveToTransferee
        /// Move the certificates to one of the holder's own subaccounts of this kind.
        case moveToSubaccount(SubaccountKind)
        /// Record the status and when it changed, for the serial number look-up (§20) and the audit trail.
        case recordStatus(Kind, at: Date)
        /// Tell the program named in the retirement reason about the withdrawal (§16.2).
        case notifyProgramAdministrator(EligibilityProgram)
    }

    public private(set) var status: Status

    /// Newly issued certificates are active (§14.2; §12.8: they stay active until retired or reserved).
    public init() { self.status = .active }

    public init(status: Status) { self.status = status }

    public mutating func apply(_ event: Event) throws(RuleViolation) -> [Action] {
        switch (status, event) {
        case (.active, .transferRequested(let at)):
            status = .pendingTransfer(since: at)
            return [.freeze, .recordStatus(.pendingTransfer, at: at)]

        case (.pendingTransfer, .transferCompleted(let at)):
            status = .active
            return [.moveToTransferee, .unfreeze, .recordStatus(.active, at: at)]

        case (.pendingTransfer, .transferReleased(let at)):
            status = .active
            return [.unfreeze, .recordStatus(.active, at: at)]

        case (.active, .retire(let at, let reason)):
            status = .retired(at: at, reason: reason)
            return [.moveToSubaccount(.retirement), .recordStatus(.retired, at: at)]

        case (.active, .reserve(let at, let reason)):
            status = .reserved(at: at, reason: reason)
            return [.moveToSubaccount(.reserve), .recordStatus(.reserved, at: at)]

        case (.active, .exportRequested(let at)):
            status = .exportPending(since: at)
            return [.freeze, .recordStatus(.exportPending, at: at)]

        case (.exportPending, .exportAccepted(let at)):
            status = .exported(at: at)
            return [.moveToSubaccount(.export), .recordStatus(.exported, at: at)]

        case (.exportPending, .exportRejected(let at)):
            status = .active
            return [.unfreeze, .recordStatus(.active, at: at)]

        case (.exportPending(let since), .exportExpired(let at)):
            let expiry = RegistryCalendar.adding(days: Limits.exportExpiryDays, to: since)
            guard at >= expiry else {
                throw RuleViolation(
                    .deadlineNotReached, "the export request does not expire before \(expiry)", section: Section.export)
            }
            status = .active
            return [.unfreeze, .recordStatus(.active, at: at)]

        case (.retired(let retiredAt, let reason), .withdraw(let initiator, let requestedAt, let at)):
            try Self.checkWithdrawal(
                by: initiator, from: .retirement, since: retiredAt, requestedAt: requestedAt, at: at,
                monthsMax: Limits.retirementWithdrawalMonthsMax, section: Section.retirementWithdrawal)
            status = .active
            var actions: [Action] = [.moveToSubaccount(.active), .recordStatus(.active, at: at)]
            if let program = reason.program { actions.append(.notifyProgramAdministrator(program)) }
            return actions

        case (.reserved(let reservedAt, _), .withdraw(let initiator, let requestedAt, let at)):
            try Self.checkWithdrawal(
                by: initiator, from: .reserve, since: reservedAt, requestedAt: requestedAt, at: at,
                monthsMax: Limits.reserveWithdrawalMonthsMax, section: Section.reserveWithdrawal)
            status = .active
            return [.moveToSubaccount(.active), .recordStatus(.active, at: at)]

        case (.exported(let exportedAt), .withdraw(let initiator, let requestedAt, let at)):
            // §6.3.2 lets the administrator withdraw certificates exported in error and sets no window.
            try Self.checkWithdrawal(
                by: initiator, from: .export, since: exportedAt, requestedAt: requestedAt, at: at,
                monthsMax: nil, section: Section.exportWithdrawal)
            status = .active
            return [.moveToSubaccount(.active), .recordStatus(.active, at: at)]

        default:
            throw RuleViolation(
                .transitionNotAllowed, "\(Self.name(event)) is not possible for certificates that are \(status.kind.rawValue)",
                section: Self.section(for: event))
        }
    }

    private static func checkWithdrawal(
        by initiator: Initiator, from source: SubaccountKind, since: Date, requestedAt: Date, at: Date, monthsMax: Int?,
        section: String
    ) throws(RuleViolation) {
        guard initiator == .registryAdministrator else {
            throw RuleViolation(
                .withdrawalRequiresAdministrator,
                "only the administrator can withdraw certificates from a \(source) subaccount", section: section)
        }
        guard since <= requestedAt, requestedAt <= at else {
            throw RuleViolation(
                .transitionNotAllowed, "a withdrawal is requested after the certificates arrived and carried out after the request",
                section: section)
        }
        if let monthsMax {
            let windowEnd = RegistryCalendar.adding(months: monthsMax, to: since)
            guard requestedAt <= windowEnd else {
                throw RuleViolation(
                    .withdrawalWindowClosed,
                    "withdrawal requested more than \(monthsMax) months after the certificates entered the \(source) subaccount",
                    section: section)
            }
        }
    }

    private static func name(_ event: Event) -> String {
        switch event {
        case .transferRequested: "a transfer"
        case .transferCompleted: "completing a transfer"
        case .transferReleased: "releasing a transfer"
        case .retire: "retirement"
        case .reserve: "reserving"
        case .exportRequested: "an export"
        case .exportAccepted: "accepting an export"
        case .exportRejected: "rejecting an export"
        case .exportExpired: "expiring an export"
        case .withdraw: "a withdrawal"
        }
    }

    private static func section(for event: Event) -> String {
        switch event {
        case .transferRequested, .transferCompleted, .transferReleased: Section.transfer
        case .retire: Section.retirement
        case .reserve: Section.reserve
        case .exportRequested, .exportAccepted, .exportRejected, .exportExpired: Section.export
        case .withdraw: Section.endUseSubaccounts
        }
    }
}
