import ProtoMessages
import ServiceKit

/// The records a new organization and a new key start as, made in one place for the use cases
/// (CreateOrganization, CreateApiKey) and the administrator's first start.
extension JournalTransaction {
    /// A new active organization (without subaccounts) with id `organizationID`.
    func newOrganization(
        _ organizationID: String, name: String, type: Recs_Common_V1_OrganizationType
    ) -> Recs_Registry_V1_Organization {
        var organization = Recs_Registry_V1_Organization()
        organization.organizationId = organizationID
        organization.name = name
        organization.type = type
        organization.status = .active
        organization.createdAt = timestamp
        organization.statusChangedAt = timestamp
        return organization
    }

    /// The account's one Manager (§7.1): an active in-organization login, numbered now.
    mutating func newManager(of organizationID: String, personName: String, email: String, login: String) throws
        -> Recs_Registry_V1_User
    {
        var manager = Recs_Registry_V1_User()
        manager.userId = "U\(try nextNumber("user"))"
        manager.organizationId = organizationID
        manager.kind = .inOrganization
        manager.accessLevel = .manager
        manager.status = .active
        manager.personName = personName
        manager.email = email
        manager.login = login
        manager.createdAt = timestamp
        manager.statusChangedAt = timestamp
        return manager
    }

    /// A new active key of `user`, numbered now, stored with its event (ADR 0006). Returns the
    /// record (with its hash, as stored) and the secret to show once.
    mutating func createApiKey(
        for user: Recs_Registry_V1_User, label: String, actor: Recs_Common_V1_Actor
    ) throws -> (Recs_Registry_V1_ApiKey, ApiKeySecret) {
        let secret = ApiKeySecret.generate(keyID: "K\(try nextNumber("api_key"))")
        var key = Recs_Registry_V1_ApiKey()
        key.keyId = secret.keyID
        key.userId = user.userId
        key.organizationId = user.organizationId
        key.label = label
        key.status = .active
        key.createdAt = timestamp
        key.secretSha256 = secret.secretSHA256
        try insertApiKey(key)
        try appendEvent(action: "CreateApiKey", actor: actor, .apiKey(key))
        return (key, secret)
    }
}
