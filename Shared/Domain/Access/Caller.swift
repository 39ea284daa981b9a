/// Who is calling, as every service sees it once the call is authenticated (Operating Rules §7, §11).
///
/// Users authenticate with an API key of their login; services of this deployment and partner
/// tracking systems with their mutual-TLS client certificate. The domain never sees a key or a
/// certificate: only the identity they proved and the credential's name, which events record.
public enum Caller: Sendable, Hashable {
    /// No credential: may use health and reflection only.
    case anonymous
    /// A login of an organization, authenticated by the API key `keyID`.
    case user(UserPrincipal, keyID: String)
    /// A service of this deployment (`registry`, `issuance`, `transfer`, `reporting`), identified by
    /// the certificate subject `certificate`.
    case service(PeerService, certificate: String)
    /// A registered compatible tracking system (Operating Rules §17, M-RETS §4.6.2), identified by
    /// the certificate subject `certificate`.
    case partner(systemID: String, certificate: String)

    /// The credential named in the audit trail: a key id or a certificate identity.
    public var credential: String {
        switch self {
        case .anonymous: ""
        case .user(_, let keyID): keyID
        case .service(_, let certificate), .partner(_, let certificate): certificate
        }
    }

    /// The user, when the caller is one.
    public var user: UserPrincipal? {
        if case .user(let user, _) = self { return user }
        return nil
    }
}

/// The four services of a deployment, as peers of one another.
public enum PeerService: String, Sendable, Hashable, CaseIterable, Codable {
    case registry, issuance, transfer, reporting
}

/// What kind of organization a login belongs to (Operating Rules §5.2, §5.5, §10.2, §3).
public enum OrganizationRole: String, Sendable, Hashable, CaseIterable, Codable {
    case accountHolder = "account_holder"
    /// A Qualified Reporting Entity (§10).
    case reportingEntity = "qualified_reporting_entity"
    /// A state, provincial or voluntary program administrator (Appendix C Table 7, §19.3.2).
    case programAdministrator = "program_administrator"
    /// The registry administrator's own organization (§3).
    case registryAdministrator = "registry_administrator"
}

/// §7.1 levels of account access, broadest first: the order is the order of power.
public enum AccessLevel: Int, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case manager = 1
    case supervisor = 2
    case maintenance = 3
    case viewOnly = 4

    /// True when `self` grants at least what `other` grants.
    public func atLeast(_ other: AccessLevel) -> Bool { rawValue <= other.rawValue }

    public static func < (lhs: AccessLevel, rhs: AccessLevel) -> Bool { lhs.rawValue > rhs.rawValue }
}

/// §7.2: in-organization logins are approved at once; third-party agents wait for the administrator.
public enum UserKind: String, Sendable, Hashable, Codable {
    case inOrganization = "in_organization"
    case agent = "third_party_agent"
}

public enum UserStatus: String, Sendable, Hashable, Codable {
    /// An agent login the administrator has not approved yet (§7.2.1).
    case pendingApproval = "pending_approval"
    case active
    case rejected
    case disabled
}

/// §7.1: the optional permission categories, granted per generating unit and/or subaccount.
public enum PermissionCategory: String, Sendable, Hashable, Codable {
    /// "Generation Management": review, accept and dispute generation, fuel allocations, unit data.
    case generationManagement = "generation_management"
    /// "Certificate Management and Maintenance": transfer, retire, reserve, export.
    case certificateManagement = "certificate_management"
}

/// One optional permission and where it applies (§7: account, generating unit or subaccount level).
public struct PermissionGrant: Sendable, Hashable, Codable {
    public enum Scope: Sendable, Hashable, Codable {
        case account
        case generatingUnit(String)
        case subaccount(String)
    }

    public var category: PermissionCategory
    public var scope: Scope

    public init(_ category: PermissionCategory, _ scope: Scope = .account) {
        self.category = category
        self.scope = scope
    }
}

/// A login as authorization sees it: its organization, kind, level, status and grants.
public struct UserPrincipal: Sendable, Hashable {
    public var userID: String
    public var organizationID: String
    public var organizationRole: OrganizationRole
    public var kind: UserKind
    public var level: AccessLevel
    public var status: UserStatus
    public var grants: [PermissionGrant]
    /// For a program administrator's login: the accounts that selected its organization on their
    /// access selection (§19.3.2, §20), as the service's copy of the registry last knew them. The
    /// policy admits the login to those accounts' views and look-ups, so a use case need not know
    /// the selection of the account it reads.
    public var accessGrantedBy: Set<String>

    public init(
        userID: String, organizationID: String, organizationRole: OrganizationRole, kind: UserKind = .inOrganization,
        level: AccessLevel, status: UserStatus = .active, grants: [PermissionGrant] = [], accessGrantedBy: Set<String> = []
    ) {
        self.userID = userID
        self.organizationID = organizationID
        self.organizationRole = organizationRole
        self.kind = kind
        self.level = level
        self.status = status
        self.grants = grants
        self.accessGrantedBy = accessGrantedBy
    }

    public var isAdministrator: Bool { organizationRole == .registryAdministrator }
}
