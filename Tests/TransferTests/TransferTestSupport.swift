import Domain
import Foundation
import GRPCWire
import Ledger
import Logging
import ProtoMessages
import ProtoServices
import RPC
import StandardServices
import Storage
import ServiceKit
import ServiceTestSupport
import StorageTestSupport
import Synchronization
import Testing
import TransferCore

/// The clock of an in-process transfer service, moved by the test.
final class TestClock: Sendable {
    /// The service's simulated clock (ADR 0007), days counted in UTC here.
    let service = ServiceClock(simulatedFrom: Date(timeIntervalSince1970: 1_735_689_600), timeZone: TimeZone(identifier: "UTC")!)  // 2025-01-01T00:00:00Z
    var date: Date { service.now() }
    func advance(days: Double) { service.set(date.addingTimeInterval(days * 24 * 60 * 60)) }
}

struct Harness {
    let client: Recs_Transfer_V1_TransferServiceClient
    let application: TransferApplication
    let clock: TestClock
    var ledger: Ledger { application.store.ledger }

    /// The ledger's invariant (§12.1: every serial number in exactly one place).
    func conserved(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let report = try await ledger.checkConservation()
        #expect(report.batches >= 0, sourceLocation: sourceLocation)
    }

    func holdings(in subaccount: String) async throws -> [Holding] {
        try await ledger.holdings(in: SubaccountID(parsing: subaccount))
    }
}

enum F {
    static let orgA = "A1"
    static let orgB = "A2"
    static let activeA = "1000ACTA-01AA"
    static let retirementA = "1000RETA-01AA"
    static let activeB = "2000ACTB-01AA"

    static func registerSubaccounts(_ ledger: Ledger, at: Date, activeB: Bool = true) async throws {
        let a = try OrganizationID(parsing: orgA)
        let b = try OrganizationID(parsing: orgB)
        // Registered as the registry's feed would (a deposit never makes up a subaccount, issue 7).
        try await ledger.register(LedgerSubaccount(id: SubaccountID(parsing: activeA), organization: a, kind: .active), at: at)
        try await ledger.register(LedgerSubaccount(id: SubaccountID(parsing: retirementA), organization: a, kind: .retirement), at: at)
        if activeB {
            try await ledger.register(LedgerSubaccount(id: SubaccountID(parsing: Self.activeB), organization: b, kind: .active), at: at)
        }
    }

    static func batch(_ number: Int64, quantity: Int64) -> Recs_Common_V1_CertificateBatch {
        var batch = Recs_Common_V1_CertificateBatch()
        batch.batchNumber = number
        batch.quantity = quantity
        var attributes = Recs_Common_V1_CertificateAttributes()
        attributes.generatingUnitId = "99999"
        attributes.stateOrProvince = "CA"
        attributes.fuelTypeCode = "SO1"
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = 2024
        vintage.month = 1
        attributes.vintage = vintage
        var created = Recs_Common_V1_Date()
        created.year = 2024
        created.month = 3
        created.day = 1
        attributes.createdOn = created
        batch.attributes = attributes
        return batch
    }

    static func deposit(_ requestID: String, batch number: Int64, quantity: Int64) -> Recs_Transfer_V1_DepositCertificatesRequest {
        var request = Recs_Transfer_V1_DepositCertificatesRequest()
        request.requestId = requestID
        request.batch = batch(number, quantity: quantity)
        request.organizationId = orgA
        request.depositSubaccountId = activeA
        request.sourceId = "cycle-2024-01"
        return request
    }

    static func item(batch: Int64, _ first: Int64, _ last: Int64) -> Recs_Transfer_V1_TransferItem {
        var range = Recs_Common_V1_SerialRange()
        range.generatingUnitId = "99999"
        range.stateOrProvince = "CA"
        range.batchNumber = batch
        range.first = first
        range.last = last
        var item = Recs_Transfer_V1_TransferItem()
        item.serialRange = range
        return item
    }

    static func transfer(_ requestID: String, batch: Int64, _ first: Int64, _ last: Int64, from: String = orgA, to: String = orgB)
        -> Recs_Transfer_V1_RequestInterAccountTransferRequest
    {
        var request = Recs_Transfer_V1_RequestInterAccountTransferRequest()
        request.requestId = requestID
        request.organizationId = from
        request.toOrganizationId = to
        request.items = [item(batch: batch, first, last)]
        return request
    }

    static func retire(_ requestID: String, batch: Int64, _ first: Int64, _ last: Int64) -> Recs_Transfer_V1_RetireCertificatesRequest {
        var request = Recs_Transfer_V1_RetireCertificatesRequest()
        request.requestId = requestID
        request.organizationId = orgA
        request.items = [item(batch: batch, first, last)]
        request.retirementSubaccountId = retirementA
        var reason = Recs_Common_V1_RetirementReason()
        reason.category = .voluntaryMarketActivity
        reason.details = "2024 voluntary green power claim"
        request.reason = reason
        return request
    }

    static func accept(_ requestID: String, _ transferID: String) -> Recs_Transfer_V1_AcceptTransferRequest {
        var request = Recs_Transfer_V1_AcceptTransferRequest()
        request.requestId = requestID
        request.transferId = transferID
        return request
    }

    static func reject(_ requestID: String, _ transferID: String) -> Recs_Transfer_V1_RejectTransferRequest {
        var request = Recs_Transfer_V1_RejectTransferRequest()
        request.requestId = requestID
        request.transferId = transferID
        request.reason = "not ordered"
        return request
    }

    static func withdraw(_ requestID: String, _ transferID: String) -> Recs_Transfer_V1_WithdrawTransferRequest {
        var request = Recs_Transfer_V1_WithdrawTransferRequest()
        request.requestId = requestID
        request.transferId = transferID
        return request
    }
}

/// A transfer service served in process on a free loopback port, on a fresh database of `kind`,
/// with the generated client, a test clock and subaccounts A1 (Active, Retirement) and A2 (Active).
///
/// With `registryEvents`, the service follows that registry feed and A2's subaccount is not
/// registered directly: it must come from the feed.
func withTransfer(
    _ kind: TestDatabaseKind, registryEvents: RegistryFeed.Follower.Fetch? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (Harness) async throws -> Void
) async throws {
    var logger = Logger(label: "transfer-test")
    logger.logLevel = .critical
    let clock = TestClock()
    try await withServedApplication(kind, sourceLocation: sourceLocation) { testDatabase in
        let application = try await TransferApplication.build(
            database: testDatabase.database, server: ServerConfiguration(port: 0), access: .unenforced, logger: logger, clock: clock.service,
            registryEvents: registryEvents)
        try await F.registerSubaccounts(application.store.ledger, at: clock.date, activeB: registryEvents == nil)
        return application
    } _: { application, client, _ in
        try await body(Harness(client: Recs_Transfer_V1_TransferServiceClient(client), application: application, clock: clock))
    }
}

