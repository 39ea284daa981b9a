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

    /// Applies one registry event in the follower's transaction. Other payloads (users,
    /// subaccounts, aggregations, ...) are not needed yet and only advance the position.
    static func apply(_ sql: inout SQLTransaction, _ event: Recs_Registry_V1_Event) throws {
        switch event.payload {
        case .generatingUnit(let unit): try upsert(&sql, unit)
        case .organization(let organization): try upsert(&sql, organization)
        default: break
        }
    }

    /// The unit as the registry last described it. The local running figures (carried fraction,
    /// log balance) are this service's and are left as they are.
    static func upsert(_ sql: inout SQLTransaction, _ unit: Recs_Registry_V1_GeneratingUnit) throws {
        try sql.execute(
            """
            INSERT INTO units (generating_unit_id, organization_id, status, unit_class, state_or_province, deposit_subaccount_id,
                reporting_entity_organization_id, reporting_entity_unit_id, record)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (generating_unit_id) DO UPDATE SET organization_id = excluded.organization_id, status = excluded.status,
                unit_class = excluded.unit_class, state_or_province = excluded.state_or_province,
                deposit_subaccount_id = excluded.deposit_subaccount_id,
                reporting_entity_organization_id = excluded.reporting_entity_organization_id,
                reporting_entity_unit_id = excluded.reporting_entity_unit_id, record = excluded.record
            """,
            .text(unit.generatingUnitId), .text(unit.organizationId), .text(IssuanceCodes.name(unit.status)),
            .text(IssuanceCodes.domain(unit.unitClass)?.rawValue ?? ""), .text(unit.staticData?.stateOrProvince ?? ""), .text(unit.depositSubaccountId),
            .text(unit.reportingEntity?.reportingEntityOrganizationId ?? ""), .text(unit.reportingEntity?.reportingEntityUnitId ?? ""),
            .bytes(unit.protobufBytes()))
    }

    static func upsert(_ sql: inout SQLTransaction, _ organization: Recs_Registry_V1_Organization) throws {
        try sql.execute(
            """
            INSERT INTO organizations (organization_id, type, status, record) VALUES ($1, $2, $3, $4)
            ON CONFLICT (organization_id) DO UPDATE SET type = excluded.type, status = excluded.status, record = excluded.record
            """,
            .text(organization.organizationId), .text(IssuanceCodes.name(organization.type)),
            .text(IssuanceCodes.name(organization.status)), .bytes(organization.protobufBytes()))
    }

    /// A follower of the registry's feed into `database`.
    static func follower(database: any Database, fetch: @escaping Fetch, logger: Logger) -> FeedFollower<Recs_Registry_V1_Event> {
        FeedFollower(
            feed: name, database: database, logger: logger, fetch: fetch, sequence: { $0.sequence },
            apply: { sql, event in try apply(&sql, event) })
    }
}
