import Logging
import ProtoMessages
import Storage

/// How issuance, transfer and reporting learn who may call them (ADR 0006): a follower of the
/// registry's event feed of its own, under the feed name `registry-principals`, that writes the
/// organization, login and API-key records into the service's ``Principals`` tables and reloads
/// the in-memory ``PrincipalDirectory`` after each page it applied.
///
/// It is separate from the follower that feeds the service's own tables, so a service that was
/// already following the registry before it kept principals reads the feed from the start for
/// them without applying its own events twice. A revoked key or a disabled login is refused by the
/// service once its next poll (`--feed-poll-milliseconds`, 500 ms by default) has applied it.
public enum PrincipalFeed {
    /// The follower's name in `feed_positions`.
    public static let name = "registry-principals"

    /// A follower of `fetch` (the registry's `ListEvents`) into `database`, refreshing `directory`.
    public static func follower(
        database: any Database, directory: PrincipalDirectory, logger: Logger,
        fetch: @escaping FeedFollower<Recs_Registry_V1_Event>.Fetch
    ) -> FeedFollower<Recs_Registry_V1_Event> {
        FeedFollower(
            feed: name, database: database, logger: logger, fetch: fetch, sequence: { $0.sequence },
            apply: { sql, event in try Principals.apply(event.payload, to: &sql) },
            applied: { try await directory.refresh(from: database) })
    }
}
