import Domain
import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

/// `recs.issuance.v1.IssuanceService`, first slice: generation uploads posted to the Generation
/// Activity Log, issuance cycles that turn accepted generation into certificate batches deposited
/// through transfer, and the reads and event feed around them. Every other method answers
/// UNIMPLEMENTED (the generated default of every method not implemented here).
///
/// Who is calling is not decided yet (docs/API.md, "Who is calling"): the uploader is the
/// `reporter_organization_id` the request names, request ids are scoped to the whole service, and
/// events carry no actor.
public struct IssuanceService: Recs_Issuance_V1_IssuanceServiceProvider {
    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { IssuanceAccessRules.rules }

    public let store: IssuanceStore
    let registry: FeedFollower<Recs_Registry_V1_Event>
    let deposits: DepositQueue
    let logger: Logger
    let clock: @Sendable () -> Date

    /// docs/API.md, idempotency rule 1.
    public static let requestIDCharactersMax = RequestJournal.requestIDCharactersMax
    /// docs/API.md, paging.
    public static let pageSizeMax = 1_000
    public static let pageSizeDefault = 100

    init(
        store: IssuanceStore, registry: FeedFollower<Recs_Registry_V1_Event>, deposits: DepositQueue, logger: Logger,
        clock: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.registry = registry
        self.deposits = deposits
        self.logger = logger
        self.clock = clock
    }

    // MARK: Reads

    public func getGenerationUpload(
        request: Recs_Issuance_V1_GetGenerationUploadRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetGenerationUploadResponse {
        let uploadID = request.uploadId
        guard !uploadID.isEmpty else { throw ServiceErrors.invalid("upload_id", "is required") }
        return try await store.read { transaction in
            guard let upload = try transaction.upload(uploadID) else {
                throw ServiceErrors.notFound("upload \(uploadID)", field: "upload_id")
            }
            // The organization that loaded it (and the administrator) reads its report.
            try context.authorize(.viewAccount, on: AccessTarget(organizationID: upload.reporterOrganizationId))
            var response = Recs_Issuance_V1_GetGenerationUploadResponse()
            response.upload = upload
            return response
        }
    }

    /// §12.6: the unit's log, oldest entry first, and its balance now.
    public func getGenerationActivityLog(
        request: Recs_Issuance_V1_GetGenerationActivityLogRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetGenerationActivityLogResponse {
        guard request.vintages == nil else {
            throw RPCError(.unimplemented, "GetGenerationActivityLog with vintages is not implemented yet")
        }
        let unitID = try Self.unitID(request.generatingUnitId, field: "generating_unit_id")
        let (size, after) = try Self.page(request.page)
        return try await store.read { transaction in
            guard let unit = try transaction.unit(unitID) else {
                throw ServiceErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
            }
            // §12.6: the unit's account; its designated reporting entity sees what it reported.
            if !context.permits(.reportGeneration, on: Self.target(unit)) {
                try context.authorize(.viewAccount, on: Self.target(unit))
            }
            let rows = try transaction.logEntries(unitID: unitID, afterNumber: after, limit: size + 1)
            var response = Recs_Issuance_V1_GetGenerationActivityLogResponse()
            response.generatingUnitId = unitID
            response.balance = IssuanceCodes.energy(unit.balanceKilowattHours)
            response.entries = rows.prefix(size).map(\.entry)
            response.page = Self.nextPage(rows.count > size ? rows.prefix(size).last?.number : nil)
            return response
        }
    }

    public func getIssuanceCycle(
        request: Recs_Issuance_V1_GetIssuanceCycleRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetIssuanceCycleResponse {
        let cycle: Recs_Issuance_V1_IssuanceCycle
        switch request.cycle {
        case .issuanceCycleId(let id):
            cycle = try await store.read { transaction in
                guard let cycle = try transaction.cycle(id: id) else {
                    throw ServiceErrors.notFound("issuance cycle \(id)", field: "issuance_cycle_id")
                }
                return cycle
            }
        case .vintage(let proto):
            let vintage = try Self.vintage(proto, field: "vintage")
            cycle = try await store.read { transaction in
                guard let cycle = try transaction.cycle(vintage: vintage) else {
                    throw ServiceErrors.notFound("the issuance cycle of \(vintage)", field: "vintage")
                }
                return cycle
            }
        case nil:
            throw ServiceErrors.invalid("cycle", "give issuance_cycle_id or vintage")
        }
        var response = Recs_Issuance_V1_GetIssuanceCycleResponse()
        response.cycle = try await withUnits(cycle)
        return response
    }

    /// Cycles in vintage order, without `units` (GetIssuanceCycle has them).
    public func listIssuanceCycles(
        request: Recs_Issuance_V1_ListIssuanceCyclesRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_ListIssuanceCyclesResponse {
        let (size, after) = try Self.page(request.page)
        let vintages = try Self.vintageRange(request.vintages)
        return try await store.read { transaction in
            let rows = try transaction.cycles(afterVintageIndex: after, limit: size + 1, vintages: vintages)
            var response = Recs_Issuance_V1_ListIssuanceCyclesResponse()
            response.cycles = rows.prefix(size).map(\.cycle)
            response.page = Self.nextPage(rows.count > size ? rows.prefix(size).last?.vintageIndex : nil)
            return response
        }
    }

    /// The cycle with its per-unit outcomes and deposit state as they are now.
    func withUnits(_ cycle: Recs_Issuance_V1_IssuanceCycle) async throws -> Recs_Issuance_V1_IssuanceCycle {
        let id = cycle.issuanceCycleId
        var cycle = cycle
        cycle.units = try await store.read { transaction in try transaction.unitResults(cycleID: id) }
        return cycle
    }

    public func getCertificateBatch(
        request: Recs_Issuance_V1_GetCertificateBatchRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetCertificateBatchResponse {
        let number = request.batchNumber
        guard number >= 1 else { throw ServiceErrors.invalid("batch_number", "must be 1 or more") }
        return try await store.read { transaction in
            guard let (batch, cycleID) = try transaction.batch(number: number) else {
                throw ServiceErrors.notFound("batch \(number)", field: "batch_number")
            }
            // The issuing unit's account; later holders read the certificates through reporting's look-up.
            try Self.authorizeUnitRead(batch.attributes?.generatingUnitId ?? "", context, &transaction)
            var response = Recs_Issuance_V1_GetCertificateBatchResponse()
            response.batch = batch
            response.issuanceCycleId = cycleID
            return response
        }
    }

    public func listCertificateBatches(
        request: Recs_Issuance_V1_ListCertificateBatchesRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_ListCertificateBatchesResponse {
        let (size, after) = try Self.page(request.page)
        let unitID = request.generatingUnitId.isEmpty ? nil : try Self.unitID(request.generatingUnitId, field: "generating_unit_id")
        let cycleID = request.issuanceCycleId.isEmpty ? nil : request.issuanceCycleId
        let filter = try Self.vintageRange(request.vintages)
        return try await store.read { transaction in
            if let unitID {
                try Self.authorizeUnitRead(unitID, context, &transaction)
            } else if !context.permits(.administer, on: AccessTarget()) {
                throw ServiceErrors.invalid(
                    "generating_unit_id", "is required: only the administrator lists the batches of every unit (Operating Rules §7)")
            }
            let batches = try transaction.batches(afterNumber: after, limit: size + 1, unitID: unitID, cycleID: cycleID, vintages: filter)
            var response = Recs_Issuance_V1_ListCertificateBatchesResponse()
            response.batches = Array(batches.prefix(size))
            response.page = Self.nextPage(batches.count > size ? batches.prefix(size).last?.batchNumber : nil)
            return response
        }
    }

    /// The policy's target for a unit: its account, and its designated reporting entity.
    static func target(_ unit: StoredUnit) -> AccessTarget {
        let entity = unit.record.reportingEntity?.reportingEntityOrganizationId ?? ""
        return AccessTarget(
            organizationID: unit.record.organizationId, generatingUnitID: unit.id, reportingEntity: entity.isEmpty ? nil : entity)
    }

    /// The unit's account (and the administrator) may read what issuance holds about it; anybody
    /// else is refused. A unit issuance does not know is NOT_FOUND to everyone.
    static func authorizeUnitRead(_ unitID: String, _ context: ServerContext, _ transaction: inout JournalTransaction) throws {
        guard let unit = try transaction.unit(unitID) else {
            throw ServiceErrors.notFound("generating unit \(unitID)", field: "generating_unit_id")
        }
        try context.authorize(.viewAccount, on: Self.target(unit))
    }

    // MARK: Event feed

    public func listEvents(
        request: Recs_Issuance_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_ListEventsResponse {
        let after = try EventPaging.after(request.afterSequence)
        let limit = try EventPaging.limit(request.limit)
        return try await store.read { transaction in
            var response = Recs_Issuance_V1_ListEventsResponse()
            response.events = try transaction.chainedEvents(after: after, limit: limit, as: Recs_Issuance_V1_Event.self)
            response.lastSequence = try transaction.lastEventSequence()
            return response
        }
    }

    // MARK: Helpers

    /// Runs `body` once per request id (ServiceKit's RequestJournal.mutate).
    func mutate<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, requestID: String, actor: Recs_Common_V1_Actor, clearing: (inout Request) -> Void,
        _ body: @escaping @Sendable (inout JournalTransaction) throws -> Response
    ) async throws -> Response {
        try await store.journal.mutate(method, request, requestID: requestID, now: clock(), actor: actor, clearing: clearing, body)
    }

    static func checkRequestID(_ requestID: String) throws {
        try RequestJournal.checkRequestID(requestID)
    }

    static func parse<T>(field: String, _ parse: () throws(RuleViolation) -> T) throws -> T {
        do {
            return try parse()
        } catch {
            throw ServiceErrors.status(error, field: field)
        }
    }

    static func unitID(_ text: String, field: String) throws -> String {
        try parse(field: field) { () throws(RuleViolation) in try GeneratingUnitID(parsing: text) }.description
    }

    static func vintage(_ proto: Recs_Common_V1_Vintage, field: String) throws -> Vintage {
        try parse(field: field) { () throws(RuleViolation) in try IssuanceCodes.domain(proto) }
    }

    /// A `VintageRange` filter as `vintage_index` bounds; nil when absent.
    static func vintageRange(_ range: Recs_Common_V1_VintageRange?) throws -> ClosedRange<Int64>? {
        guard let range else { return nil }
        let first = try vintage(range.first ?? Recs_Common_V1_Vintage(), field: "vintages.first")
        let last = try vintage(range.last ?? Recs_Common_V1_Vintage(), field: "vintages.last")
        guard first <= last else { throw ServiceErrors.invalid("vintages", "first is after last") }
        return IssuanceCodes.index(first)...IssuanceCodes.index(last)
    }

    /// docs/API.md, paging: the page size (0 means 100, at most 1000) and the number the page
    /// token says the previous page ended at.
    static func page(_ page: Recs_Common_V1_PageRequest?) throws -> (size: Int, after: Int64) {
        let page = page ?? Recs_Common_V1_PageRequest()
        guard page.pageSize >= 0 else { throw ServiceErrors.invalid("page.page_size", "must not be negative") }
        let size = page.pageSize == 0 ? pageSizeDefault : min(Int(page.pageSize), pageSizeMax)
        guard !page.pageToken.isEmpty else { return (size, 0) }
        guard let after = Int64(page.pageToken), after >= 0 else {
            throw ServiceErrors.invalid("page.page_token", "was not returned by this method")
        }
        return (size, after)
    }

    static func nextPage(_ lastNumber: Int64?) -> Recs_Common_V1_PageResponse {
        var page = Recs_Common_V1_PageResponse()
        if let lastNumber { page.nextPageToken = String(lastNumber) }
        return page
    }

    /// The registry's calendar day (UTC) of an instant.
    static func day(_ instant: Date) -> CalendarDate {
        CalendarDate(instant, in: TimeZone(identifier: "UTC")!)
    }
}
