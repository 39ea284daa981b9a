/// A login's life (Operating Rules §7.2, §24.4): what each change does to its status, decided here
/// so every use case that changes a login goes through the same rules.
///
/// - §7.2.2: an in-organization login is approved at once.
/// - §7.2.1: a third-party agent's login waits for the administrator, who approves or rejects it.
/// - §7.2.1, §7.2.2: the account disables a login at any time; §24.4: the administrator enables a
///   disabled one again. An agent the administrator never approved goes back to waiting.
public enum UserLifecycle {
    public enum Change: Sendable, Hashable {
        case approve, reject, disable, enable
    }

    /// The status a new login starts in.
    public static func initialStatus(_ kind: UserKind) -> UserStatus {
        switch kind {
        case .inOrganization: .active
        case .agent: .pendingApproval
        }
    }

    /// The status after `change`, or the rule it breaks. `approvedBefore`: an agent the
    /// administrator approved at some point (in-organization logins always count as approved).
    public static func apply(
        _ change: Change, to status: UserStatus, kind: UserKind, approvedBefore: Bool
    ) throws(RuleViolation) -> UserStatus {
        switch (change, status) {
        case (.approve, .pendingApproval) where kind == .agent:
            return .active
        case (.reject, .pendingApproval) where kind == .agent:
            return .rejected
        case (.approve, _), (.reject, _):
            throw RuleViolation(
                .userTransitionNotAllowed,
                kind == .agent
                    ? "the agent login is \(name(status)), not waiting for approval"
                    : "only third-party agent logins wait for the administrator's approval; in-organization logins are approved at once",
                section: kind == .agent ? "Operating Rules §7.2.1" : "Operating Rules §7.2.2")
        case (.disable, .active), (.disable, .pendingApproval):
            return .disabled
        case (.disable, _):
            throw RuleViolation(.userTransitionNotAllowed, "the login is \(name(status)) already", section: "Operating Rules §7.2")
        case (.enable, .disabled):
            return kind == .inOrganization || approvedBefore ? .active : .pendingApproval
        case (.enable, _):
            throw RuleViolation(
                .userTransitionNotAllowed, "the login is \(name(status)), not disabled", section: "Operating Rules §24.4")
        }
    }

    static func name(_ status: UserStatus) -> String {
        switch status {
        case .active: "active"
        case .pendingApproval: "waiting for the administrator's approval"
        case .rejected: "rejected"
        case .disabled: "disabled"
        }
    }
}
