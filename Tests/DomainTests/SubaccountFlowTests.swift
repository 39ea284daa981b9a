import Testing

@testable import Domain

@Suite("Flows between subaccounts (Operating Rules §6, §6.1.2, §15.1, §15.2 footnote 16, §16.2, §18.3)")
struct SubaccountFlowTests {
    typealias Kind = SubaccountFlow.Kind
    enum Expectation: Sendable, Equatable {
        case success(Kind)
        case failure(RuleViolation.Code)
    }

    /// Every combination of source, destination, organization and initiator, with the rule's answer.
    static let matrix: [(SubaccountKind, SubaccountKind, Bool, Initiator, Expectation)] = {
        var cases: [(SubaccountKind, SubaccountKind, Bool, Initiator, Expectation)] = []
        for initiator in [Initiator.accountHolder, .registryAdministrator] {
            // §6.1.2, §15.1: from Active to one's own subaccounts of every kind.
            cases.append((.active, .active, true, initiator, .success(.intraAccountTransfer)))
            cases.append((.active, .retirement, true, initiator, .success(.retirement)))
            cases.append((.active, .reserve, true, initiator, .success(.reserve)))
            cases.append((.active, .export, true, initiator, .success(.export)))
            // §15.2: to another organization's Active subaccount only (footnote 16).
            cases.append((.active, .active, false, initiator, .success(.interAccountTransfer)))
            cases.append((.active, .retirement, false, initiator, .failure(.flowIntoOtherOrganizationEndUse)))
            cases.append((.active, .reserve, false, initiator, .failure(.flowIntoOtherOrganizationEndUse)))
            cases.append((.active, .export, false, initiator, .failure(.flowIntoOtherOrganizationEndUse)))
            // §6.2-§6.4, §15.1: nothing leaves an end-use subaccount for another end use.
            for source in [SubaccountKind.retirement, .reserve, .export] {
                for destination in [SubaccountKind.retirement, .reserve, .export] {
                    cases.append((source, destination, true, initiator, .failure(.flowFromEndUseSubaccount)))
                    cases.append((source, destination, false, initiator, .failure(.flowFromEndUseSubaccount)))
                }
            }
        }
        // §6.2.2, §6.3.2, §6.4.2, §16.2, §18.3: only the administrator withdraws, back to the holder's Active.
        for source in [SubaccountKind.retirement, .reserve, .export] {
            cases.append((source, .active, true, .registryAdministrator, .success(.administratorWithdrawal)))
            cases.append((source, .active, false, .registryAdministrator, .failure(.flowNotAllowed)))
            cases.append((source, .active, true, .accountHolder, .failure(.withdrawalRequiresAdministrator)))
            cases.append((source, .active, false, .accountHolder, .failure(.withdrawalRequiresAdministrator)))
        }
        return cases
    }()

    @Test("the matrix covers all 64 combinations")
    func matrixIsComplete() {
        #expect(Self.matrix.count == 64)
        let keys = Set(Self.matrix.map { "\($0.0)-\($0.1)-\($0.2)-\($0.3)" })
        #expect(keys.count == 64)
    }

    @Test("Operating Rules §6.1.2, §15.1, §15.2 fn. 16, §16.2, §18.3: allowed flows", arguments: matrix)
    func allowedFlow(source: SubaccountKind, destination: SubaccountKind, sameOrganization: Bool, initiator: Initiator, expected: Expectation) {
        do throws(RuleViolation) {
            let kind = try SubaccountFlow.allowedFlow(from: source, to: destination, sameOrganization: sameOrganization, initiatedBy: initiator)
            #expect(expected == .success(kind))
        } catch {
            #expect(expected == .failure(error.code), "\(error)")
            #expect(error.section.contains("§"), "the violation names its section")
        }
    }

    @Test("Operating Rules §15.2: only inter-account transfers wait for the recipient")
    func acceptance() {
        #expect(Kind.interAccountTransfer.requiresRecipientAcceptance)
        #expect(!Kind.intraAccountTransfer.requiresRecipientAcceptance)
        #expect(!Kind.retirement.requiresRecipientAcceptance)
    }

    @Test("Operating Rules §6: every kind but Active is an end use")
    func endUse() {
        #expect(SubaccountKind.allCases.filter(\.isEndUse) == [.retirement, .reserve, .export])
    }
}
