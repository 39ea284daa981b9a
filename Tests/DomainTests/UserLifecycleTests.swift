import Domain
import Testing

/// A login's life (Operating Rules §7.2.1, §7.2.2, §24.4), every change from every status.
@Suite("User lifecycle (Operating Rules §7.2)")
struct UserLifecycleTests {
    static let statuses: [UserStatus] = [.pendingApproval, .active, .rejected, .disabled]
    static let changes: [UserLifecycle.Change] = [.approve, .reject, .disable, .enable]

    @Test("§7.2.2: in-organization logins start active; §7.2.1: agents wait for the administrator")
    func initialStatus() {
        #expect(UserLifecycle.initialStatus(.inOrganization) == .active)
        #expect(UserLifecycle.initialStatus(.agent) == .pendingApproval)
    }

    /// The whole table: (kind, approved before, status, change) → the next status, or refused.
    @Test("§7.2: every change from every status, for both kinds of login", arguments: [UserKind.inOrganization, .agent], [false, true])
    func table(kind: UserKind, approvedBefore: Bool) {
        for status in Self.statuses {
            for change in Self.changes {
                let expected: UserStatus?
                switch (change, status) {
                case (.approve, .pendingApproval): expected = kind == .agent ? .active : nil
                case (.reject, .pendingApproval): expected = kind == .agent ? .rejected : nil
                case (.disable, .active), (.disable, .pendingApproval): expected = .disabled
                case (.enable, .disabled): expected = kind == .inOrganization || approvedBefore ? .active : .pendingApproval
                default: expected = nil
                }
                do {
                    let next = try UserLifecycle.apply(change, to: status, kind: kind, approvedBefore: approvedBefore)
                    #expect(next == expected, "\(kind) \(status) \(change)")
                } catch {
                    #expect(expected == nil, "\(kind) \(status) \(change) refused: \(error)")
                    #expect(error.code == .userTransitionNotAllowed && error.category == .failedPrecondition)
                    #expect(error.section.hasPrefix("Operating Rules §"))
                }
            }
        }
    }

    @Test("§7.2.1: an agent the administrator never approved is never enabled straight to active")
    func neverApprovedAgent() throws {
        let enabled = try UserLifecycle.apply(.enable, to: .disabled, kind: .agent, approvedBefore: false)
        #expect(enabled == .pendingApproval)
    }
}
