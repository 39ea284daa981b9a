import Storage

/// Tables every service keeps next to its own (docs/API.md: idempotency, event feeds): a service
/// puts these statements into its first migration.
///
/// `counters` hands out numbers (event sequences and the service's own ids). Taking a number is an
/// `UPDATE` of its row, which holds the row's lock until commit: event sequences are therefore
/// assigned in commit order with no gap.
public enum ServiceSchema {
    /// Column types and table options of a dialect.
    public struct Types: Sendable {
        public let blob: String
        public let int: String
        public let strict: String

        public init(blob: String, int: String, strict: String) {
            self.blob = blob
            self.int = int
            self.strict = strict
        }

        public static let sqlite = Types(blob: "BLOB", int: "INTEGER", strict: " STRICT")
        public static let postgres = Types(blob: "BYTEA", int: "BIGINT", strict: "")
    }

    /// `counters` with the given counter names (the `event` counter is always added).
    public static func counters(_ names: [String], _ t: Types) -> [String] {
        let all = ["event"] + names.filter { $0 != "event" }
        return [
            """
            CREATE TABLE counters (
                name TEXT NOT NULL PRIMARY KEY,
                value \(t.int) NOT NULL CHECK (value >= 0)
            )\(t.strict)
            """,
            "INSERT INTO counters (name, value) VALUES " + all.map { "('\($0)', 0)" }.joined(separator: ", "),
        ]
    }

    /// The first completed outcome per request id. status_code 0 is a response (response holds its
    /// bytes); otherwise the recorded failure and its details.
    public static func idempotencyKeys(_ t: Types) -> String {
        """
        CREATE TABLE idempotency_keys (
            request_id TEXT NOT NULL PRIMARY KEY,
            method TEXT NOT NULL,
            request_fingerprint \(t.blob) NOT NULL CHECK (length(request_fingerprint) = 32),
            status_code \(t.int) NOT NULL,
            status_message TEXT NOT NULL,
            error_details \(t.blob) NOT NULL,
            response \(t.blob) NOT NULL,
            recorded_at_unix_ms \(t.int) NOT NULL
        )\(t.strict)
        """
    }

    /// The service's event feed; payload is the encoded `recs.<service>.v1.Event`.
    public static func events(_ t: Types) -> String {
        """
        CREATE TABLE events (
            sequence \(t.int) NOT NULL PRIMARY KEY CHECK (sequence >= 1),
            at_unix_ms \(t.int) NOT NULL,
            action TEXT NOT NULL,
            request_id TEXT NOT NULL,
            payload \(t.blob) NOT NULL
        )\(t.strict)
        """
    }

    /// Where a consumer stands in each feed it follows (``FeedFollower``).
    public static func feedPositions(_ t: Types) -> String {
        """
        CREATE TABLE feed_positions (
            feed TEXT NOT NULL PRIMARY KEY,
            position \(t.int) NOT NULL CHECK (position >= 0),
            updated_at_unix_ms \(t.int) NOT NULL
        )\(t.strict)
        """
    }

    /// A migration whose statements depend on the dialect's types.
    public static func migration(_ name: String, _ statements: (Types) -> [String]) -> Migration {
        Migration(name: name, statements: [], overrides: [.sqlite: statements(.sqlite), .postgres: statements(.postgres)])
    }
}
