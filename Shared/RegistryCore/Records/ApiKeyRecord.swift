import ProtoMessages
import ServiceKit
import Storage

/// An API key as the registry keeps it (ADR 0006, ADR 0010): one `api_keys` row of columns, the
/// secret only as its SHA-256. The key use cases work on the API's `ApiKey`; the store maps it into
/// the record where it inserts or updates it and makes it again where it reads it (``ApiKeyRows``).
struct ApiKeyRecord: Sendable, Hashable {
    enum Status: String, Sendable {
        case active, revoked, unspecified
    }

    var id: String
    var userID = ""
    var organizationID = ""
    var label = ""
    var status = Status.unspecified
    /// Whole seconds, as the API carries them (`created_at_unix_ms` is when the row was written,
    /// which orders a login's keys).
    var createdAtUnixSeconds: Int64?
    var revokedAtUnixSeconds: Int64?
    var secretSHA256: [UInt8] = []
}

extension ApiKeyRecord {
    init(wire key: Recs_Registry_V1_ApiKey) {
        id = key.keyId
        userID = key.userId
        organizationID = key.organizationId
        label = key.label
        status =
            switch key.status {
            case .active: .active
            case .revoked: .revoked
            case .unspecified, .unrecognized: .unspecified
            }
        createdAtUnixSeconds = key.createdAt?.unixSeconds
        revokedAtUnixSeconds = key.revokedAt?.unixSeconds
        secretSHA256 = key.secretSha256
    }

    var wire: Recs_Registry_V1_ApiKey {
        var key = Recs_Registry_V1_ApiKey()
        key.keyId = id
        key.userId = userID
        key.organizationId = organizationID
        key.label = label
        key.status =
            switch status {
            case .active: .active
            case .revoked: .revoked
            case .unspecified: .unspecified
            }
        key.createdAt = createdAtUnixSeconds.map(Self.timestamp)
        key.revokedAt = revokedAtUnixSeconds.map(Self.timestamp)
        key.secretSha256 = secretSHA256
        return key
    }

    static func timestamp(_ seconds: Int64) -> Recs_Common_V1_Timestamp {
        var timestamp = Recs_Common_V1_Timestamp()
        timestamp.unixSeconds = seconds
        return timestamp
    }
}

/// How an ``ApiKeyRecord`` is kept: every field a column of `api_keys` (NULL instants when not set),
/// beside `created_at_unix_ms`, which the store writes when the key is inserted.
enum ApiKeyRows {
    static func columns(_ key: ApiKeyRecord) -> [(name: String, value: SQLValue)] {
        [
            ("key_id", .text(key.id)),
            ("user_id", .text(key.userID)),
            ("organization_id", .text(key.organizationID)),
            ("label", .text(key.label)),
            ("status", .text(key.status.rawValue)),
            ("created_at_unix_seconds", .optional(key.createdAtUnixSeconds)),
            ("revoked_at_unix_seconds", .optional(key.revokedAtUnixSeconds)),
            ("secret_sha256", .bytes(key.secretSHA256)),
        ]
    }

    static let names = columns(ApiKeyRecord(id: "")).map(\.name)
    static let selectList = names.joined(separator: ", ")
    static let insert = RecordStatements.insert("api_keys", names + ["created_at_unix_ms"])
    static let update = RecordStatements.update("api_keys", names)

    static func load(_ row: SQLRow) throws -> ApiKeyRecord {
        var key = ApiKeyRecord(id: try row.string("key_id"))
        key.userID = try row.string("user_id")
        key.organizationID = try row.string("organization_id")
        key.label = try row.string("label")
        key.status = ApiKeyRecord.Status(rawValue: try row.string("status")) ?? .unspecified
        key.createdAtUnixSeconds = try row.optionalInt64("created_at_unix_seconds")
        key.revokedAtUnixSeconds = try row.optionalInt64("revoked_at_unix_seconds")
        key.secretSHA256 = try row.bytes("secret_sha256")
        return key
    }

    /// The columns migration 0007 adds (the ids were there from the start).
    static func addColumns(_ t: ServiceSchema.Types) -> [String] {
        [
            "ALTER TABLE api_keys ADD COLUMN label TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE api_keys ADD COLUMN status TEXT NOT NULL DEFAULT 'unspecified'",
            // NULL when not set.
            "ALTER TABLE api_keys ADD COLUMN created_at_unix_seconds \(t.int)",
            "ALTER TABLE api_keys ADD COLUMN revoked_at_unix_seconds \(t.int)",
            "ALTER TABLE api_keys ADD COLUMN secret_sha256 \(t.blob) NOT NULL DEFAULT \(t.blob == "BYTEA" ? "''::bytea" : "x''")",
        ]
    }
}

/// Migration 0007's transform (ADR 0010): until then the registry kept each key's `ApiKey` bytes in
/// `record`. Each row's bytes are read as they were written and mapped as the store maps a key it
/// inserts; then `record` goes. It writes with ``ApiKeyRows`` because its columns are exactly those
/// 0007 made; a later migration that changes them must first give this transform a copy.
enum LegacyApiKeyRecords {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        try RecordMigration.eachRecord(table: "api_keys", key: "key_id", &sql) { id, bytes, sql in
            var key = ApiKeyRecord(wire: try Recs_Registry_V1_ApiKey(protobufBytes: bytes))
            key.id = id
            try sql.execute(ApiKeyRows.update, binds: ApiKeyRows.columns(key).map(\.value))
        }
        try sql.execute("ALTER TABLE api_keys DROP COLUMN record")
    }
}
