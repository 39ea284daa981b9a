import Foundation
import GRPCWire
import ProtoMessages
import Storage

/// The registry's data: every read and write is one transaction of the registry's database, given to
/// a closure (`read`, `perform`) that does nothing but database work.
public struct RegistryRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
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
        do {
            return try await database.transaction { sql in
                var transaction = RegistryTransaction(sql: sql, requestID: "", now: Date())
                return try body(&transaction)
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Runs a mutating request once per request id (docs/API.md, idempotency), in one transaction
    /// with the record of its outcome and the events it appends. Returns the encoded response: the
    /// one just computed, or the one recorded for a retry.
    ///
    /// `fingerprintInput` is the encoded request with `request_id` cleared; the same decoded request
    /// always encodes to the same bytes (protobuf-c writes fields in number order).
    func perform(
        method: String, requestID: String, fingerprintInput: [UInt8],
        _ body: @escaping @Sendable (inout RegistryTransaction) throws -> [UInt8]
    ) async throws -> [UInt8] {
        let fingerprint = SHA256.hash(Array(method.utf8) + [0] + fingerprintInput)
        do {
            return try await database.transaction { sql in
                if let replay = try Self.recordedOutcome(&sql, requestID: requestID, method: method, fingerprint: fingerprint) {
                    return try replay.get()
                }
                let now = Date()
                var transaction = RegistryTransaction(sql: sql, requestID: requestID, now: now)
                let response = try body(&transaction)
                try Self.record(
                    &transaction.sql, requestID: requestID, method: method, fingerprint: fingerprint, code: 0, message: "",
                    details: [], response: response, at: now)
                return response
            }
        } catch let error as Settled {
            throw error.error
        } catch let error as RPCError where RegistryErrors.isRecordable(error.code) {
            // A completed rule failure: the change rolled back; record the outcome on its own so a
            // retry answers the same (rule 3). Someone may have recorded this id meanwhile.
            do {
                let replay: [UInt8]? = try await database.transaction { sql in
                    if let replay = try Self.recordedOutcome(&sql, requestID: requestID, method: method, fingerprint: fingerprint) {
                        return try replay.get()
                    }
                    try Self.record(
                        &sql, requestID: requestID, method: method, fingerprint: fingerprint, code: Int64(error.code.rawValue),
                        message: error.message, details: error.metadata.binary(RegistryErrors.detailsKey) ?? [], response: [],
                        at: Date())
                    return nil
                }
                if let replay { return replay }
            } catch let settled as Settled {
                throw settled.error
            } catch {
                throw Self.mapped(error)
            }
            throw error
        } catch {
            throw Self.mapped(error)
        }
    }

    /// An outcome read from the idempotency table, thrown through the transaction untouched.
    struct Settled: Error {
        var error: RPCError
    }

    private static func recordedOutcome(
        _ sql: inout SQLTransaction, requestID: String, method: String, fingerprint: [UInt8]
    ) throws -> Result<[UInt8], Settled>? {
        guard
            let row = try sql.queryFirst(
                """
                SELECT method, request_fingerprint, status_code, status_message, error_details, response
                FROM idempotency_keys WHERE request_id = $1
                """, .text(requestID))
        else { return nil }
        guard try row.string("method") == method, try row.bytes("request_fingerprint") == fingerprint else {
            return .failure(
                Settled(
                    error: RegistryErrors.status(
                        .alreadyExists,
                        "request_id \"\(requestID)\" was already used for a different request; use a new id "
                            + "(REQUEST_ID_REUSED, docs/API.md idempotency rule 5)",
                        reason: "REQUEST_ID_REUSED")))
        }
        let code = try row.int64("status_code")
        if code == 0 { return .success(try row.bytes("response")) }
        guard let statusCode = StatusCode(rawValue: Int(code)), statusCode != .ok else {
            throw StorageError(.typeMismatch, "the recorded outcome has an unknown status code \(code)")
        }
        var metadata = Metadata()
        let details = try row.bytes("error_details")
        if !details.isEmpty { metadata.add(RegistryErrors.detailsKey, binary: details) }
        return .failure(Settled(error: RPCError(statusCode, try row.string("status_message"), metadata: metadata)))
    }

    private static func record(
        _ sql: inout SQLTransaction, requestID: String, method: String, fingerprint: [UInt8], code: Int64, message: String,
        details: [UInt8], response: [UInt8], at: Date
    ) throws {
        do {
            try sql.execute(
                """
                INSERT INTO idempotency_keys
                    (request_id, method, request_fingerprint, status_code, status_message, error_details, response, recorded_at_unix_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                .text(requestID), .text(method), .bytes(fingerprint), .int64(code), .text(message), .bytes(details),
                .bytes(response), .int64(RegistryTransaction.milliseconds(at)))
        } catch where error.code == .uniqueViolation {
            // A concurrent request with the same id committed first: run again to answer its outcome.
            throw StorageError(.serializationFailure, error.message, cause: error.cause)
        }
    }

    /// Database failures as statuses; their details never reach the message (docs/API.md, Errors).
    static func mapped(_ error: any Error) -> any Error {
        if error is RPCError { return error }
        if let settled = error as? Settled { return settled.error }
        if let storage = error as? StorageError {
            switch storage.code {
            case .connectionFailed, .timedOut, .serializationFailure:
                return RPCError(.unavailable, "the registry's database is unavailable; retry with the same request_id")
            default:
                return RPCError(.internal, "the registry failed to store or read its data")
            }
        }
        return RPCError(.internal, "the registry failed: internal error")
    }
}

/// One transaction of the registry, with the request it serves.
struct RegistryTransaction {
    var sql: SQLTransaction
    let requestID: String
    let now: Date

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded(.down)) }

    var nowMilliseconds: Int64 { Self.milliseconds(now) }

    var timestamp: Recs_Common_V1_Timestamp {
        var timestamp = Recs_Common_V1_Timestamp()
        timestamp.unixSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        return timestamp
    }

    /// Takes the next number of a counter; the row stays locked until commit.
    mutating func nextNumber(_ counter: String) throws -> Int64 {
        guard let row = try sql.queryFirst("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value", .text(counter))
        else { throw StorageError(.typeMismatch, "counter \(counter) is missing") }
        return try row.int64("value")
    }

    /// Appends the event of this change, in this transaction (docs/API.md, event feeds).
    mutating func appendEvent(action: String, actor: Recs_Common_V1_Actor?, _ payload: Recs_Registry_V1_Event.OneOf_Payload)
        throws
    {
        var event = Recs_Registry_V1_Event()
        event.sequence = try nextNumber("event")
        event.at = timestamp
        event.actor = actor
        event.action = action
        event.requestId = requestID
        event.payload = payload
        try sql.execute(
            "INSERT INTO events (sequence, at_unix_ms, action, request_id, payload) VALUES ($1, $2, $3, $4, $5)",
            .int64(event.sequence), .int64(nowMilliseconds), .text(action), .text(requestID), .bytes(event.protobufBytes()))
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

    mutating func insertSubaccount(_ subaccount: Recs_Registry_V1_Subaccount) throws {
        try sql.execute(
            """
            INSERT INTO subaccounts (subaccount_id, organization_id, kind, opened_with_account, record, created_at_unix_ms)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            .text(subaccount.subaccountId), .text(subaccount.organizationId), .text(RegistryCodes.name(subaccount.kind)),
            .int64(subaccount.openedWithAccount ? 1 : 0), .bytes(subaccount.protobufBytes()), .int64(nowMilliseconds))
    }

    mutating func insertUser(_ user: Recs_Registry_V1_User) throws {
        try sql.execute(
            "INSERT INTO users (user_id, organization_id, login_key, record, created_at_unix_ms) VALUES ($1, $2, $3, $4, $5)",
            .text(user.userId), .text(user.organizationId), .text(user.login.lowercased()), .bytes(user.protobufBytes()),
            .int64(nowMilliseconds))
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
            SELECT record FROM subaccounts WHERE organization_id = $1
            ORDER BY opened_with_account DESC,
                CASE kind WHEN 'active' THEN 1 WHEN 'retirement' THEN 2 WHEN 'reserve' THEN 3 ELSE 4 END,
                created_at_unix_ms, subaccount_id
            """, .text(organizationID)
        ).map { row in try Recs_Registry_V1_Subaccount(protobufBytes: try row.bytes("record")) }
    }

    mutating func subaccount(_ subaccountID: String) throws -> Recs_Registry_V1_Subaccount? {
        guard let row = try sql.queryFirst("SELECT record FROM subaccounts WHERE subaccount_id = $1", .text(subaccountID))
        else { return nil }
        return try Recs_Registry_V1_Subaccount(protobufBytes: try row.bytes("record"))
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

    mutating func events(after sequence: Int64, limit: Int) throws -> [Recs_Registry_V1_Event] {
        try sql.query(
            "SELECT payload FROM events WHERE sequence > $1 ORDER BY sequence LIMIT $2", .int64(sequence), .int64(Int64(limit))
        ).map { row in try Recs_Registry_V1_Event(protobufBytes: try row.bytes("payload")) }
    }

    mutating func lastSequence() throws -> Int64 {
        try sql.queryFirst("SELECT COALESCE(MAX(sequence), 0) AS last FROM events")?.int64("last") ?? 0
    }
}
