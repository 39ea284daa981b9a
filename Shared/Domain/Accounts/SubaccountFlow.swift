/// Which movements of certificates between subaccounts the rules allow
/// (Operating Rules §6.1.2, §6.2-§6.4, §15.1, §15.2 and footnote 16, §16.2, §18.3).
///
/// Allowed: Active to one's own Active (intra-account), Retirement, Reserve or Export subaccount, and
/// Active to another organization's Active subaccount (inter-account). Nothing leaves a Retirement,
/// Reserve or Export subaccount except an administrator withdrawal back to the holder's Active
/// subaccount; its time window is checked by ``CertificateLifecycle``.
public enum SubaccountFlow {
    public enum Kind: String, Sendable, Hashable, Codable {
        case intraAccountTransfer
        case interAccountTransfer
        case retirement
        case reserve
        case export
        case administratorWithdrawal

        /// Inter-account transfers wait for the recipient's acceptance (§15.2); the others are immediate
        /// for the registry (an export waits for the partner system, §17.1, tracked by the certificate).
        public var requiresRecipientAcceptance: Bool { self == .interAccountTransfer }
    }

    /// The kind of movement from a `source` subaccount to a `destination` subaccount, or the rule that
    /// forbids it.
    public static func allowedFlow(
        from source: SubaccountKind, to destination: SubaccountKind, sameOrganization: Bool, initiatedBy initiator: Initiator
    ) throws(RuleViolation) -> Kind {
        switch (source, destination) {
        case (.active, .active):
            return sameOrganization ? .intraAccountTransfer : .interAccountTransfer
        case (.active, _):
            guard sameOrganization else {
                throw RuleViolation(
                    .flowIntoOtherOrganizationEndUse,
                    "certificates cannot go directly into another account holder's \(destination) subaccount; transfer them to its Active subaccount",
                    section: Section.interAccount)
            }
            switch destination {
            case .retirement: return .retirement
            case .reserve: return .reserve
            case .export: return .export
            case .active: preconditionFailure("handled above")
            }
        case (_, .active) where initiator == .registryAdministrator:
            guard sameOrganization else {
                throw RuleViolation(
                    .flowNotAllowed,
                    "an administrator withdrawal returns certificates to the holder's own Active subaccount",
                    section: withdrawalSection(source))
            }
            return .administratorWithdrawal
        case (_, .active):
            throw RuleViolation(
                .withdrawalRequiresAdministrator,
                "account holders cannot withdraw certificates from a \(source) subaccount; only the administrator can",
                section: withdrawalSection(source))
        default:
            throw RuleViolation(
                .flowFromEndUseSubaccount,
                "certificates in a \(source) subaccount cannot be moved to a \(destination) subaccount",
                section: Section.endUseSubaccounts)
        }
    }

    static func withdrawalSection(_ source: SubaccountKind) -> String {
        switch source {
        case .retirement: "Operating Rules §6.2.2, §16.2"
        case .reserve: "Operating Rules §6.4.2, §18.3"
        case .export: "Operating Rules §6.3.2"
        case .active: Section.subaccounts
        }
    }
}
