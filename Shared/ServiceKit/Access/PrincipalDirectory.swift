import Domain
import ProtoMessages
import Storage
import Synchronization

/// The callers a service knows, in memory, read from its ``Principals`` tables: authenticating a
/// call costs a dictionary look-up and one hash, no database trip. The service refreshes it after
/// every transaction that changed the tables (the registry after its own changes, the others after
/// applying a page of the registry's feed), so a revoked key or a disabled login is refused as soon
/// as the change reached the service's database. The same holds for an account's program-access
/// selection (§19.3.2): a program administrator's login carries the accounts that selected it.
public final class PrincipalDirectory: Sendable {
    struct Key: Sendable {
        var userID: String
        var secretSHA256: [UInt8]
        var revoked: Bool
    }

    struct Snapshot: Sendable {
        var keys: [String: Key] = [:]
        var users: [String: PrincipalUserRecord] = [:]
        var roles: [String: OrganizationRole] = [:]
        /// Program administrator organization → the accounts that selected it (§19.3.2).
        var accessGrantedBy: [String: Set<String>] = [:]
    }

    private let snapshot = Mutex(Snapshot())

    public init() {}

    /// Re-reads the tables in one read transaction.
    public func refresh(from database: any Database) async throws {
        let fresh = try await database.transaction { sql in
            var snapshot = Snapshot()
            for row in try sql.query("SELECT organization_id, role FROM principal_organizations") {
                if let role = OrganizationRole(rawValue: try row.string("role")) {
                    snapshot.roles[try row.string("organization_id")] = role
                }
            }
            snapshot.users = try PrincipalUserRows.all(&sql)
            for row in try sql.query("SELECT organization_id, program_administrator_id FROM principal_program_access") {
                snapshot.accessGrantedBy[try row.string("program_administrator_id"), default: []].insert(try row.string("organization_id"))
            }
            for row in try sql.query("SELECT key_id, user_id, secret_sha256, revoked FROM principal_keys") {
                snapshot.keys[try row.string("key_id")] = Key(
                    userID: try row.string("user_id"), secretSHA256: try row.bytes("secret_sha256"), revoked: try row.int64("revoked") != 0)
            }
            return snapshot
        }
        snapshot.withLock { $0 = fresh }
    }

    /// The login a presented key belongs to, or nil when the key is unknown, revoked or its secret
    /// does not match. The login's own status is the policy's business (a disabled login is
    /// refused with its rule, not as an unknown key).
    public func user(presenting key: ApiKeySecret) -> UserPrincipal? {
        snapshot.withLock { snapshot in
            guard let stored = snapshot.keys[key.keyID], key.matches(stored.secretSHA256), !stored.revoked,
                let user = snapshot.users[stored.userID], let role = snapshot.roles[user.organizationID]
            else { return nil }
            return user.principal(role: role, accessGrantedBy: snapshot.accessGrantedBy[user.organizationID] ?? [])
        }
    }

    /// Whether a key id is known at all (revoked or not).
    public func knows(keyID: String) -> Bool {
        snapshot.withLock { $0.keys[keyID] != nil }
    }

    public var keyCount: Int { snapshot.withLock { $0.keys.count } }
}
