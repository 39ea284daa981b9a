import Domain
import Foundation
import GRPCWire
import Ledger
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import Storage

/// `recs.transfer.v1.TransferService`, first slice, over the ``Ledger``: deposits from issuance
/// (§14.2), one-time inter-account transfers (§15.2, §15.3; M-RETS §4.6.1) with their 14-day
/// expiry (``expirePendingTransfers(now:)``), retirement (§16.1) and the event feed. Every other
/// method answers UNIMPLEMENTED (TransferService+Unimplemented.swift).
///
/// Request ids are the ledger's (TigerBeetle-style: same id + same request returns the first
/// outcome; same id + another request is ALREADY_EXISTS). Who is calling is not decided yet
/// (docs/API.md): organization ids in requests are trusted.
public struct TransferService: Recs_Transfer_V1_TransferServiceProvider {
    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { TransferAccessRules.rules }

    public let store: TransferStore
    let logger: Logger
    /// The current time; tests may replace it.
    let clock: @Sendable () -> Date
    /// Follows the registry's feed (subaccounts); caught up on demand when a request names a
    /// subaccount or organization the ledger does not know yet. Nil: subaccounts are registered
    /// directly (tests).
    let registryFeed: RegistryFeed.Follower?

    /// §15.2, §15.3: a pending inter-account transfer expires after 14 days.
    public static let transferLifetime: TimeInterval = 14 * 24 * 60 * 60
    public static let notesCharactersMax = 1_000

    public init(
        store: TransferStore, logger: Logger = Logger(label: "transfer"), clock: @escaping @Sendable () -> Date = { Date() },
        registryFeed: RegistryFeed.Follower? = nil
    ) {
        self.store = store
        self.logger = logger
        self.clock = clock
        self.registryFeed = registryFeed
    }

    /// `lookUp`, and when it finds nothing, again after catching up with the registry's feed (a
    /// subaccount created a moment ago). An unreachable registry leaves the first answer.
    func knownToRegistry<T: Sendable>(_ lookUp: () async throws -> T?) async throws -> T? {
        if let found = try await lookUp() { return found }
        guard let registryFeed else { return nil }
        do {
            try await registryFeed.catchUp()
        } catch {
            logger.warning("could not catch up with the registry's feed", metadata: ["error": "\(error)"])
            return nil
        }
        return try await lookUp()
    }

    var ledger: Ledger { store.ledger }

    // MARK: Errors

    static func status(_ error: LedgerError) -> RPCError {
        switch error.code {
        case .invalidRequest: return RPCError(.invalidArgument, error.message)
        case .ruleViolated:
            if let violation = error.violation { return status(violation) }
            return RPCError(.failedPrecondition, error.message)
        case .notFound: return RPCError(.notFound, error.message)
        case .alreadyExists, .requestIDReused: return RPCError(.alreadyExists, error.message)
        case .conflict: return RPCError(.aborted, error.message)
        case .unavailable: return RPCError(.unavailable, error.message)
        case .conservationBroken, .internalFailure: return RPCError(.internal, error.message)
        }
    }

    static func status(_ violation: RuleViolation, field: String? = nil) -> RPCError {
        let prefix = field.map { "\($0): " } ?? ""
        return RPCError(ServiceErrors.code(of: violation), prefix + violation.description)
    }

    static func invalid(_ field: String, _ message: String) -> RPCError {
        RPCError(.invalidArgument, "\(field): \(message)")
    }

    /// Runs a step, turning domain and ledger errors into statuses.
    func step<T>(field: String? = nil, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as LedgerError {
            throw Self.status(error)
        } catch let violation as RuleViolation {
            throw Self.status(violation, field: field)
        } catch let error as StorageError {
            logger.error("storage failed", metadata: ["error": "\(error.debugDescription)"])
            throw RPCError(.unavailable, "the transfer service's database failed; retry with the same request id")
        }
    }

    static func requestID(_ text: String) throws -> RequestID {
        do throws(LedgerError) { return try RequestID(text) } catch { throw status(error) }
    }

    // MARK: Conversions

    static func timestamp(milliseconds: Int64) -> Recs_Common_V1_Timestamp {
        var proto = Recs_Common_V1_Timestamp()
        proto.unixSeconds = milliseconds / 1_000
        return proto
    }

    static func date(_ date: Date) -> Int64 { TransferStore.milliseconds(date) }

    /// The selections of `items`: a serial range each (quantity alone is not supported yet).
    static func selections(_ items: [Recs_Transfer_V1_TransferItem]) throws -> [CertificateSelection] {
        guard !items.isEmpty else { throw invalid("items", "at least one item is required") }
        guard items.count <= LedgerLimits.selectionsPerRequestMax else {
            throw invalid("items", "at most \(LedgerLimits.selectionsPerRequestMax) items per request")
        }
        return try items.enumerated().map { index, item in
            guard let range = item.serialRange else {
                throw invalid("items[\(index)].serial_range", "a serial range is required (quantity-only items are not supported yet)")
            }
            let serials = try SerialRanges.parse(range, field: "items[\(index)].serial_range")
            if item.quantity != 0, item.quantity != serials.numbers.quantity {
                throw invalid("items[\(index)].quantity", "the quantity must match the serial range (\(serials.numbers.quantity))")
            }
            return .serials(serials)
        }
    }

    /// The one subaccount holding every selected certificate as active (the ledger checks the rest).
    func sourceSubaccount(of selections: [CertificateSelection], organization: String) async throws -> SubaccountID {
        var found: SubaccountID?
        for selection in selections {
            guard case .serials(let serials) = selection else { continue }
            let holdings = try await step { try await ledger.holdings(batchNumber: serials.batch.batchNumber) }
            let containing = holdings.filter {
                $0.serials.batch == serials.batch && $0.serials.numbers.first <= serials.numbers.last
                    && $0.serials.numbers.last >= serials.numbers.first
            }
            // Prefer the active ones (the certificates a request can take).
            guard let first = containing.first(where: { $0.status == .active }) ?? containing.first else {
                throw RPCError(.notFound, "no certificates \(serials) are held (Operating Rules §12.1)")
            }
            if let found, found != first.subaccount {
                throw RPCError(.invalidArgument, "items: every item of one request comes from one subaccount")
            }
            found = first.subaccount
        }
        guard let found else { throw Self.invalid("items", "at least one item is required") }
        let owner = try await step { try await store.subaccount(found.description) }
        guard owner?.organization == organization else {
            throw RPCError(.permissionDenied, "the certificates are not held by organization \(organization)")
        }
        return found
    }

    /// The transfer as `context`'s caller may see it: each party sees its own subaccount and only
    /// the other party's organization (M-RETS shows the destination organization only); a caller
    /// that may view both accounts (the administrator) sees both.
    func transferMessage(_ record: TransferRecord, for context: ServerContext) -> Recs_Transfer_V1_Transfer {
        var proto = transferMessage(record)
        if !context.permits(.viewAccount, on: AccessTarget(organizationID: record.fromOrganization)) { proto.fromSubaccountId = "" }
        if !context.permits(.viewAccount, on: AccessTarget(organizationID: record.toOrganization)) { proto.toSubaccountId = "" }
        return proto
    }

    func transferMessage(_ record: TransferRecord) -> Recs_Transfer_V1_Transfer {
        var proto = Recs_Transfer_V1_Transfer()
        proto.transferId = record.id
        proto.kind = .interAccount
        proto.origin = .oneTime
        proto.state =
            switch record.state {
            case .pending: .pending
            case .completed: .completed
            case .rejected: .rejected
            case .withdrawn: .withdrawn
            case .expired: .expired
            }
        proto.fromOrganizationId = record.fromOrganization
        proto.fromSubaccountId = record.fromSubaccount
        proto.toOrganizationId = record.toOrganization
        proto.toSubaccountId = record.toSubaccount
        proto.serialRanges = record.serials.map(SerialRanges.proto)
        proto.quantity = record.quantity
        proto.requestedAt = Self.timestamp(milliseconds: record.requestedAtMilliseconds)
        proto.expiresAt = Self.timestamp(milliseconds: record.expiresAtMilliseconds)
        if let answered = record.answeredAtMilliseconds {
            proto.answeredAt = Self.timestamp(milliseconds: answered)
            if record.state == .completed { proto.completedAt = proto.answeredAt }
        }
        proto.notes = record.notes
        proto.reason = record.reason
        return proto
    }

    // MARK: Deposits (§14.2)

    public func depositCertificates(
        request: Recs_Transfer_V1_DepositCertificatesRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_DepositCertificatesResponse {
        let requestID = try Self.requestID(request.requestId)
        guard let proto = request.batch else { throw Self.invalid("batch", "the batch is required (§14.2)") }
        let batch = try Self.batch(proto)
        let organization: OrganizationID
        let subaccount: SubaccountID
        do throws(RuleViolation) {
            organization = try OrganizationID(parsing: request.organizationId)
            subaccount = try SubaccountID(parsing: request.depositSubaccountId)
        } catch {
            throw Self.status(error, field: "organization_id/deposit_subaccount_id")
        }
        let now = clock()
        // The deposit subaccount is the unit's Active subaccount (§14.2): the ledger learns it here.
        try await step {
            try await ledger.register(LedgerSubaccount(id: subaccount, organization: organization, kind: .active), at: now)
        }
        do {
            _ = try await ledger.deposit(
                requestID: requestID, batch: batch, into: subaccount, at: now,
                also: TransferStore.eventHook(action: "DepositCertificates", requestID: requestID.description) { change in
                    (EventPayload(kind: .deposit, change: change, batch: batch, organization: organization.description), nil)
                })
        } catch where error.code == .alreadyExists {
            // Exactly once per batch, whatever the request id: the same batch again returns the first placement.
            guard try await step({ try await ledger.batch(number: batch.identity.batchNumber) }) == batch else {
                throw Self.status(error)
            }
            return Self.placements(of: batch, organization: organization, subaccount: subaccount)
        } catch {
            throw Self.status(error)
        }
        return Self.placements(of: batch, organization: organization, subaccount: subaccount)
    }

    /// Where the batch went at deposit: the whole batch into the deposit subaccount (forward
    /// certificate transfers, §15.5, are not implemented yet, so there is one placement).
    static func placements(of batch: CertificateBatch, organization: OrganizationID, subaccount: SubaccountID)
        -> Recs_Transfer_V1_DepositCertificatesResponse
    {
        var response = Recs_Transfer_V1_DepositCertificatesResponse()
        var placement = Recs_Transfer_V1_Placement()
        placement.serialRange = SerialRanges.proto(batch.serialRange)
        var holder = Recs_Common_V1_Holder()
        holder.organizationId = organization.description
        holder.subaccountId = subaccount.description
        holder.subaccountKind = .active
        placement.holder = holder
        placement.status = .active
        response.placements = [placement]
        return response
    }

    static func batch(_ proto: Recs_Common_V1_CertificateBatch) throws -> CertificateBatch {
        guard let attributes = proto.attributes, let vintage = attributes.vintage, let createdOn = attributes.createdOn else {
            throw invalid("batch.attributes", "the vintage and creation date are required (§12.2)")
        }
        guard proto.quantity > 0 else { throw invalid("batch.quantity", "a batch has at least one certificate") }
        do throws(RuleViolation) {
            return try CertificateBatch(
                identity: CertificateBatchIdentity(
                    generatingUnit: GeneratingUnitID(parsing: attributes.generatingUnitId),
                    location: StateOrProvinceCode(parsing: attributes.stateOrProvince), batchNumber: proto.batchNumber),
                vintage: Vintage(year: Int(vintage.year), month: Int(vintage.month)),
                fuelType: FuelType(code: attributes.fuelTypeCode), quantity: proto.quantity,
                createdOn: CalendarDate(year: Int(createdOn.year), month: Int(createdOn.month), day: Int(createdOn.day)))
        } catch {
            throw status(error, field: "batch")
        }
    }

    // MARK: One-time inter-account transfers (§15.2, §15.3; M-RETS §4.6.1)

    public func requestInterAccountTransfer(
        request: Recs_Transfer_V1_RequestInterAccountTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_RequestInterAccountTransferResponse {
        let requestID = try Self.requestID(request.requestId)
        guard request.executionDate == nil else {
            throw RPCError(.unimplemented, "RequestInterAccountTransfer with an execution_date is not implemented yet")
        }
        guard request.notes.count <= Self.notesCharactersMax else {
            throw Self.invalid("notes", "at most \(Self.notesCharactersMax) characters")
        }
        guard !request.toOrganizationId.isEmpty, request.toOrganizationId != request.organizationId else {
            throw Self.invalid("to_organization_id", "another organization is required (§15.2; §15.1 covers the same organization)")
        }
        let selections = try Self.selections(request.items)
        // A retry after the ledger froze them: answer from the record.
        if let existing = try await step({ try await store.transfer(id: requestID.description) }) {
            guard existing.fromOrganization == request.organizationId, existing.toOrganization == request.toOrganizationId,
                existing.serials == selections.map({ $0.serialsOrNil! }), existing.notes == request.notes
            else {
                throw RPCError(.alreadyExists, "request id \(requestID) was used for another request")
            }
            try context.authorize(
                .manageCertificates, on: AccessTarget(organizationID: existing.fromOrganization, subaccountID: existing.fromSubaccount))
            var response = Recs_Transfer_V1_RequestInterAccountTransferResponse()
            response.transfer = transferMessage(existing, for: context)
            return response
        }
        try context.authorize(.manageCertificates, on: AccessTarget(organizationID: request.organizationId))
        let source = try await sourceSubaccount(of: selections, organization: request.organizationId)
        try context.authorize(
            .manageCertificates, on: AccessTarget(organizationID: request.organizationId, subaccountID: source.description))
        guard
            let destinationText = try await knownToRegistry({
                try await step { try await store.defaultActiveSubaccount(of: request.toOrganizationId) }
            })
        else {
            throw RPCError(.notFound, "organization \(request.toOrganizationId) has no Active subaccount known to the transfer service")
        }
        let destination = try SubaccountID(parsing: destinationText)
        let hold = try HoldID(requestID.description)
        let now = clock()
        let makeRecord: @Sendable (LedgerChange) -> TransferRecord = { change in
            let at = Self.date(change.at)
            return TransferRecord(
                id: requestID.description, state: .pending, fromOrganization: request.organizationId,
                fromSubaccount: source.description, toOrganization: request.toOrganizationId, toSubaccount: destination.description,
                serials: change.serials, quantity: change.quantity, requestedAtMilliseconds: at,
                expiresAtMilliseconds: at + Int64(Self.transferLifetime * 1_000), answeredAtMilliseconds: nil, notes: request.notes,
                reason: "")
        }
        let change = try await step {
            try await ledger.freezeForTransfer(
                requestID: requestID, hold: hold, selections: selections, from: source, to: destination, at: now,
                also: TransferStore.eventHook(action: "RequestInterAccountTransfer", requestID: requestID.description) { change in
                    let record = makeRecord(change)
                    return (EventPayload(kind: .transfer, transfer: record, change: change), record)
                })
        }
        let record = makeRecord(change)
        var response = Recs_Transfer_V1_RequestInterAccountTransferResponse()
        response.transfer = transferMessage(record, for: context)
        return response
    }

    enum Ending {
        case accept, reject(reason: String), withdraw, expire

        var state: TransferRecord.State {
            switch self {
            case .accept: .completed
            case .reject: .rejected
            case .withdraw: .withdrawn
            case .expire: .expired
            }
        }

        var action: String {
            switch self {
            case .accept: "AcceptTransfer"
            case .reject: "RejectTransfer"
            case .withdraw: "WithdrawTransfer"
            case .expire: "TransferExpired"
            }
        }
    }

    /// Ends a pending transfer: the ledger completes or releases the hold, then the record and its
    /// event are written. A retry (same request id) after the end returns the ended transfer.
    func end(
        _ transferID: String, requestID: RequestID, _ ending: Ending, at now: Date,
        authorize: (TransferRecord) throws -> Void = { _ in }
    ) async throws -> TransferRecord {
        guard var record = try await step({ try await store.transfer(id: transferID) }) else {
            throw RPCError(.notFound, "transfer \(transferID) does not exist")
        }
        try authorize(record)
        if record.state != .pending {
            // A retry of the request that ended it gets the same answer; anything else is too late.
            if record.state == ending.state, record.endedBy == requestID.description {
                return record
            }
            throw RPCError(
                .failedPrecondition, "transfer \(transferID) is \(record.state.rawValue), no longer pending (Operating Rules §15.2)")
        }
        let hold = try HoldID(transferID)
        let pending = record
        let ended: @Sendable (LedgerChange) -> TransferRecord = { change in
            var record = pending
            record.state = ending.state
            record.answeredAtMilliseconds = Self.date(change.at)
            record.endedBy = requestID.description
            if case .reject(let reason) = ending { record.reason = reason }
            return record
        }
        let hook = TransferStore.eventHook(action: ending.action, requestID: requestID.description) { change in
            let record = ended(change)
            return (EventPayload(kind: .transfer, transfer: record, change: change), record)
        }
        let change = try await step { () async throws -> LedgerChange in
            if case .accept = ending {
                return try await ledger.completeTransfer(requestID: requestID, hold: hold, at: now, also: hook)
            }
            return try await ledger.releaseTransfer(requestID: requestID, hold: hold, at: now, also: hook)
        }
        record = ended(change)
        return record
    }

    /// Only the recipient (by organization, when the caller says who it is) accepts or rejects;
    /// `to_subaccount_id` must be the Active subaccount chosen at request (others: not yet).
    public func acceptTransfer(
        request: Recs_Transfer_V1_AcceptTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_AcceptTransferResponse {
        let requestID = try Self.requestID(request.requestId)
        if !request.toSubaccountId.isEmpty,
            let record = try await step({ try await store.transfer(id: request.transferId) }),
            record.toSubaccount != request.toSubaccountId
        {
            throw RPCError(.unimplemented, "AcceptTransfer into another than the recipient's default Active subaccount is not implemented yet")
        }
        var response = Recs_Transfer_V1_AcceptTransferResponse()
        let ended = try await end(request.transferId, requestID: requestID, .accept, at: clock()) { record in
            try Self.authorizeRecipient(record, context)
        }
        response.transfer = transferMessage(ended, for: context)
        return response
    }

    public func rejectTransfer(
        request: Recs_Transfer_V1_RejectTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_RejectTransferResponse {
        let requestID = try Self.requestID(request.requestId)
        guard request.reason.count <= Self.notesCharactersMax else {
            throw Self.invalid("reason", "at most \(Self.notesCharactersMax) characters")
        }
        var response = Recs_Transfer_V1_RejectTransferResponse()
        let ended = try await end(request.transferId, requestID: requestID, .reject(reason: request.reason), at: clock()) { record in
            try Self.authorizeRecipient(record, context)
        }
        response.transfer = transferMessage(ended, for: context)
        return response
    }

    public func withdrawTransfer(
        request: Recs_Transfer_V1_WithdrawTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_WithdrawTransferResponse {
        let requestID = try Self.requestID(request.requestId)
        var response = Recs_Transfer_V1_WithdrawTransferResponse()
        let ended = try await end(request.transferId, requestID: requestID, .withdraw, at: clock()) { record in
            // §15.2: the transferor withdraws, with Certificate Management over the source subaccount.
            try context.authorize(
                .manageCertificates, on: AccessTarget(organizationID: record.fromOrganization, subaccountID: record.fromSubaccount))
        }
        response.transfer = transferMessage(ended, for: context)
        return response
    }

    /// §15.2: only the recipient answers, with Certificate Management over the receiving subaccount.
    static func authorizeRecipient(_ record: TransferRecord, _ context: ServerContext) throws {
        try context.authorize(
            .manageCertificates, on: AccessTarget(organizationID: record.toOrganization, subaccountID: record.toSubaccount))
    }

    public func getTransfer(
        request: Recs_Transfer_V1_GetTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_GetTransferResponse {
        guard let record = try await step({ try await store.transfer(id: request.transferId) }) else {
            throw RPCError(.notFound, "transfer \(request.transferId) does not exist")
        }
        // Either party may read it; anybody else learns nothing, not even that it exists.
        guard context.permits(.viewAccount, on: AccessTarget(organizationID: record.fromOrganization))
            || context.permits(.viewAccount, on: AccessTarget(organizationID: record.toOrganization))
        else {
            throw RPCError(.notFound, "transfer \(request.transferId) does not exist")
        }
        var response = Recs_Transfer_V1_GetTransferResponse()
        response.transfer = transferMessage(record, for: context)
        return response
    }

    /// §15.2, §15.3; M-RETS §4.6.1: pending transfers older than 14 days at `now` expire and the
    /// certificates go back to the transferor, active. Idempotent (request id `expire:<transfer>`);
    /// returns the transfers it expired. The executable calls it periodically; tests pass a time.
    @discardableResult
    public func expirePendingTransfers(now: Date) async throws -> [TransferRecord] {
        var expired: [TransferRecord] = []
        for record in try await store.expiredTransfers(at: now) {
            let requestID = try Self.requestID("expire:\(record.id)")
            do {
                expired.append(try await end(record.id, requestID: requestID, .expire, at: now))
            } catch let error as RPCError where error.code == .failedPrecondition {
                continue  // answered meanwhile
            }
        }
        return expired
    }

    // MARK: Retirement (§16.1)

    public func retireCertificates(
        request: Recs_Transfer_V1_RetireCertificatesRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_RetireCertificatesResponse {
        let requestID = try Self.requestID(request.requestId)
        let selections = try Self.selections(request.items)
        guard let reasonProto = request.reason else { throw Self.invalid("reason", "a retirement reason is required (§16.1)") }
        let reason: RetirementReason
        do {
            let details = reasonProto.details.isEmpty ? nil : reasonProto.details
            switch reasonProto.category {
            case .program: reason = try RetirementReason(.program(EligibilityProgram(code: reasonProto.programCode)), details: details)
            case .voluntaryMarketActivity: reason = try RetirementReason(.voluntaryMarketActivity, details: details)
            case .other: reason = try RetirementReason(.other, details: details)
            case .administrative, .unspecified, .unrecognized:
                throw Self.invalid("reason.category", "program, voluntary market activity or other (§16.1)")
            }
        } catch let violation as RuleViolation {
            throw Self.status(violation, field: "reason")
        }
        let retirement: SubaccountID
        do throws(RuleViolation) { retirement = try SubaccountID(parsing: request.retirementSubaccountId) } catch {
            throw Self.status(error, field: "retirement_subaccount_id")
        }
        // A retry answers from the first outcome (the certificates are no longer where they were).
        if let first = try await step({ try await store.event(action: "RetireCertificates", requestID: requestID.description) }),
            let change = first.payload.change
        {
            try context.authorize(
                .manageCertificates,
                on: AccessTarget(organizationID: first.payload.fromOrganization, subaccountID: first.payload.fromSubaccount))
            guard first.payload.fromOrganization == request.organizationId, first.payload.reason == reason,
                change.serials == selections.compactMap(\.serialsOrNil), change.subaccount == retirement
            else {
                throw RPCError(.alreadyExists, "request id \(requestID) was already used for a different request; use a new id")
            }
            var response = Recs_Transfer_V1_RetireCertificatesResponse()
            response.transaction = Self.ledgerTransaction(
                change, fromOrganization: request.organizationId, fromSubaccount: first.payload.fromSubaccount ?? "", reason: reasonProto)
            return response
        }
        // A Retirement subaccount opened a moment ago may not have reached the ledger yet.
        try context.authorize(.manageCertificates, on: AccessTarget(organizationID: request.organizationId))
        _ = try await knownToRegistry { try await step { try await store.subaccount(retirement.description) } }
        let source = try await sourceSubaccount(of: selections, organization: request.organizationId)
        try context.authorize(
            .manageCertificates, on: AccessTarget(organizationID: request.organizationId, subaccountID: source.description))
        let now = clock()
        let change = try await step {
            try await ledger.retire(
                requestID: requestID, selections: selections, from: source, to: retirement, reason: reason, at: now,
                also: TransferStore.eventHook(action: "RetireCertificates", requestID: requestID.description) { change in
                    (
                        EventPayload(
                            kind: .retirement, change: change, fromOrganization: request.organizationId,
                            fromSubaccount: source.description, reason: reason), nil
                    )
                })
        }
        var response = Recs_Transfer_V1_RetireCertificatesResponse()
        response.transaction = Self.ledgerTransaction(
            change, fromOrganization: request.organizationId, fromSubaccount: source.description, reason: reasonProto)
        return response
    }

    /// The domain's retirement reason as the API spells it (§16.1).
    static func retirementReason(_ reason: RetirementReason) -> Recs_Common_V1_RetirementReason {
        var proto = Recs_Common_V1_RetirementReason()
        switch reason.category {
        case .program(let program):
            proto.category = .program
            proto.programCode = program.code
        case .voluntaryMarketActivity: proto.category = .voluntaryMarketActivity
        case .other: proto.category = .other
        }
        proto.details = reason.details ?? ""
        return proto
    }

    static func ledgerTransaction(
        _ change: LedgerChange, fromOrganization: String, fromSubaccount: String, reason: Recs_Common_V1_RetirementReason?
    ) -> Recs_Transfer_V1_LedgerTransaction {
        var proto = Recs_Transfer_V1_LedgerTransaction()
        proto.transactionId = change.requestID.description
        proto.kind = .retirement
        proto.serialRanges = change.serials.map(SerialRanges.proto)
        proto.quantity = change.quantity
        var from = Recs_Common_V1_Holder()
        from.organizationId = fromOrganization
        from.subaccountId = fromSubaccount
        from.subaccountKind = .active
        proto.from = from
        var to = Recs_Common_V1_Holder()
        to.organizationId = fromOrganization
        to.subaccountId = change.subaccount.description
        to.subaccountKind = .retirement
        proto.to = to
        proto.executedAt = timestamp(milliseconds: TransferStore.milliseconds(change.at))
        proto.retirementReason = reason
        return proto
    }

    // MARK: Holdings (§6.1.3, §6.2.3, §6.3.3, §6.4.3)

    /// Totals by subaccount kind and status over the organization's subaccounts, and its open
    /// transactions (§5.2.1; only pending inter-account transfers exist in this slice).
    public func getHoldingsSummary(
        request: Recs_Transfer_V1_GetHoldingsSummaryRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_GetHoldingsSummaryResponse {
        guard !request.organizationId.isEmpty else { throw Self.invalid("organization_id", "the organization is required") }
        try context.authorize(.viewAccount, on: AccessTarget(organizationID: request.organizationId))
        var totals: [String: (kind: SubaccountKind, status: CertificateLifecycle.Kind, quantity: Int64)] = [:]
        for (id, kindText) in try await step({ try await store.subaccounts(of: request.organizationId) }) {
            guard let kind = SubaccountKind(rawValue: kindText) else { continue }
            let subaccount = try SubaccountID(parsing: id)
            for holding in try await step({ try await ledger.holdings(in: subaccount) }) {
                let key = "\(kind.rawValue)/\(holding.status)"
                totals[key, default: (kind, holding.status, 0)].quantity += holding.serials.numbers.quantity
            }
        }
        var response = Recs_Transfer_V1_GetHoldingsSummaryResponse()
        response.totals = totals.sorted { $0.key < $1.key }.map { _, total in
            var proto = Recs_Transfer_V1_HoldingsTotal()
            proto.subaccountKind =
                switch total.kind {
                case .active: .active
                case .retirement: .retirement
                case .reserve: .reserve
                case .export: .export
                }
            proto.status =
                switch total.status {
                case .active: .active
                case .pendingTransfer: .pendingTransfer
                case .retired: .retired
                case .reserved: .reserved
                case .exportPending: .exportPending
                case .exported: .exported
                }
            proto.quantity = total.quantity
            return proto
        }
        response.openTransactionCount = Int32(clamping: try await step { try await store.pendingTransferCount(of: request.organizationId) })
        return response
    }

    // MARK: Event feed (docs/API.md, event-feed contract)

    public func listEvents(
        request: Recs_Transfer_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_ListEventsResponse {
        let after = try EventPaging.after(request.afterSequence)
        let limit = try EventPaging.limit(request.limit)
        let (events, last) = try await step { try await store.events(after: after, limit: limit) }
        var response = Recs_Transfer_V1_ListEventsResponse()
        response.lastSequence = last
        response.events = events.map { event in
            var proto = Recs_Transfer_V1_Event()
            proto.sequence = event.sequence
            proto.at = Self.timestamp(milliseconds: event.atMilliseconds)
            proto.action = event.action
            proto.requestId = event.requestID
            switch event.payload.kind {
            case .transfer:
                if let transfer = event.payload.transfer { proto.transfer = transferMessage(transfer) }
            case .retirement:
                if let change = event.payload.change {
                    proto.ledgerTransaction = Self.ledgerTransaction(
                        change, fromOrganization: event.payload.fromOrganization ?? "",
                        fromSubaccount: event.payload.fromSubaccount ?? "", reason: event.payload.reason.map(Self.retirementReason))
                }
            case .deposit:
                if let batch = event.payload.batch, let change = event.payload.change {
                    var deposited = Recs_Transfer_V1_CertificatesDeposited()
                    var protoBatch = Recs_Common_V1_CertificateBatch()
                    protoBatch.batchNumber = batch.identity.batchNumber
                    protoBatch.serialRange = SerialRanges.proto(batch.serialRange)
                    protoBatch.quantity = batch.certificates.quantity
                    deposited.batch = protoBatch
                    var placement = Recs_Transfer_V1_Placement()
                    placement.serialRange = SerialRanges.proto(batch.serialRange)
                    var holder = Recs_Common_V1_Holder()
                    holder.organizationId = event.payload.organization ?? ""
                    holder.subaccountId = change.subaccount.description
                    holder.subaccountKind = .active
                    placement.holder = holder
                    placement.status = .active
                    deposited.placements = [placement]
                    proto.certificatesDeposited = deposited
                }
            }
            return proto
        }
        return response
    }
}

extension CertificateSelection {
    var serialsOrNil: CertificateSerialRange? {
        if case .serials(let range) = self { range } else { nil }
    }
}
