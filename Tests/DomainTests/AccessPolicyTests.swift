import Testing

@testable import Domain

/// Callers, actions and targets for the authorization tests. Organization A1 and A2 are account
/// holders, Q1 and Q2 Qualified Reporting Entities, P1 and P2 program administrators, WA the
/// registry administrator.
private enum Access {
    static func user(
        _ level: AccessLevel, org: String = "A1", role: OrganizationRole = .accountHolder, kind: UserKind = .inOrganization,
        status: UserStatus = .active, grants: [PermissionGrant] = [], accessGrantedBy: Set<String> = []
    ) -> Caller {
        .user(
            UserPrincipal(
                userID: "\(org)-\(level)-\(kind.rawValue)-\(status.rawValue)", organizationID: org, organizationRole: role,
                kind: kind, level: level, status: status, grants: grants, accessGrantedBy: accessGrantedBy),
            keyID: "key-\(org)-\(level)")
    }

    static func administrator(_ level: AccessLevel) -> Caller { user(level, org: "WA", role: .registryAdministrator) }
    static func programAdministrator(_ level: AccessLevel, org: String = "P1") -> Caller {
        user(level, org: org, role: .programAdministrator)
    }
    static func reportingEntity(_ level: AccessLevel, org: String = "Q1") -> Caller { user(level, org: org, role: .reportingEntity) }
    static func service(_ service: PeerService) -> Caller { .service(service, certificate: "CN=\(service.rawValue)") }
    static let partner = Caller.partner(systemID: "MRETS", certificate: "CN=mrets.example")

    static let levels = AccessLevel.allCases
    static let serviceCalls: [AccessAction] = [
        .serviceCall([]), .serviceCall([.issuance]), .serviceCall([.transfer, .reporting]), .serviceCall(Set(PeerService.allCases)),
    ]
    /// Every action a login may ask for (everything but the service and partner methods).
    static let userActions: [AccessAction] =
        [.readPublic, .manageOwnCredentials, .readFeed, .viewAccount, .maintainAccount]
        + levels.map { .createUser(level: $0) } + levels.map { .changeUser(level: $0) }
        + [.terminateAccount, .manageGeneration, .manageCertificates, .reportGeneration, .lookUpSerials, .administerProgram, .administer]
    static let allActions: [AccessAction] = userActions + serviceCalls + [.partnerExchange]

    static let ownAccount = AccessTarget(organizationID: "A1")
    static let otherAccount = AccessTarget(organizationID: "A2")

    /// Targets the property tests sweep: own and other accounts, granted subaccounts and units,
    /// program grants, reporting designations, and a target that names nothing.
    static let targets: [AccessTarget] = [
        AccessTarget(),
        ownAccount,
        otherAccount,
        AccessTarget(organizationID: "A1", subaccountID: "S1"),
        AccessTarget(organizationID: "A1", subaccountID: "S2"),
        AccessTarget(organizationID: "A1", generatingUnitID: "U1"),
        AccessTarget(organizationID: "A1", generatingUnitID: "U2"),
        AccessTarget(organizationID: "A2", subaccountID: "S1", generatingUnitID: "U1"),
        AccessTarget(organizationID: "A2", programAdministrators: ["P1"]),
        AccessTarget(organizationID: "A1", programAdministrators: ["P2"]),
        AccessTarget(organizationID: "P1"),
        AccessTarget(organizationID: "A2", generatingUnitID: "U9", reportingEntity: "Q1"),
        AccessTarget(organizationID: "A1", generatingUnitID: "U1", reportingEntity: "A1"),
        AccessTarget(organizationID: "A2", generatingUnitID: "U8", reportingEntity: "Q2"),
    ]

    /// Callers the property tests sweep: every kind, role, level and status, with and without grants.
    static let callers: [Caller] =
        [.anonymous, partner] + PeerService.allCases.map(service)
        + levels.flatMap { level in
            [
                user(level), user(level, org: "A2"), user(level, kind: .agent), user(level, kind: .agent, status: .pendingApproval),
                user(level, status: .disabled), user(level, kind: .agent, status: .rejected),
                user(level, grants: [PermissionGrant(.certificateManagement)]),
                user(level, grants: [PermissionGrant(.certificateManagement, .subaccount("S1"))]),
                user(level, grants: [PermissionGrant(.generationManagement, .generatingUnit("U1"))]),
                user(level, kind: .agent, grants: [PermissionGrant(.generationManagement), PermissionGrant(.certificateManagement)]),
                administrator(level), programAdministrator(level), programAdministrator(level, org: "P2"), reportingEntity(level),
            ]
        }
}

/// Records an issue unless `decision` allows.
private func expectAllowed(_ decision: AccessDecision, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(decision == .allowed, comment, sourceLocation: sourceLocation)
}

/// Records an issue unless `decision` refuses with `code`, in `category`, citing a section.
private func expectRefused(
    _ decision: AccessDecision, _ code: RuleViolation.Code, category: RuleViolation.Category = .permissionDenied,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard case .refused(let violation) = decision else {
        let note = comment.map { " (\($0.rawValue))" } ?? ""
        Issue.record("expected a refusal with \(code), got \(decision)\(note)", sourceLocation: sourceLocation)
        return
    }
    #expect(violation.code == code, comment, sourceLocation: sourceLocation)
    #expect(violation.category == category, comment, sourceLocation: sourceLocation)
    #expect(violation.section.contains("§"), "a refusal cites the rule it enforces", sourceLocation: sourceLocation)
    #expect(!violation.message.isEmpty, sourceLocation: sourceLocation)
}

@Suite("Authorization policy: callers, services and partners (Operating Rules §7, §11, §17)")
struct AccessPolicyCallerTests {
    @Test("§11: an anonymous caller is refused every action, as unauthenticated", arguments: Access.allActions)
    func anonymous(action: AccessAction) {
        expectRefused(AccessPolicy.admits(.anonymous, action), .notAuthenticated, category: .unauthenticated)
        for target in Access.targets {
            expectRefused(AccessPolicy.decide(.anonymous, action, target), .notAuthenticated, category: .unauthenticated)
        }
    }

    @Test("§11: the credential the audit trail records is the key id or the certificate subject")
    func credential() {
        #expect(Caller.anonymous.credential == "")
        #expect(Caller.anonymous.user == nil)
        #expect(Access.user(.manager).credential == "key-A1-manager")
        #expect(Access.user(.manager).user?.organizationID == "A1")
        #expect(Access.service(.issuance).credential == "CN=issuance")
        #expect(Access.service(.issuance).user == nil)
        #expect(Access.partner.credential == "CN=mrets.example")
        #expect(Access.partner.user == nil)
    }

    @Test("§11: a service may make a service call that names it")
    func issuanceServiceCall() {
        let issuance = Access.service(.issuance)
        expectAllowed(AccessPolicy.admits(issuance, .serviceCall([.issuance])))
        expectAllowed(AccessPolicy.decide(issuance, .serviceCall([.issuance]), Access.otherAccount))
        expectAllowed(AccessPolicy.admits(issuance, .serviceCall([.issuance, .transfer])))
        expectRefused(AccessPolicy.admits(Access.service(.transfer), .serviceCall([.issuance])), .notForThisCaller)
        expectRefused(AccessPolicy.admits(Access.service(.reporting), .serviceCall([.issuance])), .notForThisCaller)
        expectRefused(AccessPolicy.admits(Access.service(.registry), .serviceCall([.issuance])), .notForThisCaller)
    }

    @Test("§11: each service is admitted exactly to the service calls naming it", arguments: PeerService.allCases)
    func serviceCalls(service: PeerService) {
        let caller = Access.service(service)
        expectAllowed(AccessPolicy.admits(caller, .serviceCall([service])))
        expectAllowed(AccessPolicy.admits(caller, .serviceCall(Set(PeerService.allCases))))
        expectRefused(AccessPolicy.admits(caller, .serviceCall(Set(PeerService.allCases).subtracting([service]))), .notForThisCaller)
        expectRefused(AccessPolicy.admits(caller, .serviceCall([])), .notForThisCaller, "a call open to no service")
    }

    @Test("§11: every service may read the event feeds", arguments: PeerService.allCases)
    func serviceFeeds(service: PeerService) {
        expectAllowed(AccessPolicy.admits(Access.service(service), .readFeed))
        expectAllowed(AccessPolicy.decide(Access.service(service), .readFeed, Access.ownAccount))
    }

    @Test(
        "§11: a service may do nothing else, not even what any login may",
        arguments: PeerService.allCases, Access.userActions.filter { $0 != .readFeed } + [.partnerExchange])
    func serviceOtherwise(service: PeerService, action: AccessAction) {
        expectRefused(AccessPolicy.admits(Access.service(service), action), .notForThisCaller)
        expectRefused(AccessPolicy.decide(Access.service(service), action, Access.ownAccount), .notForThisCaller)
    }

    @Test("§17, M-RETS §4.6.2: a compatible tracking system may use the exchange methods only", arguments: Access.allActions)
    func partner(action: AccessAction) {
        if action == .partnerExchange {
            expectAllowed(AccessPolicy.admits(Access.partner, action))
            expectAllowed(AccessPolicy.decide(Access.partner, action, Access.otherAccount))
        } else {
            expectRefused(AccessPolicy.admits(Access.partner, action), .notForThisCaller)
            expectRefused(AccessPolicy.decide(Access.partner, action, Access.ownAccount), .notForThisCaller)
        }
    }

    @Test("§11, §17: no login may make service calls or partner exchanges, not even the administrator's Manager")
    func usersNotServices() {
        for caller in [Access.user(.manager), Access.administrator(.manager), Access.programAdministrator(.manager), Access.reportingEntity(.manager)] {
            for action in Access.serviceCalls + [.partnerExchange] {
                expectRefused(AccessPolicy.admits(caller, action), .notForThisCaller, "\(action)")
            }
        }
    }
}

@Suite("Authorization policy: logins and their status (Operating Rules §7.2)")
struct AccessPolicyStatusTests {
    @Test("§7.2.1: an agent login the administrator has not approved may do nothing", arguments: Access.levels)
    func pendingAgent(level: AccessLevel) {
        let agent = Access.user(level, kind: .agent, status: .pendingApproval, grants: [PermissionGrant(.certificateManagement)])
        for action in Access.allActions {
            expectRefused(AccessPolicy.admits(agent, action), .agentNotApproved, "\(action)")
            expectRefused(AccessPolicy.decide(agent, action, Access.ownAccount), .agentNotApproved, "\(action)")
        }
    }

    @Test(
        "§7.2.1, §7.2.2: a disabled or rejected login may do nothing",
        arguments: [UserStatus.disabled, .rejected], [UserKind.inOrganization, .agent])
    func inactive(status: UserStatus, kind: UserKind) {
        for level in Access.levels {
            let login = Access.user(level, kind: kind, status: status)
            for action in Access.allActions {
                expectRefused(AccessPolicy.admits(login, action), .userNotActive, "\(level) \(action)")
                expectRefused(AccessPolicy.decide(login, action, Access.ownAccount), .userNotActive, "\(level) \(action)")
            }
        }
        expectRefused(AccessPolicy.admits(Access.user(.manager, org: "WA", role: .registryAdministrator, status: status), .administer), .userNotActive)
    }

    @Test("§7.2.1: once approved, an agent acts as an in-organization login of its level", arguments: Access.levels)
    func approvedAgent(level: AccessLevel) {
        let grants = [PermissionGrant(.certificateManagement, .subaccount("S1")), PermissionGrant(.generationManagement, .generatingUnit("U1"))]
        let agent = Access.user(level, kind: .agent, grants: grants)
        let colleague = Access.user(level, kind: .inOrganization, grants: grants)
        for action in Access.allActions {
            #expect(AccessPolicy.admits(agent, action) == AccessPolicy.admits(colleague, action), "\(action)")
            for target in Access.targets {
                #expect(AccessPolicy.decide(agent, action, target) == AccessPolicy.decide(colleague, action, target), "\(action) \(target)")
            }
        }
    }

    @Test("§7.2.1: an approved Supervisor agent manages the account's certificates; a View Only agent only views")
    func approvedAgentExamples() {
        let subaccount = AccessTarget(organizationID: "A1", subaccountID: "S1")
        expectAllowed(AccessPolicy.decide(Access.user(.supervisor, kind: .agent), .manageCertificates, subaccount))
        expectAllowed(AccessPolicy.decide(Access.user(.viewOnly, kind: .agent), .viewAccount, Access.ownAccount))
        expectRefused(AccessPolicy.decide(Access.user(.viewOnly, kind: .agent), .manageCertificates, subaccount), .accessLevelTooLow)
    }

    @Test("§7: every active login may read public reports and manage its own credentials", arguments: Access.callers)
    func everyActiveLogin(caller: Caller) {
        guard let user = caller.user, user.status == .active else { return }
        for action in [AccessAction.readPublic, .manageOwnCredentials] {
            expectAllowed(AccessPolicy.admits(caller, action), "\(action)")
            for target in Access.targets {
                expectAllowed(AccessPolicy.decide(caller, action, target), "\(action) \(target)")
            }
        }
    }

    @Test("§11: public reports and credentials are for authenticated callers only")
    func publicNeedsACredential() {
        expectRefused(AccessPolicy.admits(.anonymous, .readPublic), .notAuthenticated, category: .unauthenticated)
        expectRefused(AccessPolicy.admits(.anonymous, .manageOwnCredentials), .notAuthenticated, category: .unauthenticated)
    }
}

@Suite("Authorization policy: levels of account access and permissions (Operating Rules §7, §7.1, §7.3)")
struct AccessPolicyLevelTests {
    @Test("§7.1: the levels run Manager, Supervisor, Maintenance, View Only, broadest first")
    func levelOrder() {
        #expect(AccessLevel.manager > .supervisor)
        #expect(AccessLevel.supervisor > .maintenance)
        #expect(AccessLevel.maintenance > .viewOnly)
        #expect(AccessLevel.allCases.sorted(by: >) == [.manager, .supervisor, .maintenance, .viewOnly])
        #expect(AccessLevel.manager.atLeast(.viewOnly))
        #expect(AccessLevel.maintenance.atLeast(.maintenance))
        #expect(!AccessLevel.viewOnly.atLeast(.maintenance))
        #expect(!AccessLevel.supervisor.atLeast(.manager))
    }

    @Test(
        "§7.1: the Manager and Supervisors hold every permission of their account",
        arguments: [AccessLevel.manager, .supervisor], [AccessAction.manageCertificates, .manageGeneration])
    func managerAndSupervisorManage(level: AccessLevel, action: AccessAction) {
        let login = Access.user(level)
        expectAllowed(AccessPolicy.admits(login, action))
        expectAllowed(AccessPolicy.decide(login, action, Access.ownAccount))
        expectAllowed(AccessPolicy.decide(login, action, AccessTarget(organizationID: "A1", subaccountID: "S2")))
        expectAllowed(AccessPolicy.decide(login, action, AccessTarget(organizationID: "A1", generatingUnitID: "U2")))
    }

    @Test(
        "§7.1: an Account Maintenance login without the optional permission manages nothing",
        arguments: [AccessAction.manageCertificates, .manageGeneration])
    func maintenanceWithoutGrant(action: AccessAction) {
        let login = Access.user(.maintenance)
        expectRefused(AccessPolicy.admits(login, action), .permissionNotGranted)
        expectRefused(AccessPolicy.decide(login, action, AccessTarget(organizationID: "A1", subaccountID: "S1", generatingUnitID: "U1")), .permissionNotGranted)
    }

    @Test("§7, §7.1: an account-level Certificate Management grant covers every subaccount of the account")
    func accountCertificateGrant() {
        let login = Access.user(.maintenance, grants: [PermissionGrant(.certificateManagement)])
        expectAllowed(AccessPolicy.admits(login, .manageCertificates))
        expectAllowed(AccessPolicy.decide(login, .manageCertificates, AccessTarget(organizationID: "A1", subaccountID: "S1")))
        expectAllowed(AccessPolicy.decide(login, .manageCertificates, AccessTarget(organizationID: "A1", subaccountID: "S2")))
        expectAllowed(AccessPolicy.decide(login, .manageCertificates, Access.ownAccount))
    }

    @Test("§7.1, §7.3: a Certificate Management grant for one subaccount covers that subaccount alone")
    func subaccountCertificateGrant() {
        let login = Access.user(.maintenance, grants: [PermissionGrant(.certificateManagement, .subaccount("S1"))])
        expectAllowed(AccessPolicy.admits(login, .manageCertificates), "the coarse check cannot know the subaccount yet")
        expectAllowed(AccessPolicy.decide(login, .manageCertificates, AccessTarget(organizationID: "A1", subaccountID: "S1")))
        expectRefused(AccessPolicy.decide(login, .manageCertificates, AccessTarget(organizationID: "A1", subaccountID: "S2")), .permissionNotGranted)
        expectRefused(AccessPolicy.decide(login, .manageCertificates, Access.ownAccount), .permissionNotGranted, "the account as a whole was not granted")
        expectRefused(
            AccessPolicy.decide(login, .manageCertificates, AccessTarget(organizationID: "A2", subaccountID: "S1")), .otherOrganization,
            "a subaccount of the same name in another organization")
    }

    @Test("§7.1: a Generation Management grant for one unit covers that unit alone")
    func unitGenerationGrant() {
        let login = Access.user(.maintenance, grants: [PermissionGrant(.generationManagement, .generatingUnit("U1"))])
        expectAllowed(AccessPolicy.admits(login, .manageGeneration))
        expectAllowed(AccessPolicy.decide(login, .manageGeneration, AccessTarget(organizationID: "A1", generatingUnitID: "U1")))
        expectRefused(AccessPolicy.decide(login, .manageGeneration, AccessTarget(organizationID: "A1", generatingUnitID: "U2")), .permissionNotGranted)
        expectRefused(AccessPolicy.decide(login, .manageGeneration, Access.ownAccount), .permissionNotGranted)
    }

    @Test(
        "§7.1: Generation Management and Certificate Management are separate permissions",
        arguments: [PermissionGrant.Scope.account, .generatingUnit("U1"), .subaccount("S1")])
    func categoriesAreSeparate(scope: PermissionGrant.Scope) {
        let target = AccessTarget(organizationID: "A1", subaccountID: "S1", generatingUnitID: "U1")
        let generation = Access.user(.maintenance, grants: [PermissionGrant(.generationManagement, scope)])
        expectAllowed(AccessPolicy.decide(generation, .manageGeneration, target))
        expectRefused(AccessPolicy.admits(generation, .manageCertificates), .permissionNotGranted)
        expectRefused(AccessPolicy.decide(generation, .manageCertificates, target), .permissionNotGranted)
        let certificates = Access.user(.maintenance, grants: [PermissionGrant(.certificateManagement, scope)])
        expectAllowed(AccessPolicy.decide(certificates, .manageCertificates, target))
        expectRefused(AccessPolicy.admits(certificates, .manageGeneration), .permissionNotGranted)
        expectRefused(AccessPolicy.decide(certificates, .manageGeneration, target), .permissionNotGranted)
    }

    @Test("§7.1, §7.3: a grant is for the login's own account: another organization's records stay closed")
    func grantOnOwnAccountOnly() {
        let login = Access.user(.maintenance, grants: [PermissionGrant(.certificateManagement), PermissionGrant(.generationManagement)])
        expectRefused(AccessPolicy.decide(login, .manageCertificates, AccessTarget(organizationID: "A2", subaccountID: "S9")), .otherOrganization)
        expectRefused(AccessPolicy.decide(login, .manageGeneration, AccessTarget(organizationID: "A2", generatingUnitID: "U9")), .otherOrganization)
    }

    @Test("§7.1: View Only may view the account and nothing else, whatever it was granted")
    func viewOnly() {
        // Even optional permissions do not let a View Only login change anything.
        let login = Access.user(.viewOnly, grants: [PermissionGrant(.certificateManagement), PermissionGrant(.generationManagement)])
        expectAllowed(AccessPolicy.admits(login, .viewAccount))
        expectAllowed(AccessPolicy.decide(login, .viewAccount, Access.ownAccount))
        expectAllowed(AccessPolicy.decide(login, .lookUpSerials, Access.ownAccount))
        let changes: [AccessAction] =
            [.maintainAccount, .manageCertificates, .manageGeneration, .terminateAccount, .reportGeneration]
            + Access.levels.map { .createUser(level: $0) } + Access.levels.map { .changeUser(level: $0) }
        for action in changes {
            expectRefused(AccessPolicy.admits(login, action), .accessLevelTooLow, "\(action)")
            expectRefused(AccessPolicy.decide(login, action, AccessTarget(organizationID: "A1", subaccountID: "S1", generatingUnitID: "U1")), .accessLevelTooLow, "\(action)")
        }
    }

    @Test(
        "§7.1: every login of the account may view it; none may view another account",
        arguments: Access.levels, [AccessAction.viewAccount, .lookUpSerials])
    func viewOwnAccount(level: AccessLevel, action: AccessAction) {
        expectAllowed(AccessPolicy.decide(Access.user(level), action, Access.ownAccount))
        expectRefused(AccessPolicy.decide(Access.user(level), action, Access.otherAccount), .otherOrganization)
    }

    @Test("§7.1: Account Maintenance and above may change registration data, subaccounts and aliases", arguments: Access.levels)
    func maintainAccount(level: AccessLevel) {
        let decision = AccessPolicy.decide(Access.user(level), .maintainAccount, Access.ownAccount)
        if level.atLeast(.maintenance) {
            expectAllowed(decision)
            expectAllowed(AccessPolicy.admits(Access.user(level), .maintainAccount))
            expectRefused(AccessPolicy.decide(Access.user(level), .maintainAccount, Access.otherAccount), .otherOrganization)
        } else {
            expectRefused(decision, .accessLevelTooLow)
            expectRefused(AccessPolicy.admits(Access.user(level), .maintainAccount), .accessLevelTooLow)
        }
    }
}

@Suite("Authorization policy: assigning and revoking access (Operating Rules §7.1, §7.2)")
struct AccessPolicyUserManagementTests {
    @Test(
        "§7.1, §7.2.2: the Manager and Supervisors create Supervisor, Maintenance and View Only logins",
        arguments: [AccessLevel.manager, .supervisor], [AccessLevel.supervisor, .maintenance, .viewOnly])
    func createUser(creator: AccessLevel, level: AccessLevel) {
        expectAllowed(AccessPolicy.admits(Access.user(creator), .createUser(level: level)))
        expectAllowed(AccessPolicy.decide(Access.user(creator), .createUser(level: level), Access.ownAccount))
        expectRefused(AccessPolicy.decide(Access.user(creator), .createUser(level: level), Access.otherAccount), .otherOrganization)
    }

    @Test("§7.1: there is only one Account Manager: no login of the account creates another", arguments: Access.levels)
    func noSecondManager(creator: AccessLevel) {
        for caller in [Access.user(creator), Access.user(creator, kind: .agent)] {
            expectRefused(AccessPolicy.admits(caller, .createUser(level: .manager)), .accessLevelTooLow)
            expectRefused(AccessPolicy.decide(caller, .createUser(level: .manager), Access.ownAccount), .accessLevelTooLow)
        }
    }

    @Test("§3, §7.1: the administrator names the Account Manager")
    func administratorCreatesManager() {
        expectAllowed(AccessPolicy.decide(Access.administrator(.supervisor), .createUser(level: .manager), Access.otherAccount))
        expectAllowed(AccessPolicy.decide(Access.administrator(.manager), .createUser(level: .manager), Access.ownAccount))
        expectRefused(AccessPolicy.admits(Access.administrator(.viewOnly), .createUser(level: .viewOnly)), .accessLevelTooLow)
    }

    @Test(
        "§7.1: Account Maintenance and View Only logins create and change no logins",
        arguments: [AccessLevel.maintenance, .viewOnly], Access.levels)
    func lowerLevelsManageNoUsers(caller: AccessLevel, level: AccessLevel) {
        expectRefused(AccessPolicy.admits(Access.user(caller), .createUser(level: level)), .accessLevelTooLow)
        expectRefused(AccessPolicy.admits(Access.user(caller), .changeUser(level: level)), .accessLevelTooLow)
        expectRefused(AccessPolicy.decide(Access.user(caller), .changeUser(level: level), Access.ownAccount), .accessLevelTooLow)
    }

    @Test("§7.1: a Supervisor may revoke the access of lower-level users", arguments: [AccessLevel.maintenance, .viewOnly])
    func supervisorChangesLower(level: AccessLevel) {
        expectAllowed(AccessPolicy.admits(Access.user(.supervisor), .changeUser(level: level)))
        expectAllowed(AccessPolicy.decide(Access.user(.supervisor), .changeUser(level: level), Access.ownAccount))
        expectAllowed(AccessPolicy.decide(Access.user(.supervisor, kind: .agent), .changeUser(level: level), Access.ownAccount))
        expectRefused(AccessPolicy.decide(Access.user(.supervisor), .changeUser(level: level), Access.otherAccount), .otherOrganization)
    }

    @Test(
        "§7.1: a Supervisor may not revoke the access of the Manager or another Supervisor",
        arguments: [AccessLevel.supervisor, .manager])
    func supervisorNotPeers(level: AccessLevel) {
        expectRefused(AccessPolicy.admits(Access.user(.supervisor), .changeUser(level: level)), .accessLevelTooLow)
        expectRefused(AccessPolicy.decide(Access.user(.supervisor), .changeUser(level: level), Access.ownAccount), .accessLevelTooLow)
        expectRefused(AccessPolicy.decide(Access.user(.supervisor, kind: .agent), .changeUser(level: level), Access.ownAccount), .accessLevelTooLow)
    }

    @Test("§7.1: the Manager assigns and revokes access, Supervisors included", arguments: [AccessLevel.supervisor, .maintenance, .viewOnly])
    func managerChangesUsers(level: AccessLevel) {
        expectAllowed(AccessPolicy.admits(Access.user(.manager), .changeUser(level: level)))
        expectAllowed(AccessPolicy.decide(Access.user(.manager), .changeUser(level: level), Access.ownAccount))
        expectRefused(AccessPolicy.decide(Access.user(.manager), .changeUser(level: level), Access.otherAccount), .otherOrganization)
    }

    @Test("§7.1: only the Account Manager terminates the account", arguments: Access.levels)
    func terminateAccount(level: AccessLevel) {
        let decision = AccessPolicy.decide(Access.user(level), .terminateAccount, Access.ownAccount)
        if level == .manager {
            expectAllowed(decision)
            expectAllowed(AccessPolicy.admits(Access.user(level), .terminateAccount))
            expectRefused(AccessPolicy.decide(Access.user(level), .terminateAccount, Access.otherAccount), .otherOrganization)
        } else {
            expectRefused(decision, .accessLevelTooLow)
            expectRefused(AccessPolicy.admits(Access.user(level), .terminateAccount), .accessLevelTooLow)
            expectRefused(AccessPolicy.admits(Access.user(level, kind: .agent), .terminateAccount), .accessLevelTooLow)
        }
    }

    @Test("§5.2.1, §7.1: the administrator terminates an account on the holder's written request")
    func administratorTerminates() {
        expectAllowed(AccessPolicy.decide(Access.administrator(.maintenance), .terminateAccount, Access.otherAccount))
        expectRefused(AccessPolicy.decide(Access.administrator(.viewOnly), .terminateAccount, Access.otherAccount), .accessLevelTooLow)
    }
}

@Suite("Authorization policy: other organizations, reporting entities and program administrators (§7.3, §10, §19.3.2, §20)")
struct AccessPolicyOrganizationTests {
    static let accountActions: [AccessAction] = [
        .viewAccount, .maintainAccount, .createUser(level: .viewOnly), .changeUser(level: .viewOnly), .terminateAccount,
        .manageGeneration, .manageCertificates, .lookUpSerials,
    ]

    @Test("§7.3: the Manager of one account may not act on another organization's account", arguments: accountActions)
    func otherOrganization(action: AccessAction) {
        let manager = Access.user(.manager)
        let target = AccessTarget(organizationID: "A2", subaccountID: "S1", generatingUnitID: "U1")
        expectAllowed(AccessPolicy.admits(manager, action), "the coarse check does not know the target yet")
        expectAllowed(AccessPolicy.decide(manager, action, AccessTarget(organizationID: "A1", subaccountID: "S1", generatingUnitID: "U1")))
        expectRefused(AccessPolicy.decide(manager, action, target), .otherOrganization)
    }

    @Test("§10, Appendix D Table 27: a Qualified Reporting Entity reports generation for the units that designated it")
    func designatedReportingEntity() {
        let qre = Access.reportingEntity(.maintenance)
        expectAllowed(AccessPolicy.admits(qre, .reportGeneration))
        expectAllowed(
            AccessPolicy.decide(qre, .reportGeneration, AccessTarget(organizationID: "A2", generatingUnitID: "U9", reportingEntity: "Q1")),
            "the unit belongs to another organization, but designated Q1")
        expectRefused(
            AccessPolicy.decide(qre, .reportGeneration, AccessTarget(organizationID: "A2", generatingUnitID: "U8", reportingEntity: "Q2")),
            .wrongParty)
        expectRefused(
            AccessPolicy.decide(qre, .reportGeneration, AccessTarget(organizationID: "A2", generatingUnitID: "U7")), .wrongParty,
            "a unit that designated nobody is reported by nobody")
    }

    @Test("§9.2.2, §10: a self-reporting account holder reports its own units only")
    func selfReporting() {
        let holder = Access.user(.maintenance)
        expectAllowed(AccessPolicy.decide(holder, .reportGeneration, AccessTarget(organizationID: "A1", generatingUnitID: "U1", reportingEntity: "A1")))
        expectRefused(
            AccessPolicy.decide(holder, .reportGeneration, AccessTarget(organizationID: "A1", generatingUnitID: "U2", reportingEntity: "Q1")),
            .wrongParty, "its own unit, designated to a QRE")
        expectRefused(
            AccessPolicy.decide(Access.user(.manager, org: "A2"), .reportGeneration, AccessTarget(organizationID: "A1", generatingUnitID: "U1", reportingEntity: "A1")),
            .wrongParty)
    }

    @Test("§7.1, §10: a View Only login uploads no generation data")
    func viewOnlyReports() {
        let target = AccessTarget(organizationID: "A1", generatingUnitID: "U1", reportingEntity: "A1")
        expectRefused(AccessPolicy.decide(Access.user(.viewOnly), .reportGeneration, target), .accessLevelTooLow)
        expectRefused(AccessPolicy.admits(Access.user(.viewOnly), .reportGeneration), .accessLevelTooLow)
        expectRefused(
            AccessPolicy.decide(Access.reportingEntity(.viewOnly), .reportGeneration, AccessTarget(organizationID: "A2", reportingEntity: "Q1")),
            .accessLevelTooLow)
    }

    @Test("§10, Appendix D §6.1: program administrators upload no generation data")
    func programAdministratorsDoNotReport() {
        expectRefused(AccessPolicy.admits(Access.programAdministrator(.manager), .reportGeneration), .notForThisCaller)
        expectRefused(
            AccessPolicy.decide(Access.programAdministrator(.manager), .reportGeneration, AccessTarget(reportingEntity: "P1")),
            .notForThisCaller)
    }

    @Test(
        "§19.3.2, §20: a program administrator sees the accounts that selected it, and no other",
        arguments: Access.levels, [AccessAction.viewAccount, .lookUpSerials])
    func programAdministratorAccess(level: AccessLevel, action: AccessAction) {
        let regulator = Access.programAdministrator(level)
        expectAllowed(AccessPolicy.admits(regulator, action))
        expectAllowed(AccessPolicy.decide(regulator, action, AccessTarget(organizationID: "A2", programAdministrators: ["P1"])))
        expectAllowed(AccessPolicy.decide(regulator, action, AccessTarget(organizationID: "A2", programAdministrators: ["P2", "P1"])))
        expectAllowed(AccessPolicy.decide(regulator, action, AccessTarget(organizationID: "P1")), "its own account")
        expectRefused(AccessPolicy.decide(regulator, action, AccessTarget(organizationID: "A2")), .programAccessNotGranted)
        expectRefused(AccessPolicy.decide(regulator, action, AccessTarget(organizationID: "A2", programAdministrators: ["P2"])), .programAccessNotGranted)
    }

    @Test(
        "§19.3.2, §20: the selection can come with the login (the accounts that granted its organization)",
        arguments: [AccessAction.viewAccount, .lookUpSerials])
    func programAdministratorAccessCarriedByTheLogin(action: AccessAction) {
        let regulator = Access.user(.viewOnly, org: "P1", role: .programAdministrator, accessGrantedBy: ["A2"])
        expectAllowed(AccessPolicy.decide(regulator, action, AccessTarget(organizationID: "A2")))
        expectRefused(AccessPolicy.decide(regulator, action, AccessTarget(organizationID: "A3")), .programAccessNotGranted)
        expectRefused(AccessPolicy.decide(regulator, .manageCertificates, AccessTarget(organizationID: "A2")), .notForThisCaller, "viewing only")
        let holder = Access.user(.manager, org: "A3", accessGrantedBy: ["A2"])
        expectRefused(AccessPolicy.decide(holder, action, AccessTarget(organizationID: "A2")), .otherOrganization, "not a program administrator")
    }

    @Test("§19.3.2: selecting a program administrator opens the account to it, not to other account holders")
    func programGrantIsNotForHolders() {
        expectRefused(
            AccessPolicy.decide(Access.user(.manager, org: "P1"), .viewAccount, AccessTarget(organizationID: "A2", programAdministrators: ["P1"])),
            .otherOrganization, "an account holder whose id happens to be listed")
    }

    @Test("Appendix C, §5.3.2: program administrators act on their own programs; nobody else does")
    func administerProgram() {
        expectAllowed(AccessPolicy.admits(Access.programAdministrator(.maintenance), .administerProgram))
        expectAllowed(AccessPolicy.decide(Access.programAdministrator(.manager), .administerProgram, AccessTarget(organizationID: "P1")))
        expectRefused(
            AccessPolicy.decide(Access.programAdministrator(.manager), .administerProgram, AccessTarget(organizationID: "P2")), .otherOrganization)
        expectRefused(AccessPolicy.admits(Access.programAdministrator(.viewOnly), .administerProgram), .accessLevelTooLow)
        for caller in [Access.user(.manager), Access.reportingEntity(.manager), Access.administrator(.manager)] {
            expectRefused(AccessPolicy.admits(caller, .administerProgram), .notForThisCaller, "\(caller)")
        }
    }

    @Test(
        "§5.2, §7.1: program administrators and reporting entities hold no certificates or units",
        arguments: [AccessAction.manageCertificates, .manageGeneration])
    func nonHoldersDoNotTrade(action: AccessAction) {
        expectRefused(AccessPolicy.decide(Access.programAdministrator(.manager), action, AccessTarget(organizationID: "P1")), .notForThisCaller)
        expectRefused(AccessPolicy.decide(Access.reportingEntity(.manager), action, AccessTarget(organizationID: "Q1")), .notForThisCaller)
    }
}

@Suite("Authorization policy: the registry administrator (Operating Rules §3, §7)")
struct AccessPolicyAdministratorTests {
    @Test("§3, §7: the administrator's logins at Maintenance and above perform administrator acts", arguments: Access.levels)
    func administer(level: AccessLevel) {
        let login = Access.administrator(level)
        if level.atLeast(.maintenance) {
            expectAllowed(AccessPolicy.admits(login, .administer))
            expectAllowed(AccessPolicy.decide(login, .administer, Access.otherAccount))
        } else {
            expectRefused(AccessPolicy.admits(login, .administer), .accessLevelTooLow)
            expectRefused(AccessPolicy.decide(login, .administer, Access.otherAccount), .accessLevelTooLow)
        }
    }

    @Test("§3, §7: no other organization performs administrator acts", arguments: Access.levels)
    func administratorOnly(level: AccessLevel) {
        for caller in [Access.user(level), Access.user(level, kind: .agent), Access.programAdministrator(level), Access.reportingEntity(level)] {
            expectRefused(AccessPolicy.admits(caller, .administer), .administratorOnly, "\(caller)")
            expectRefused(AccessPolicy.decide(caller, .administer, Access.ownAccount), .administratorOnly, "\(caller)")
        }
    }

    @Test(
        "§7, §20: the administrator has access to every account and to the serial number look-up",
        arguments: Access.levels, [AccessAction.viewAccount, .lookUpSerials])
    func administratorViews(level: AccessLevel, action: AccessAction) {
        for target in Access.targets {
            expectAllowed(AccessPolicy.decide(Access.administrator(level), action, target), "\(target)")
        }
    }

    @Test("§7: the administrator maintains accounts through system functions at Maintenance and above", arguments: Access.levels)
    func administratorMaintains(level: AccessLevel) {
        let decision = AccessPolicy.decide(Access.administrator(level), .maintainAccount, Access.otherAccount)
        if level.atLeast(.maintenance) { expectAllowed(decision) } else { expectRefused(decision, .accessLevelTooLow) }
    }

    @Test(
        "§3, §7: the administrator does not trade for holders; it uses its own acts",
        arguments: [AccessAction.manageCertificates, .manageGeneration])
    func administratorDoesNotTrade(action: AccessAction) {
        expectRefused(AccessPolicy.admits(Access.administrator(.manager), action), .notForThisCaller)
        expectRefused(AccessPolicy.decide(Access.administrator(.manager), action, AccessTarget(organizationID: "A1", subaccountID: "S1")), .notForThisCaller)
    }

    @Test("Appendix D §6.1: the administrator loads generation files for any unit at Maintenance and above", arguments: Access.levels)
    func administratorReports(level: AccessLevel) {
        let target = AccessTarget(organizationID: "A1", generatingUnitID: "U1", reportingEntity: "Q1")
        let decision = AccessPolicy.decide(Access.administrator(level), .reportGeneration, target)
        if level.atLeast(.maintenance) { expectAllowed(decision) } else { expectRefused(decision, .accessLevelTooLow) }
    }

    @Test("§11: the administrator reads the event feeds; account holders do not", arguments: Access.levels)
    func feeds(level: AccessLevel) {
        expectAllowed(AccessPolicy.admits(Access.administrator(level), .readFeed))
        expectRefused(AccessPolicy.admits(Access.user(level), .readFeed), .administratorOnly)
        expectRefused(AccessPolicy.admits(Access.programAdministrator(level), .readFeed), .administratorOnly)
    }
}

@Suite("Authorization policy: properties over every caller, action and target")
struct AccessPolicyPropertyTests {
    @Test("§7, §11: the coarse check never refuses what the fine check allows", arguments: Access.callers)
    func coarseAdmitsWhatFineAllows(caller: Caller) {
        for action in Access.allActions {
            let coarse = AccessPolicy.admits(caller, action)
            for target in Access.targets where AccessPolicy.decide(caller, action, target).isAllowed {
                #expect(coarse.isAllowed, "\(action) on \(target)")
            }
        }
    }

    @Test("§7, §11: a caller the coarse check refuses is refused for every target, for the same rule", arguments: Access.callers)
    func coarseRefusalHolds(caller: Caller) {
        for action in Access.allActions {
            guard case .refused(let coarse) = AccessPolicy.admits(caller, action) else { continue }
            for target in Access.targets {
                guard case .refused(let fine) = AccessPolicy.decide(caller, action, target) else {
                    Issue.record("\(action) on \(target) is allowed though the coarse check refuses it")
                    continue
                }
                #expect(fine.code == coarse.code, "\(action) on \(target)")
            }
        }
    }

    @Test("§7, §11: every refusal is an authorization failure and cites the rule it enforces", arguments: Access.callers)
    func refusalsAreWellFormed(caller: Caller) {
        let codes: Set<RuleViolation.Code> = [
            .notAuthenticated, .notForThisCaller, .agentNotApproved, .userNotActive, .administratorOnly, .accessLevelTooLow,
            .otherOrganization, .permissionNotGranted, .programAccessNotGranted, .wrongParty,
        ]
        for action in Access.allActions {
            for decision in [AccessPolicy.admits(caller, action)] + Access.targets.map({ AccessPolicy.decide(caller, action, $0) }) {
                guard case .refused(let violation) = decision else { continue }
                #expect(codes.contains(violation.code), "\(action): \(violation)")
                #expect(violation.category == (caller == .anonymous ? .unauthenticated : .permissionDenied), "\(action): \(violation)")
                #expect(violation.section.contains("§"), "\(action): \(violation)")
            }
        }
    }

    @Test("§7.1: the decision throws its refusal, and only a refusal")
    func check() throws {
        try AccessPolicy.decide(Access.user(.manager), .terminateAccount, Access.ownAccount).check()
        let refused = AccessPolicy.decide(Access.user(.supervisor), .terminateAccount, Access.ownAccount)
        #expect(!refused.isAllowed)
        let error = violation { () throws(RuleViolation) in try refused.check() }
        #expect(error?.code == .accessLevelTooLow)
        #expect(error?.section == "Operating Rules §7.1")
    }
}
