import GRPCWire
import RPC

/// One metric a service exports: its Prometheus name, type, labels and help text. Every metric the
/// services record is listed in ``ServiceMetrics/catalog`` (the README's table is written from it),
/// so the exporter gives each its HELP line and its histogram buckets, and a test can check that
/// names and labels follow the Prometheus rules.
public struct MetricDefinition: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, histogram
    }

    public let name: String
    public let kind: Kind
    public let labels: [String]
    public let help: String
    /// Upper bounds of a histogram's buckets; empty for other kinds.
    public let buckets: [Duration]

    public init(_ name: String, _ kind: Kind, labels: [String] = [], help: String, buckets: [Duration] = []) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.help = help
        self.buckets = buckets
    }
}

/// The names, labels and label values of the services' metrics (issue 8, item 9; ADR 0009).
public enum ServiceMetrics {
    /// Latency buckets for 0.1 ms (a cached read on the loop) to 10 s (a large upload or a cycle),
    /// about three per decade.
    public static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2_500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]

    public static let rpcRequests = MetricDefinition(
        "recs_rpc_requests_total", .counter, labels: ["method", "code"],
        help: "gRPC calls handled, by method and the status code they ended with.")
    public static let rpcDuration = MetricDefinition(
        "recs_rpc_request_duration_seconds", .histogram, labels: ["method"],
        help: "Time from a call's admission to its status, by method.", buckets: latencyBuckets)
    public static let rpcInFlight = MetricDefinition(
        "recs_rpc_requests_in_flight", .gauge, labels: ["method"], help: "gRPC calls running now, by method.")
    public static let ledgerOperations = MetricDefinition(
        "recs_ledger_operations_total", .counter, labels: ["kind", "outcome"],
        help: "Ledger operations applied in a request's transaction (transfer service), by kind and outcome "
            + "(applied or refused); an application whose transaction is retried counts once per attempt.")
    public static let databaseTransactions = MetricDefinition(
        "recs_db_transactions_total", .counter, labels: ["outcome"],
        help: "Database transactions, by outcome: committed, failed (rolled back by an error of the body or the database), "
            + "or read (a read-only transaction on a read connection).")
    public static let databaseCommits = MetricDefinition(
        "recs_db_commits_total", .counter,
        help: "Database commits. On SQLite (WAL, synchronous=FULL) one commit makes a whole group of transactions "
            + "durable (group commit, ADR 0008) with one fsync of the WAL, so this counts fsyncs, and "
            + "recs_db_transactions_total{outcome=\"committed\"} / recs_db_commits_total is the transactions per fsync; "
            + "on PostgreSQL each transaction commits on its own and the server flushes concurrent commits' WAL together.")
    public static let databaseDuration = MetricDefinition(
        "recs_db_transaction_duration_seconds", .histogram,
        help: "Time of a database transaction from the request to its commit or failure, queueing for the connection included.",
        buckets: latencyBuckets)
    public static let backgroundFailures = MetricDefinition(
        "recs_background_work_failures_total", .counter, labels: ["work"],
        help: "Failed runs of a background loop (feed follower, sweep, deposit queue), each retried with backoff.")
    public static let feedLag = MetricDefinition(
        "recs_feed_lag_events", .gauge, labels: ["follower"],
        help: "Events a feed follower has yet to apply: the source's last sequence as of the last fetch minus the "
            + "follower's position (0 before the first fetch).")
    public static let feedPosition = MetricDefinition(
        "recs_feed_position", .gauge, labels: ["follower"], help: "Sequence of the last event a feed follower applied.")
    public static let feedSourceSequence = MetricDefinition(
        "recs_feed_source_sequence", .gauge, labels: ["follower"],
        help: "The followed feed's last sequence as of the follower's last fetch.")

    /// Every metric the services record.
    public static let catalog: [MetricDefinition] = [
        rpcRequests, rpcDuration, rpcInFlight, ledgerOperations, databaseTransactions, databaseCommits, databaseDuration,
        backgroundFailures, feedLag, feedPosition, feedSourceSequence,
    ]

    /// The `method` label: the call's path without its leading slash,
    /// `recs.transfer.v1.TransferService/GetTransfer`.
    public static func methodLabel(_ method: MethodDescriptor) -> String { "\(method.service)/\(method.method)" }

    /// The `code` label: the status code's canonical name, `OK`, `NOT_FOUND`.
    public static func codeLabel(_ code: StatusCode) -> String { code.description }

    /// Whether `name` is a valid Prometheus metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`); label names
    /// follow the same rule without colons.
    public static func isValidName(_ name: String, allowingColons: Bool = true) -> Bool {
        guard let first = name.utf8.first else { return false }
        func letter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_") || (allowingColons && byte == UInt8(ascii: ":"))
        }
        return letter(first) && name.utf8.allSatisfy { letter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
