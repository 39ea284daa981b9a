import Foundation
import Testing

@testable import Domain

@Suite("Certificate lifecycle state machine")
struct CertificateLifecycleTests {
    let monday = Fixture.instant("2024-03-04T15:00:00Z")
    let reason = try! RetirementReason(.program(.california), details: "2024 RPS compliance")

    func lifecycle(_ status: CertificateLifecycle.Status) -> CertificateLifecycle { CertificateLifecycle(status: status) }

    @Test("Operating Rules §14.2, §12.8: certificates start active")
    func startsActive() {
        #expect(CertificateLifecycle().status == .active)
    }

    @Test("Operating Rules §15.2, M-RETS §4.6.1: a transfer freezes the certificates until it completes or is released")
    func transferFreezes() throws {
        var certificates = CertificateLifecycle()
        #expect(try certificates.apply(.transferRequested(at: monday)) == [.freeze, .recordStatus(.pendingTransfer, at: monday)])
        #expect(certificates.status.kind == .pendingTransfer)
        // Frozen: nothing else may happen to them.
        #expect(violation { () throws(RuleViolation) in try certificates.apply(.retire(at: monday, reason: reason)) }?.code == .transitionNotAllowed)
        #expect(violation { () throws(RuleViolation) in try certificates.apply(.transferRequested(at: monday)) }?.code == .transitionNotAllowed)
        #expect(violation { () throws(RuleViolation) in try certificates.apply(.exportRequested(at: monday)) }?.code == .transitionNotAllowed)
        var released = certificates
        #expect(try released.apply(.transferReleased(at: monday)) == [.unfreeze, .recordStatus(.active, at: monday)])
        #expect(released.status == .active)
        #expect(try certificates.apply(.transferCompleted(at: monday)) == [.moveToTransferee, .unfreeze, .recordStatus(.active, at: monday)])
        #expect(certificates.status == .active)
    }

    @Test("Operating Rules §16.1: retirement moves certificates to a Retirement subaccount with an immutable reason")
    func retire() throws {
        var certificates = CertificateLifecycle()
        #expect(try certificates.apply(.retire(at: monday, reason: reason)) == [.moveToSubaccount(.retirement), .recordStatus(.retired, at: monday)])
        #expect(certificates.status == .retired(at: monday, reason: reason))
        // §6.2: retired certificates cannot be transferred, reserved, exported or retired again.
        for event in [CertificateLifecycle.Event.transferRequested(at: monday), .reserve(at: monday, reason: nil), .exportRequested(at: monday), .retire(at: monday, reason: reason)] {
            #expect(violation { () throws(RuleViolation) in try certificates.apply(event) }?.code == .transitionNotAllowed)
        }
    }

    @Test("Operating Rules §16.1, §18.1: reasons have bounded free text")
    func reasons() {
        let long = String(repeating: "x", count: Limits.reasonDetailsCharactersMax + 1)
        #expect(violation { () throws(RuleViolation) in try RetirementReason(.other, details: long) }?.code == .reasonTooLong)
        #expect(violation { () throws(RuleViolation) in try ReserveReason(long) }?.code == .reasonTooLong)
        #expect(reason.program == .california)
        #expect(try! RetirementReason(.voluntaryMarketActivity).program == nil)
    }

    @Test("Operating Rules §18.2: reserving moves certificates to a Reserve subaccount")
    func reserve() throws {
        var certificates = CertificateLifecycle()
        #expect(try certificates.apply(.reserve(at: monday, reason: nil)) == [.moveToSubaccount(.reserve), .recordStatus(.reserved, at: monday)])
        #expect(certificates.status.kind == .reserved)
    }

    @Test("Operating Rules §17.1, M-RETS §4.6.5: export pending until the partner accepts")
    func exportAccepted() throws {
        var certificates = CertificateLifecycle()
        #expect(try certificates.apply(.exportRequested(at: monday)) == [.freeze, .recordStatus(.exportPending, at: monday)])
        #expect(certificates.status.kind == .exportPending)
        let later = monday.addingTimeInterval(3_600)
        #expect(try certificates.apply(.exportAccepted(at: later)) == [.moveToSubaccount(.export), .recordStatus(.exported, at: later)])
        #expect(certificates.status == .exported(at: later))
    }

    @Test("Operating Rules §17.1: a rejected export returns the certificates to active")
    func exportRejected() throws {
        var certificates = lifecycle(.exportPending(since: monday))
        #expect(try certificates.apply(.exportRejected(at: monday)) == [.unfreeze, .recordStatus(.active, at: monday)])
        #expect(certificates.status == .active)
    }

    @Test("Operating Rules §17.1: an unanswered export expires after 14 days, not before")
    func exportExpiry() throws {
        var certificates = lifecycle(.exportPending(since: monday))
        let early = RegistryCalendar.adding(days: 14, to: monday).addingTimeInterval(-1)
        let error = violation { () throws(RuleViolation) in try certificates.apply(.exportExpired(at: early)) }
        #expect(error?.code == .deadlineNotReached)
        #expect(certificates.status.kind == .exportPending, "a refused event changes nothing")
        let expiry = RegistryCalendar.adding(days: 14, to: monday)
        #expect(try certificates.apply(.exportExpired(at: expiry)) == [.unfreeze, .recordStatus(.active, at: expiry)])
        #expect(certificates.status == .active)
    }

    // MARK: Administrator withdrawals

    @Test(
        "Operating Rules §16.2: retired certificates can be withdrawn by the administrator within 12 months",
        arguments: [("2025-03-04T15:00:00Z", true), ("2025-03-04T15:00:01Z", false), ("2024-09-01T00:00:00Z", true), ("2026-01-01T00:00:00Z", false)])
    func retirementWindow(requested: String, allowed: Bool) throws {
        var certificates = lifecycle(.retired(at: monday, reason: reason))
        let requestedAt = Fixture.instant(requested)
        let event = CertificateLifecycle.Event.withdraw(by: .registryAdministrator, requestedAt: requestedAt, at: requestedAt)
        if allowed {
            #expect(try certificates.apply(event) == [.moveToSubaccount(.active), .recordStatus(.active, at: requestedAt), .notifyProgramAdministrator(.california)])
            #expect(certificates.status == .active)
        } else {
            let error = violation { () throws(RuleViolation) in try certificates.apply(event) }
            #expect(error?.code == .withdrawalWindowClosed)
            #expect(error?.section == "Operating Rules §16.2")
        }
    }

    @Test("Operating Rules §16.2: the window is measured on the request date, even if the withdrawal happens later")
    func windowOnRequest() throws {
        var certificates = lifecycle(.retired(at: monday, reason: try RetirementReason(.other)))
        let requestedAt = Fixture.instant("2025-03-01T00:00:00Z")
        let carriedOut = Fixture.instant("2025-03-25T00:00:00Z")  // after 15 business days for the program administrator
        #expect(try certificates.apply(.withdraw(by: .registryAdministrator, requestedAt: requestedAt, at: carriedOut))
            == [.moveToSubaccount(.active), .recordStatus(.active, at: carriedOut)])
    }

    @Test(
        "Operating Rules §18.3: reserved certificates can be withdrawn by the administrator within 3 months",
        arguments: [("2024-06-04T15:00:00Z", true), ("2024-06-04T15:00:01Z", false), ("2024-03-05T00:00:00Z", true)])
    func reserveWindow(requested: String, allowed: Bool) throws {
        var certificates = lifecycle(.reserved(at: monday, reason: nil))
        let requestedAt = Fixture.instant(requested)
        let event = CertificateLifecycle.Event.withdraw(by: .registryAdministrator, requestedAt: requestedAt, at: requestedAt)
        if allowed {
            #expect(try certificates.apply(event) == [.moveToSubaccount(.active), .recordStatus(.active, at: requestedAt)])
        } else {
            #expect(violation { () throws(RuleViolation) in try certificates.apply(event) }?.code == .withdrawalWindowClosed)
        }
    }

    @Test("Operating Rules §6.3.2: the administrator may withdraw exported certificates placed there in error")
    func exportWithdrawal() throws {
        var certificates = lifecycle(.exported(at: monday))
        let later = Fixture.instant("2027-01-01T00:00:00Z")
        #expect(try certificates.apply(.withdraw(by: .registryAdministrator, requestedAt: later, at: later)) == [.moveToSubaccount(.active), .recordStatus(.active, at: later)])
    }

    @Test(
        "Operating Rules §6.2.2, §6.3.2, §6.4.2: account holders cannot withdraw from end-use subaccounts",
        arguments: [
            CertificateLifecycle.Status.retired(at: Fixture.instant("2024-03-04T15:00:00Z"), reason: try! RetirementReason(.other)),
            .reserved(at: Fixture.instant("2024-03-04T15:00:00Z"), reason: nil), .exported(at: Fixture.instant("2024-03-04T15:00:00Z")),
        ])
    func holderCannotWithdraw(status: CertificateLifecycle.Status) {
        var certificates = lifecycle(status)
        let error = violation { () throws(RuleViolation) in try certificates.apply(.withdraw(by: .accountHolder, requestedAt: monday, at: monday)) }
        #expect(error?.code == .withdrawalRequiresAdministrator)
        #expect(error?.category == .permissionDenied)
        #expect(certificates.status == status)
    }

    @Test("a withdrawal cannot be requested before the certificates arrived or carried out before the request")
    func withdrawalOrder() {
        var certificates = lifecycle(.reserved(at: monday, reason: nil))
        let before = monday.addingTimeInterval(-60)
        #expect(violation { () throws(RuleViolation) in try certificates.apply(.withdraw(by: .registryAdministrator, requestedAt: before, at: monday)) }?.code == .transitionNotAllowed)
        #expect(violation { () throws(RuleViolation) in try certificates.apply(.withdraw(by: .registryAdministrator, requestedAt: monday, at: before)) }?.code == .transitionNotAllowed)
    }

    @Test(
        "events that do not fit the current status are refused and change nothing",
        arguments: [
            (CertificateLifecycle.Status.active, CertificateLifecycle.Event.transferCompleted(at: Fixture.instant("2024-03-04T15:00:00Z"))),
            (.active, .transferReleased(at: Fixture.instant("2024-03-04T15:00:00Z"))),
            (.active, .exportAccepted(at: Fixture.instant("2024-03-04T15:00:00Z"))),
            (.active, .exportExpired(at: Fixture.instant("2024-03-04T15:00:00Z"))),
            (.active, .withdraw(by: .registryAdministrator, requestedAt: Fixture.instant("2024-03-04T15:00:00Z"), at: Fixture.instant("2024-03-04T15:00:00Z"))),
            (.exportPending(since: Fixture.instant("2024-03-04T15:00:00Z")), .retire(at: Fixture.instant("2024-03-04T15:00:00Z"), reason: try! RetirementReason(.other))),
            (.exported(at: Fixture.instant("2024-03-04T15:00:00Z")), .exportRejected(at: Fixture.instant("2024-03-04T15:00:00Z"))),
            (.reserved(at: Fixture.instant("2024-03-04T15:00:00Z"), reason: nil), .transferRequested(at: Fixture.instant("2024-03-04T15:00:00Z"))),
        ])
    func refusedTransitions(status: CertificateLifecycle.Status, event: CertificateLifecycle.Event) {
        var certificates = lifecycle(status)
        #expect(violation { () throws(RuleViolation) in try certificates.apply(event) }?.code == .transitionNotAllowed)
        #expect(certificates.status == status)
    }
}
