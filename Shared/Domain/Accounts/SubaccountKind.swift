/// The four kinds of subaccount; every account starts with one of each and may add more
/// (Operating Rules §6).
public enum SubaccountKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Holds active certificates, which can be transferred, exported, retired or reserved (§6.1).
    case active
    /// Permanent resting place of retired certificates (§6.2, §16).
    case retirement
    /// Certificates withdrawn from circulation without retirement (§6.4, §18).
    case reserve
    /// Record of certificates exported to a compatible tracking system (§6.3, §17).
    case export

    /// Retirement, Reserve and Export are end uses: certificates never leave them by the holder's hand.
    public var isEndUse: Bool { self != .active }

    public var description: String {
        switch self {
        case .active: "Active"
        case .retirement: "Retirement"
        case .reserve: "Reserve"
        case .export: "Export"
        }
    }
}

/// Who initiates a movement of certificates. Authorization of the individual user (Manager,
/// Supervisor, agent, ...) is decided before the domain is asked.
public enum Initiator: String, Sendable, Hashable, Codable {
    /// The account holder or a user or agent acting for it.
    case accountHolder
    /// The registry administrator (Operating Rules §3, §16.2, §18.3).
    case registryAdministrator
}
