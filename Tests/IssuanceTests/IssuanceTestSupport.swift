import Foundation
import GRPCWire
import IssuanceCore
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import StandardServices
import Storage
import ServiceTestSupport
import StorageTestSupport
import Synchronization
import Testing

/// The registry as issuance sees it: an event feed, here an in-memory list the test appends to, that
/// can be made unreachable.
final class FakeRegistry: Sendable {
    private let state = Mutex<(events: [Recs_Registry_V1_Event], reachable: Bool)>(([], true))

    var reachable: Bool {
        get { state.withLock { $0.reachable } }
        set { state.withLock { $0.reachable = newValue } }
    }

    /// Appends an event with the next sequence (1, 2, 3, ...).
    func publish(_ action: String, _ payload: Recs_Registry_V1_Event.OneOf_Payload) {
        state.withLock { state in
            var event = Recs_Registry_V1_Event()
            event.sequence = Int64(state.events.count + 1)
            event.action = action
            event.payload = payload
            state.events.append(event)
        }
    }

    var fetch: RegistryFeed.Fetch {
        { [self] after, limit in
            try state.withLock { state in
                guard state.reachable else { throw RPCError(.unavailable, "registry down (test)") }
                let events = state.events.filter { $0.sequence > after }.prefix(Int(limit))
                return (Array(events), Int64(state.events.count))
            }
        }
    }

    // MARK: Fixtures

    func organization(_ id: String, type: Recs_Common_V1_OrganizationType, status: Recs_Registry_V1_OrganizationStatus = .active) {
        var organization = Recs_Registry_V1_Organization()
        organization.organizationId = id
        organization.name = "Organization \(id)"
        organization.type = type
        organization.status = status
        publish("CreateOrganization", .organization(organization))
    }

    /// A 2 MW single-fuel solar unit in California (Class B) depositing into `1234ABCD-55ZZ` of A1,
    /// reported by `qre` as `unitID`.
    @discardableResult
    func unit(
        _ id: String, status: Recs_Registry_V1_GeneratingUnitStatus = .approved, qre: String = "A2", reportedAs unitID: String,
        fuel: String = "SO1", multiFuel: Bool = false, organization: String = "A1", deposit: String = "1234ABCD-55ZZ"
    ) -> Recs_Registry_V1_GeneratingUnit {
        var data = Recs_Registry_V1_GeneratingUnitStaticData()
        data.name = "Sunny Acres \(id)"
        data.facilityName = "Sunny Acres"
        data.stateOrProvince = "CA"
        data.country = "US"
        data.multiFuel = multiFuel
        var unitFuel = Recs_Registry_V1_UnitFuel()
        unitFuel.fuelTypeCode = fuel
        unitFuel.fuelSourceCodes = ["solar"]
        data.fuels = [unitFuel]
        data.nameplateCapacityWatts = 2_000_000
        data.capacityFactorPartsPerMillion = 250_000
        var classification = Recs_Registry_V1_ClassificationCharacteristics()
        classification.siting = .wholesale
        data.classification = classification
        var unit = Recs_Registry_V1_GeneratingUnit()
        unit.generatingUnitId = id
        unit.organizationId = organization
        unit.status = status
        unit.staticData = data
        unit.unitClass = .b
        unit.depositSubaccountId = deposit
        var designation = Recs_Registry_V1_ReportingEntityDesignation()
        designation.type = .qualifiedReportingEntity
        designation.reportingEntityOrganizationId = qre
        designation.reportingEntityUnitId = unitID
        unit.reportingEntity = designation
        publish("DesignateReportingEntity", .generatingUnit(unit))
        return unit
    }
}

/// Transfer as issuance sees it: records every DepositCertificates call, fails on demand, and keeps
/// transfer's rule that a batch number is taken once (docs/API.md, idempotency rule 8).
final class FakeDepositor: CertificateDepositor {
    private let state = Mutex<(calls: [Recs_Transfer_V1_DepositCertificatesRequest], taken: [Int64: Recs_Common_V1_CertificateBatch], failing: Bool)>(
        ([], [:], false))

    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    /// Every call, failed ones included.
    var calls: [Recs_Transfer_V1_DepositCertificatesRequest] { state.withLock { $0.calls } }
    /// Batches transfer holds, by number.
    var deposited: [Int64: Recs_Common_V1_CertificateBatch] { state.withLock { $0.taken } }

    func deposit(_ request: Recs_Transfer_V1_DepositCertificatesRequest) async throws {
        try state.withLock { state in
            state.calls.append(request)
            guard !state.failing else { throw RPCError(.unavailable, "transfer down (test)") }
            let batch = request.batch ?? Recs_Common_V1_CertificateBatch()
            if let taken = state.taken[batch.batchNumber], taken != batch {
                throw RPCError(.alreadyExists, "batch \(batch.batchNumber) was deposited with other content")
            }
            state.taken[batch.batchNumber] = batch
        }
    }
}

/// The service's clock, set by the test.
final class ManualClock: Sendable {
    /// The service's simulated clock (ADR 0007), days counted in UTC here.
    let service: ServiceClock

    init(_ text: String) { service = ServiceClock(simulatedFrom: Self.date(text), timeZone: TimeZone(identifier: "UTC")!) }

    /// `YYYY-MM-DD`, noon UTC.
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: "\(text)T12:00:00Z")!
    }

    func set(_ text: String) { service.set(Self.date(text)) }
    var read: @Sendable () -> Date { service.read }
}

struct Harness {
    let client: Recs_Issuance_V1_IssuanceServiceClient
    let registry: FakeRegistry
    let depositor: FakeDepositor
    let clock: ManualClock
    let application: IssuanceApplication
}

/// An issuance service in process on a free loopback port, on a fresh database of `kind`, with a
/// fake registry feed already holding A1 (account holder), A2 and A3 (QREs), A4 (program
/// administrator), and a fake transfer; the clock starts on 2026-03-05. Without a PostgreSQL server
/// the PostgreSQL case is cancelled with a warning (or fails when `CI` is set). `prepare` runs on the
/// fresh database before the service migrates it (data of an earlier schema).
func withIssuance(
    _ kind: TestDatabaseKind, sourceLocation: SourceLocation = #_sourceLocation,
    prepare: (any Database) async throws -> Void = { _ in }, _ body: (Harness) async throws -> Void
) async throws {
    var logger = Logger(label: "issuance-test")
    logger.logLevel = .critical
    let registry = FakeRegistry()
    registry.organization("A1", type: .accountHolder)
    registry.organization("A2", type: .qualifiedReportingEntity)
    registry.organization("A3", type: .qualifiedReportingEntity)
    registry.organization("A4", type: .programAdministrator)
    let depositor = FakeDepositor()
    let clock = ManualClock("2026-03-05")
    try await withServedApplication(kind, sourceLocation: sourceLocation) { testDatabase in
        try await prepare(testDatabase.database)
        return try await IssuanceApplication.build(
            database: testDatabase.database, server: ServerConfiguration(port: 0), registry: registry.fetch,
            transfer: depositor, access: .unenforced, logger: logger, clock: clock.service)
    } _: { application, client, _ in
        try await body(
            Harness(
                client: Recs_Issuance_V1_IssuanceServiceClient(client), registry: registry, depositor: depositor, clock: clock,
                application: application))
    }
}

enum Requests {
    static let header = "UNITID,Vintage,BeginDate,EndDate,TotalMWh"

    /// A generation file: the header, then `lines`.
    static func upload(
        _ requestID: String, reporter: String = "A2", lines: [String], header: String = header,
        onFeasibilityWarning: Recs_Issuance_V1_FeasibilityWarningChoice = .unspecified
    ) -> Recs_Issuance_V1_UploadGenerationFileRequest {
        var request = Recs_Issuance_V1_UploadGenerationFileRequest()
        request.requestId = requestID
        request.reporterOrganizationId = reporter
        request.fileName = "generation.csv"
        request.content = Array(([header] + lines).joined(separator: "\n").utf8)
        request.onFeasibilityWarning = onFeasibilityWarning
        return request
    }

    static func cycle(_ requestID: String, year: Int32, month: Int32) -> Recs_Issuance_V1_RunIssuanceCycleRequest {
        var request = Recs_Issuance_V1_RunIssuanceCycleRequest()
        request.requestId = requestID
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = year
        vintage.month = month
        request.vintage = vintage
        return request
    }

    static func log(_ unitID: String) -> Recs_Issuance_V1_GetGenerationActivityLogRequest {
        var request = Recs_Issuance_V1_GetGenerationActivityLogRequest()
        request.generatingUnitId = unitID
        return request
    }
}

extension Recs_Issuance_V1_IssuanceServiceClient {
    func allEvents() async throws -> [Recs_Issuance_V1_Event] {
        var request = Recs_Issuance_V1_ListEventsRequest()
        request.limit = 1_000
        return try await listEvents(request).events
    }

    func batch(_ number: Int64) async throws -> Recs_Common_V1_CertificateBatch? {
        var request = Recs_Issuance_V1_GetCertificateBatchRequest()
        request.batchNumber = number
        return try await getCertificateBatch(request).batch
    }
}
