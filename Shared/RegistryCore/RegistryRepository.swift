import Foundation
import GRPCWire
import ProtoMessages
import ServiceKit
import Storage

/// The registry's data: every read and write is one transaction of the registry's database, given to
/// a closure (`read`, `perform`) that does nothing but database work. Idempotency and the event feed
/// are ServiceKit's ``RequestJournal`` (docs/API.md).
public struct RegistryRepository: Sendable {
    public let database: any Database
    let journal: RequestJournal

    public init(database: any Database, clock: ServiceClock = ServiceClock()) {
        self.database = database
        self.journal = RequestJournal(database: database, service: "registry", clock: clock)
    }

    /// Applies the migrations not yet applied; returns their names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await database.migrate(RegistrySchema.migrations)
    }

    public func close() async {
        await database.close()
    }

    /// A read-only transaction.
    func read<T: Sendable>(_ body: @escaping @Sendable (inout RegistryTransaction) throws -> T) async throws -> T {
        try await journal.read(body)
    }
}

/// One transaction of the registry, with the request it serves.
typealias RegistryTransaction = JournalTransaction

extension JournalTransaction {
    /// Appends the event of this change, in this transaction (docs/API.md, event feeds). A change of
    /// an organization, login or API key also updates the registry's own ``Principals`` tables, in
    /// the same transaction and by the same code as every other service applies the event.
    mutating func appendEvent(action: String, actor: Recs_Common_V1_Actor?, _ payload: Recs_Registry_V1_Event.OneOf_Payload)
        throws
    {
        try Principals.apply(payload, to: &sql)
        try appendEvent(Recs_Registry_V1_Event.self, action: action, actor: actor) { $0.payload = payload }
    }

    // MARK: Organizations

    mutating func insertOrganization(number: Int64, _ organization: Recs_Registry_V1_Organization) throws {
        var stored = organization
        stored.subaccounts = []
        try sql.execute(
            """
            INSERT INTO organizations (organization_number, organization_id, name, type, status, record, created_at_unix_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            .int64(number), .text(organization.organizationId), .text(organization.name),
            .text(RegistryCodes.name(organization.type)), .text(RegistryCodes.name(organization.status)),
            .bytes(stored.protobufBytes()), .int64(nowMilliseconds))
        try sql.execute(
            "INSERT INTO accounts (organization_id, status, opened_at_unix_ms) VALUES ($1, $2, $3)",
            .text(organization.organizationId), .text(RegistryCodes.name(organization.status)), .int64(nowMilliseconds))
    }

    /// Subaccounts are kept as the registry's own record (ADR 0010), mapped here from and to the API's.
    mutating func insertSubaccount(_ subaccount: Recs_Registry_V1_Subaccount) throws {
        try sql.execute(
            SubaccountRows.insert, binds: SubaccountRows.columns(SubaccountRecord(wire: subaccount)).map(\.value) + [.int64(nowMilliseconds)])
    }

    /// Logins are kept as the registry's own record (ADR 0010), mapped here from and to the API's.
    mutating func insertUser(_ user: Recs_Registry_V1_User) throws {
        let record = UserRecord(wire: user)
        try sql.execute(
            UserRows.insert, binds: UserRows.columns(record).map(\.value) + [.text(user.login.lowercased()), .int64(nowMilliseconds)])
        try UserRows.saveGrants(record, &sql)
    }

    mutating func loginTaken(_ login: String) throws -> Bool {
        try sql.queryFirst("SELECT user_id FROM users WHERE login_key = $1", .text(login.lowercased())) != nil
    }

    /// The organization with its subaccounts, or nil.
    mutating func organization(_ organizationID: String) throws -> Recs_Registry_V1_Organization? {
        guard let row = try sql.queryFirst("SELECT record FROM organizations WHERE organization_id = $1", .text(organizationID))
        else { return nil }
        var organization = try Recs_Registry_V1_Organization(protobufBytes: try row.bytes("record"))
        organization.subaccounts = try subaccounts(of: organizationID)
        return organization
    }

    mutating func subaccounts(of organizationID: String) throws -> [Recs_Registry_V1_Subaccount] {
        try sql.query(
            """
            SELECT \(SubaccountRows.selectList) FROM subaccounts WHERE organization_id = $1
            ORDER BY opened_with_account DESC,
                CASE kind WHEN 'active' THEN 1 WHEN 'retirement' THEN 2 WHEN 'reserve' THEN 3 ELSE 4 END,
                created_at_unix_ms, subaccount_id
            """, .text(organizationID)
        ).map { try SubaccountRows.load($0).wire }
    }

    mutating func subaccount(_ subaccountID: String) throws -> Recs_Registry_V1_Subaccount? {
        try sql.queryFirst("SELECT \(SubaccountRows.selectList) FROM subaccounts WHERE subaccount_id = $1", .text(subaccountID))
            .map { try SubaccountRows.load($0).wire }
    }

    /// Organizations in id order after `afterNumber`, at most `limit`, with their numbers.
    mutating func organizations(
        afterNumber: Int64, limit: Int, type: String?, status: String?
    ) throws -> [(number: Int64, organization: Recs_Registry_V1_Organization)] {
        var conditions = ["organization_number > $1"]
        var binds: [SQLValue] = [.int64(afterNumber)]
        if let type {
            binds.append(.text(type))
            conditions.append("type = $\(binds.count)")
        }
        if let status {
            binds.append(.text(status))
            conditions.append("status = $\(binds.count)")
        }
        binds.append(.int64(Int64(limit)))
        let rows = try sql.query(
            """
            SELECT organization_number, record FROM organizations WHERE \(conditions.joined(separator: " AND "))
            ORDER BY organization_number LIMIT $\(binds.count)
            """, binds: binds)
        var result: [(number: Int64, organization: Recs_Registry_V1_Organization)] = []
        for row in rows {
            var organization = try Recs_Registry_V1_Organization(protobufBytes: try row.bytes("record"))
            organization.subaccounts = try subaccounts(of: organization.organizationId)
            result.append((try row.int64("organization_number"), organization))
        }
        return result
    }

    // MARK: Generating units

    mutating func insertGeneratingUnit(number: Int64, _ unit: Recs_Registry_V1_GeneratingUnit) throws {
        try sql.execute(
            """
            INSERT INTO generating_units (unit_number, generating_unit_id, organization_id, status, deposit_subaccount_id,
                unit_class, record, registered_at_unix_ms, status_changed_at_unix_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
            """,
            .int64(number), .text(unit.generatingUnitId), .text(unit.organizationId), .text(RegistryCodes.name(unit.status)),
            .text(unit.depositSubaccountId), .text(RegistryCodes.name(unit.unitClass)), .bytes(unit.protobufBytes()),
            .int64(nowMilliseconds))
    }

    mutating func updateGeneratingUnit(_ unit: Recs_Registry_V1_GeneratingUnit, statusChanged: Bool) throws {
        try sql.execute(
            """
            UPDATE generating_units SET status = $2, deposit_subaccount_id = $3, unit_class = $4, record = $5,
                status_changed_at_unix_ms = CASE WHEN $6 = 1 THEN $7 ELSE status_changed_at_unix_ms END
            WHERE generating_unit_id = $1
            """,
            .text(unit.generatingUnitId), .text(RegistryCodes.name(unit.status)), .text(unit.depositSubaccountId),
            .text(RegistryCodes.name(unit.unitClass)), .bytes(unit.protobufBytes()), .int64(statusChanged ? 1 : 0),
            .int64(nowMilliseconds))
    }

    mutating func generatingUnit(_ unitID: String) throws -> Recs_Registry_V1_GeneratingUnit? {
        guard let row = try sql.queryFirst("SELECT record FROM generating_units WHERE generating_unit_id = $1", .text(unitID))
        else { return nil }
        return try Recs_Registry_V1_GeneratingUnit(protobufBytes: try row.bytes("record"))
    }

    /// The unit that `entity` reports under `entityUnitID`, if any.
    mutating func unitDesignated(entity: String, entityUnitID: String) throws -> String? {
        try sql.queryFirst(
            """
            SELECT generating_unit_id FROM reporting_entity_designations
            WHERE reporting_entity_organization_id = $1 AND reporting_entity_unit_id = $2
            """, .text(entity), .text(entityUnitID)
        )?.string("generating_unit_id")
    }

    mutating func designate(unitID: String, type: String, entity: String, entityUnitID: String) throws {
        try sql.execute("DELETE FROM reporting_entity_designations WHERE generating_unit_id = $1", .text(unitID))
        try sql.execute(
            """
            INSERT INTO reporting_entity_designations
                (generating_unit_id, type, reporting_entity_organization_id, reporting_entity_unit_id, designated_at_unix_ms)
            VALUES ($1, $2, $3, $4, $5)
            """, .text(unitID), .text(type), .text(entity), .text(entityUnitID), .int64(nowMilliseconds))
    }

    // MARK: Events

    mutating func registryEvents(after sequence: Int64, limit: Int) throws -> [Recs_Registry_V1_Event] {
        try chainedEvents(after: sequence, limit: limit, as: Recs_Registry_V1_Event.self)
    }
}
