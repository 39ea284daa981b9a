import Foundation
@testable import IssuanceCore
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// Issuance served in process on a database `writeLegacy` wrote as an older version did (ADR 0010's
/// upgrade tests): the application migrates it on build, then `body` asks it questions.
func withUpgradedIssuance(
    _ kind: TestDatabaseKind, depositor: FakeDepositor = FakeDepositor(), today: String = "2026-06-05",
    writeLegacy: @escaping (any Database) async throws -> Void,
    _ body: (IssuanceApplication, Recs_Issuance_V1_IssuanceServiceClient, TestDatabase) async throws -> Void
) async throws {
    var logger = Logger(label: "issuance-test")
    logger.logLevel = .critical
    try await withServedApplication(kind) { test in
        try await writeLegacy(test.database)
        return try await IssuanceApplication.build(
            database: test.database, server: ServerConfiguration(port: 0), registry: FakeRegistry().fetch, transfer: depositor,
            access: .unenforced, logger: logger, clock: ManualClock(today).service)
    } _: { application, connection, test in
        try await body(application, Recs_Issuance_V1_IssuanceServiceClient(connection), test)
    }
}

extension UnitRecordStorageTests {
    /// The fixture's organizations and unit W1 as the registry's feed gives them (written the way
    /// every version since migration 0004 writes them).
    static func feedUnit(_ sql: inout SQLTransaction) throws {
        for organization in organizations { try RegistryFeed.apply(&sql, event(.organization(organization))) }
        try RegistryFeed.apply(&sql, event(.generatingUnit(unit())))
    }
}
