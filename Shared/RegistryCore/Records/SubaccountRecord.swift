import ProtoMessages
import ServiceKit
import Storage

/// A subaccount as the registry keeps it (§6, ADR 0010): one `subaccounts` row of columns. The use
/// cases work on the API's `Subaccount`; the store maps it into the record where it inserts it and
/// makes it again where it reads it (``SubaccountRows``).
struct SubaccountRecord: Sendable, Hashable {
    var id: String
    var organizationID = ""
    /// The kind's stored name (`RegistryCodes.name`): active, retirement, reserve or export.
    var kind = "unspecified"
    var alias = ""
    var openedWithAccount = false
    var createdAtUnixSeconds: Int64?
}

extension SubaccountRecord {
    init(wire subaccount: Recs_Registry_V1_Subaccount) {
        id = subaccount.subaccountId
        organizationID = subaccount.organizationId
        kind = RegistryCodes.name(subaccount.kind)
        alias = subaccount.alias
        openedWithAccount = subaccount.openedWithAccount
        createdAtUnixSeconds = subaccount.createdAt?.unixSeconds
    }

    var wire: Recs_Registry_V1_Subaccount {
        var subaccount = Recs_Registry_V1_Subaccount()
        subaccount.subaccountId = id
        subaccount.organizationId = organizationID
        subaccount.kind = Recs_Common_V1_SubaccountKind.allCases.first { RegistryCodes.name($0) == kind } ?? .unspecified
        subaccount.alias = alias
        subaccount.openedWithAccount = openedWithAccount
        subaccount.createdAt = createdAtUnixSeconds.map(ApiKeyRecord.timestamp)
        return subaccount
    }
}

/// How a ``SubaccountRecord`` is kept: every field a column of `subaccounts` (NULL instant when not
/// set), beside `created_at_unix_ms`, the row's write time that orders an account's subaccounts.
enum SubaccountRows {
    static func columns(_ subaccount: SubaccountRecord) -> [(name: String, value: SQLValue)] {
        [
            ("subaccount_id", .text(subaccount.id)),
            ("organization_id", .text(subaccount.organizationID)),
            ("kind", .text(subaccount.kind)),
            ("alias", .text(subaccount.alias)),
            ("opened_with_account", .int64(subaccount.openedWithAccount ? 1 : 0)),
            ("created_at_unix_seconds", .optional(subaccount.createdAtUnixSeconds)),
        ]
    }

    static let names = columns(SubaccountRecord(id: "")).map(\.name)
    static let selectList = names.joined(separator: ", ")
    static let insert = RecordStatements.insert("subaccounts", names + ["created_at_unix_ms"])
    static let update = RecordStatements.update("subaccounts", names)

    static func load(_ row: SQLRow) throws -> SubaccountRecord {
        var subaccount = SubaccountRecord(id: try row.string("subaccount_id"))
        subaccount.organizationID = try row.string("organization_id")
        subaccount.kind = try row.string("kind")
        subaccount.alias = try row.string("alias")
        subaccount.openedWithAccount = try row.bool("opened_with_account")
        subaccount.createdAtUnixSeconds = try row.optionalInt64("created_at_unix_seconds")
        return subaccount
    }

    /// The columns migration 0008 adds (the others were there from the start).
    static func addColumns(_ t: ServiceSchema.Types) -> [String] {
        [
            "ALTER TABLE subaccounts ADD COLUMN alias TEXT NOT NULL DEFAULT ''",
            // NULL when not set.
            "ALTER TABLE subaccounts ADD COLUMN created_at_unix_seconds \(t.int)",
        ]
    }
}

/// Migration 0008's transform (ADR 0010): until then the registry kept each subaccount's
/// `Subaccount` bytes in `record`. Each row's bytes are read as they were written and mapped as the
/// store maps a subaccount it inserts; then `record` goes. It writes with ``SubaccountRows`` because
/// its columns are exactly those 0008 made; a later migration that changes them must first give
/// this transform a copy.
enum LegacySubaccountRecords {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        try RecordMigration.eachRecord(table: "subaccounts", key: "subaccount_id", &sql) { id, bytes, sql in
            var subaccount = SubaccountRecord(wire: try Recs_Registry_V1_Subaccount(protobufBytes: bytes))
            subaccount.id = id
            try sql.execute(SubaccountRows.update, binds: SubaccountRows.columns(subaccount).map(\.value))
        }
        try sql.execute("ALTER TABLE subaccounts DROP COLUMN record")
    }
}
