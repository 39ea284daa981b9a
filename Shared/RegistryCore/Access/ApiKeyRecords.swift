import Domain
import GRPCWire
import ProtoMessages
import ServiceKit
import Storage

/// The registry's rows for API keys and the checks the key use cases share.
extension JournalTransaction {
    /// Keys are kept as the registry's own record (ADR 0010), mapped here from and to the API's.
    mutating func insertApiKey(_ key: Recs_Registry_V1_ApiKey) throws {
        try sql.execute(ApiKeyRows.insert, binds: ApiKeyRows.columns(ApiKeyRecord(wire: key)).map(\.value) + [.int64(nowMilliseconds)])
    }

    mutating func updateApiKey(_ key: Recs_Registry_V1_ApiKey) throws {
        try sql.execute(ApiKeyRows.update, binds: ApiKeyRows.columns(ApiKeyRecord(wire: key)).map(\.value))
    }

    mutating func apiKey(_ keyID: String) throws -> Recs_Registry_V1_ApiKey? {
        try sql.queryFirst("SELECT \(ApiKeyRows.selectList) FROM api_keys WHERE key_id = $1", .text(keyID)).map { try ApiKeyRows.load($0).wire }
    }

    /// The keys of a login in creation order after `after`, at most `limit`.
    mutating func apiKeys(ofUser userID: String, after: ApiKeyPosition?, limit: Int) throws -> [(ApiKeyPosition, Recs_Registry_V1_ApiKey)] {
        let after = after ?? ApiKeyPosition(createdAtMilliseconds: -1, keyID: "")
        return try sql.query(
            """
            SELECT \(ApiKeyRows.selectList), created_at_unix_ms FROM api_keys
            WHERE user_id = $1 AND (created_at_unix_ms > $2 OR (created_at_unix_ms = $2 AND key_id > $3))
            ORDER BY created_at_unix_ms, key_id LIMIT $4
            """, .text(userID), .int64(after.createdAtMilliseconds), .text(after.keyID), .int64(Int64(limit))
        ).map { row in
            (
                ApiKeyPosition(createdAtMilliseconds: try row.int64("created_at_unix_ms"), keyID: try row.string("key_id")),
                try ApiKeyRows.load(row).wire
            )
        }
    }

    mutating func user(_ userID: String) throws -> Recs_Registry_V1_User? {
        guard let row = try sql.queryFirst("SELECT \(UserRows.selectList) FROM users WHERE user_id = $1", .text(userID)) else { return nil }
        return try UserRows.load(row, &sql).wire
    }
}

enum ApiKeyAccess {
    /// Our limit on a key's label.
    static let labelCharactersMax = 100
    /// Our limit on a user id or key id in a request ("U" or "K" and a number).
    static let idCharactersMax = 32

    /// The login whose keys a request is about: the caller's own when `userID` is empty. A user
    /// manages its own keys; the Manager or a Supervisor those of the logins it may change (§7.1);
    /// the administrator anyone's. Another organization's login is NOT_FOUND to a caller who may
    /// not see it.
    static func owner(_ userID: String, caller: Caller, in transaction: inout JournalTransaction) throws -> Recs_Registry_V1_User {
        guard let principal = caller.user else {
            throw ServiceErrors.status(
                .permissionDenied, "only users have API keys (Operating Rules §7)", reason: "NOT_A_USER")
        }
        let wanted = userID.isEmpty ? principal.userID : userID
        guard wanted.utf8.count <= idCharactersMax else { throw ServiceErrors.invalid("user_id", "is not a user id") }
        guard let user = try transaction.user(wanted) else {
            throw ServiceErrors.notFound("user \(wanted)", field: "user_id")
        }
        if user.userId != principal.userID {
            try caller.authorize(
                .changeUser(level: Principals.level(user.accessLevel)), on: AccessTarget(organizationID: user.organizationId))
        }
        return user
    }
}
