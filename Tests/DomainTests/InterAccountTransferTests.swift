import Foundation
import Testing

@testable import Domain

@Suite("One-time inter-account transfer state machine (Operating Rules §15.2-§15.3, M-RETS §4.6.1)")
struct InterAccountTransferTests {
    let requested = Fixture.instant("2024-03-01T12:00:00Z")
    var expiryInstant: Date { RegistryCalendar.adding(days: 14, to: requested) }
    let execution = Fixture.instant("2024-03-10T08:01:00Z")

    func transfer(executionAt: Date? = nil) throws -> InterAccountTransfer {
        try InterAccountTransfer.request(at: requested, executionAt: executionAt).0
    }

    @Test("Operating Rules §15.2: a request freezes the certificates and notifies both parties")
    func request() throws {
        let (transfer, actions) = try InterAccountTransfer.request(at: requested)
        #expect(transfer.state == .pending)
        #expect(actions == [.freezeCertificates, .notify(.transferor, .requested), .notify(.transferee, .requested)])
        #expect(transfer.expiresAt == Fixture.instant("2024-03-15T12:00:00Z"))
        #expect(transfer.nextDeadline == transfer.expiresAt)
    }

    @Test("Operating Rules §15.2: the execution date must follow the request")
    func executionBeforeRequest() {
        let error = violation { () throws(RuleViolation) in try InterAccountTransfer.request(at: requested, executionAt: requested) }
        #expect(error?.code == .executionBeforeRequest)
    }

    @Test("Operating Rules §15.2: scheduled transfers execute at 12:01 am on the execution date")
    func executionInstant() {
        let mountain = TimeZone(identifier: "America/Denver")!
        #expect(InterAccountTransfer.executionInstant(on: Fixture.day("03/10/2024"), in: mountain) == Fixture.instant("2024-03-10T07:01:00Z"))
    }

    @Test("Operating Rules §15.2: accepting an immediate transfer completes it")
    func acceptImmediate() throws {
        var transfer = try transfer()
        let actions = try transfer.apply(.accept(by: .transferee, at: requested.addingTimeInterval(60)))
        #expect(transfer.state == .completed)
        #expect(actions == [.moveCertificatesToTransferee, .notify(.transferor, .completed), .notify(.transferee, .completed)])
        #expect(transfer.nextDeadline == nil)
    }

    @Test("Operating Rules §15.2: an accepted scheduled transfer waits for its execution time")
    func acceptScheduled() throws {
        var transfer = try transfer(executionAt: execution)
        #expect(try transfer.apply(.accept(by: .transferee, at: requested.addingTimeInterval(60))) == [.notify(.transferor, .accepted)])
        #expect(transfer.state == .accepted)
        #expect(transfer.nextDeadline == execution)
        #expect(try transfer.apply(.timePassed(at: execution.addingTimeInterval(-1))) == [])
        #expect(transfer.state == .accepted)
        #expect(try transfer.apply(.timePassed(at: execution)) == [.moveCertificatesToTransferee, .notify(.transferor, .completed), .notify(.transferee, .completed)])
        #expect(transfer.state == .completed)
    }

    @Test("Operating Rules §15.2: accepted after its execution date, a transfer executes at once")
    func acceptAfterExecutionDate() throws {
        var transfer = try transfer(executionAt: execution)
        _ = try transfer.apply(.accept(by: .transferee, at: execution.addingTimeInterval(3_600)))
        #expect(transfer.state == .completed)
    }

    @Test("Operating Rules §15.2, M-RETS §4.6.1: the recipient may reject; the certificates are released")
    func reject() throws {
        var transfer = try transfer()
        #expect(try transfer.apply(.reject(by: .transferee, at: requested)) == [.releaseCertificates, .notify(.transferor, .rejected), .notify(.transferee, .rejected)])
        #expect(transfer.state == .rejected)
    }

    @Test("Operating Rules §15.2: unanswered for 14 calendar days, the transfer expires and both parties are told")
    func expiry() throws {
        var transfer = try transfer()
        #expect(try transfer.apply(.timePassed(at: expiryInstant.addingTimeInterval(-1))) == [])
        #expect(transfer.state == .pending)
        #expect(try transfer.apply(.timePassed(at: expiryInstant)) == [.releaseCertificates, .notify(.transferor, .expired), .notify(.transferee, .expired)])
        #expect(transfer.state == .expired)
        #expect(try transfer.apply(.timePassed(at: expiryInstant.addingTimeInterval(86_400))) == [], "time passing changes nothing more")
    }

    @Test(
        "Operating Rules §15.2: answers are accepted up to, not at, the expiry instant",
        arguments: [(-1.0, true), (0.0, false), (3_600.0, false)])
    func answerDeadline(offset: Double, accepted: Bool) throws {
        var transfer = try transfer()
        let at = RegistryCalendar.adding(days: 14, to: requested).addingTimeInterval(offset)
        if accepted {
            _ = try transfer.apply(.accept(by: .transferee, at: at))
            #expect(transfer.state == .completed)
        } else {
            #expect(violation { () throws(RuleViolation) in try transfer.apply(.accept(by: .transferee, at: at)) }?.code == .transferExpired)
            #expect(violation { () throws(RuleViolation) in try transfer.apply(.reject(by: .transferee, at: at)) }?.code == .transferExpired)
            #expect(violation { () throws(RuleViolation) in try transfer.apply(.withdraw(by: .transferor, at: at)) }?.code == .transferExpired)
            #expect(transfer.state == .pending, "the expiry itself comes from the timer")
        }
    }

    @Test("Operating Rules §15.3: the transferor may withdraw a pending transfer; the transferee is notified")
    func withdrawPending() throws {
        var transfer = try transfer(executionAt: execution)
        #expect(try transfer.apply(.withdraw(by: .transferor, at: requested)) == [.releaseCertificates, .notify(.transferee, .withdrawn), .notify(.transferor, .withdrawn)])
        #expect(transfer.state == .withdrawn)
    }

    @Test("Operating Rules §15.3: withdrawal up to the execution date even after acceptance, not after")
    func withdrawAccepted() throws {
        var before = try transfer(executionAt: execution)
        _ = try before.apply(.accept(by: .transferee, at: requested))
        _ = try before.apply(.withdraw(by: .transferor, at: execution.addingTimeInterval(-1)))
        #expect(before.state == .withdrawn)

        var late = try transfer(executionAt: execution)
        _ = try late.apply(.accept(by: .transferee, at: requested))
        let error = violation { () throws(RuleViolation) in try late.apply(.withdraw(by: .transferor, at: execution)) }
        #expect(error?.code == .transferAlreadyExecuted)
        #expect(error?.section == "Operating Rules §15.3")
        #expect(late.state == .accepted)
    }

    @Test(
        "Operating Rules §15.2-§15.3: only the transferee answers and only the transferor withdraws",
        arguments: [
            InterAccountTransfer.Event.accept(by: .transferor, at: Fixture.instant("2024-03-01T13:00:00Z")),
            .reject(by: .transferor, at: Fixture.instant("2024-03-01T13:00:00Z")),
            .withdraw(by: .transferee, at: Fixture.instant("2024-03-01T13:00:00Z")),
        ])
    func wrongParty(event: InterAccountTransfer.Event) throws {
        var transfer = try transfer()
        let error = violation { () throws(RuleViolation) in try transfer.apply(event) }
        #expect(error?.code == .wrongParty)
        #expect(error?.category == .permissionDenied)
        #expect(transfer.state == .pending)
    }

    @Test(
        "a finished transfer cannot change",
        arguments: [InterAccountTransfer.State.completed, .rejected, .withdrawn, .expired])
    func finalStates(state: InterAccountTransfer.State) {
        #expect(state.isFinal)
        var transfer = InterAccountTransfer(requestedAt: requested, executionAt: nil, state: state)
        for event in [InterAccountTransfer.Event.accept(by: .transferee, at: requested), .reject(by: .transferee, at: requested), .withdraw(by: .transferor, at: requested)] {
            #expect(violation { () throws(RuleViolation) in try transfer.apply(event) }?.code == .transitionNotAllowed)
        }
        #expect(transfer.state == state)
    }

    @Test("an accepted transfer cannot be accepted or rejected again")
    func acceptedTwice() throws {
        var transfer = try transfer(executionAt: execution)
        _ = try transfer.apply(.accept(by: .transferee, at: requested))
        #expect(violation { () throws(RuleViolation) in try transfer.apply(.accept(by: .transferee, at: requested)) }?.code == .transitionNotAllowed)
        #expect(violation { () throws(RuleViolation) in try transfer.apply(.reject(by: .transferee, at: requested)) }?.code == .transitionNotAllowed)
    }

    /// Drives the certificate and transfer machines together, as the I/O layer does, and checks that
    /// the certificates end active exactly once, with the right owner.
    @Test("the transfer's actions drive the certificate lifecycle consistently", arguments: ["accept", "reject", "withdraw", "expire"])
    func drivesCertificates(ending: String) throws {
        var certificates = CertificateLifecycle()
        var (transfer, actions) = try InterAccountTransfer.request(at: requested)
        var owner = "transferor"
        func perform(_ actions: [InterAccountTransfer.Action], at: Date) throws {
            for action in actions {
                switch action {
                case .freezeCertificates: _ = try certificates.apply(.transferRequested(at: at))
                case .releaseCertificates: _ = try certificates.apply(.transferReleased(at: at))
                case .moveCertificatesToTransferee:
                    _ = try certificates.apply(.transferCompleted(at: at))
                    owner = "transferee"
                case .notify: break
                }
            }
        }
        try perform(actions, at: requested)
        #expect(certificates.status.kind == .pendingTransfer)
        let later = requested.addingTimeInterval(60)
        switch ending {
        case "accept": actions = try transfer.apply(.accept(by: .transferee, at: later))
        case "reject": actions = try transfer.apply(.reject(by: .transferee, at: later))
        case "withdraw": actions = try transfer.apply(.withdraw(by: .transferor, at: later))
        default: actions = try transfer.apply(.timePassed(at: expiryInstant))
        }
        try perform(actions, at: later)
        #expect(certificates.status == .active)
        #expect(owner == (ending == "accept" ? "transferee" : "transferor"))
    }
}
