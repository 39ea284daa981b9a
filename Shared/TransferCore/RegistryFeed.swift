import Domain
import Foundation
import Ledger
import Logging
import ProtoMessages
import ServiceKit
import Storage

/// The registry's event feed as the transfer service follows it: the registry owns organizations
/// and subaccounts (§6); the ledger learns each subaccount from the Organization and Subaccount
/// events, in the same transaction as the feed position (ServiceKit's ``FeedFollower``).
public enum RegistryFeed {
    public typealias Follower = FeedFollower<Recs_Registry_V1_Event>

    public static func follower(
        database: any Database, logger: Logger, fetch: @escaping Follower.Fetch
    ) -> Follower {
        Follower(feed: "registry", database: database, logger: logger, fetch: fetch, sequence: { $0.sequence }) { transaction, event in
            try apply(event, &transaction)
        }
    }

    static func apply(_ event: Recs_Registry_V1_Event, _ transaction: inout SQLTransaction) throws {
        let at = Date(timeIntervalSince1970: TimeInterval(event.at?.unixSeconds ?? 0))
        switch event.payload {
        case .organization(let organization):
            for subaccount in organization.subaccounts { try register(subaccount, at: at, &transaction) }
        case .subaccount(let subaccount):
            try register(subaccount, at: at, &transaction)
        default:
            break
        }
    }

    static func register(_ subaccount: Recs_Registry_V1_Subaccount, at: Date, _ transaction: inout SQLTransaction) throws {
        let kind: SubaccountKind
        switch subaccount.kind {
        case .active: kind = .active
        case .retirement: kind = .retirement
        case .reserve: kind = .reserve
        case .export: kind = .export
        case .unspecified, .unrecognized:
            throw FeedError(feed: "registry", message: "subaccount \(subaccount.subaccountId) has no kind")
        }
        let ledgerSubaccount = try LedgerSubaccount(
            id: SubaccountID(parsing: subaccount.subaccountId), organization: OrganizationID(parsing: subaccount.organizationId),
            kind: kind)
        try Ledger.register(ledgerSubaccount, at: at, in: &transaction)
    }
}
