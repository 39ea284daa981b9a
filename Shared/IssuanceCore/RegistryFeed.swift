import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import Storage

/// How issuance learns units and organizations: the registry's event feed (docs/API.md, event
/// feeds), applied into issuance's own `units` and `organizations` tables, so an upload or a cycle
/// never waits on a registry call per record.
public enum RegistryFeed {
    /// The feed's name in `feed_positions`.
    public static let name = "registry"

    /// Reads a page of the registry's feed; the executable uses ``client(_:)``, tests an in-memory list.
    public typealias Fetch = FeedFollower<Recs_Registry_V1_Event>.Fetch

    /// The registry's `ListEvents` over `client`.
    public static func client(_ client: RPCClient) -> Fetch { FeedSources.registry(client) }

    /// Applies one registry event in the follower's transaction: the message is mapped into
    /// issuance's own record on arrival and never stored (ADR 0010). Other payloads (users,
    /// subaccounts, aggregations, ...) are not needed yet and only advance the position.
    static func apply(_ sql: inout SQLTransaction, _ event: Recs_Registry_V1_Event) throws {
        switch event.payload {
        case .generatingUnit(let unit): try UnitRows.save(UnitRecord(registry: unit), &sql)
        case .organization(let organization): try save(OrganizationRecord(registry: organization), &sql)
        default: break
        }
    }

    static func save(_ organization: OrganizationRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute(
            """
            INSERT INTO organizations (organization_id, type, status) VALUES ($1, $2, $3)
            ON CONFLICT (organization_id) DO UPDATE SET type = excluded.type, status = excluded.status
            """,
            .text(organization.id), .text(organization.kind.rawValue), .text(organization.status.rawValue))
    }

    /// A follower of the registry's feed into `database`.
    static func follower(database: any Database, fetch: @escaping Fetch, logger: Logger) -> FeedFollower<Recs_Registry_V1_Event> {
        FeedFollower(
            feed: name, database: database, logger: logger, fetch: fetch, sequence: { $0.sequence },
            apply: { sql, event in try apply(&sql, event) })
    }
}
