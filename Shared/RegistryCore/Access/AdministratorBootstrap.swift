import Foundation
import Logging
import ProtoMessages
import ServiceKit
import Storage

/// First start (ADR 0006): the registry administrator's organization, its Manager login and one
/// API key, created once in one transaction; the key's token goes to `admin-api-key` in the data
/// directory, readable by its owner only. Later starts find the organization and do nothing.
public enum AdministratorBootstrap {
    public static let keyFileName = "admin-api-key"
    public static let organizationName = "Registry Administrator"
    public static let managerLogin = "admin"

    /// Creates the administrator when there is none; returns the key file written, or nil.
    @discardableResult
    public static func run(journal: RequestJournal, keyDirectory: URL, now: Date, logger: Logger) async throws -> URL? {
        let exists = try await journal.read { transaction in
            try transaction.sql.queryFirst("SELECT organization_id FROM organizations WHERE type = 'registry_administrator'") != nil
        }
        if exists { return nil }

        let file = keyDirectory.appendingPathComponent(keyFileName)
        let pending = keyDirectory.appendingPathComponent(keyFileName + ".new")
        try FileManager.default.createDirectory(at: keyDirectory, withIntermediateDirectories: true)
        // The token is written (owner-only) before the commit and renamed after it: a crash in
        // between leaves a `.new` file and no administrator, and the next start begins again.
        let token: String? = try await journal.database.transaction { sql in
            var transaction = JournalTransaction(sql: sql, requestID: "", now: now)
            if try transaction.sql.queryFirst("SELECT organization_id FROM organizations WHERE type = 'registry_administrator'") != nil {
                return nil
            }
            var actor = Recs_Common_V1_Actor()
            actor.kind = .service
            actor.id = "registry"
            let number = try transaction.nextNumber("organization")
            var organization = transaction.newOrganization("A\(number)", name: organizationName, type: .registryAdministrator)
            let manager = try transaction.newManager(
                of: organization.organizationId, personName: "Registry administrator", email: "", login: managerLogin)
            organization.managerUserId = manager.userId
            try transaction.insertOrganization(number: number, organization)
            try transaction.insertUser(manager)
            try transaction.appendEvent(action: "CreateOrganization", actor: actor, .organization(organization))
            try transaction.appendEvent(action: "CreateUser", actor: actor, .user(manager))

            let (_, secret) = try transaction.createApiKey(for: manager, label: "first start", actor: actor)
            try writeOwnerOnly(secret.token + "\n", to: pending)
            return secret.token
        }
        guard token != nil else { return nil }
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: pending, to: file)
        logger.notice("created the registry administrator and its first API key", metadata: ["file": "\(file.path)"])
        return file
    }

    /// Recovery of a lost key (`registry --issue-admin-key`): a new API key for the administrator's
    /// Manager, written to `admin-api-key` like the first one. Only whoever runs the registry with
    /// its data can do this. Refused while the file exists (revoke the old key, then remove it),
    /// and before the administrator exists. Returns the file and the new key's id.
    @discardableResult
    public static func issueRecoveryKey(
        journal: RequestJournal, keyDirectory: URL, now: Date, logger: Logger
    ) async throws -> (file: URL, keyID: String) {
        let file = keyDirectory.appendingPathComponent(keyFileName)
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw RecoveryRefused(
                "\(file.path) exists: a recovery key is written only where there is none (revoke the old key with recs key revoke, "
                    + "then remove the file)")
        }
        let pending = keyDirectory.appendingPathComponent(keyFileName + ".new")
        try FileManager.default.createDirectory(at: keyDirectory, withIntermediateDirectories: true)
        let keyID: String = try await journal.database.transaction { sql in
            var transaction = JournalTransaction(sql: sql, requestID: "", now: now)
            guard let row = try transaction.sql.queryFirst(
                "SELECT organization_id FROM organizations WHERE type = 'registry_administrator'"),
                let organization = try transaction.organization(try row.string("organization_id")),
                let manager = try transaction.user(organization.managerUserId), manager.status == .active
            else { throw RecoveryRefused("the registry has no active administrator Manager to issue a key for") }
            var actor = Recs_Common_V1_Actor()
            actor.kind = .service
            actor.id = "registry"
            let (key, secret) = try transaction.createApiKey(for: manager, label: "recovery", actor: actor)
            try writeOwnerOnly(secret.token + "\n", to: pending)
            return key.keyId
        }
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: pending, to: file)
        logger.notice("issued a recovery API key for the registry administrator", metadata: ["file": "\(file.path)", "key": "\(keyID)"])
        return (file, keyID)
    }

    public struct RecoveryRefused: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static func writeOwnerOnly(_ text: String, to url: URL) throws {
        _ = try? FileManager.default.removeItem(at: url)
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(text.utf8))
        try handle.synchronize()
    }
}
