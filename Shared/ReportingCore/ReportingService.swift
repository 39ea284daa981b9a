import Domain
import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

/// `recs.reporting.v1.ReportingService`, first slice: the serial number look-up (§20), the public
/// directories of active generators (§19.2.2) and account holders (§19.2.1), the feed positions,
/// and reporting's own (still empty) feed. Answers come from the read models only, never from a
/// call to another service: they reflect the feeds up to the positions reported with them.
///
/// No caller authorization yet: §20 limits the look-up to the administrator and to program
/// administrators on accounts that granted them access (§19.3.2); that needs the caller's identity
/// (docs/API.md, who is calling) and the organizations' `program_access_organization_ids`, which the
/// organizations table already keeps in its records.
public struct ReportingService: Recs_Reporting_V1_ReportingServiceProvider {
    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { ReportingAccessRules.rules }

    public let store: ReportingStore
    let followers: ReportingFollowers
    let logger: Logger

    /// docs/API.md, paging.
    public static let pageSizeDefault = 100
    public static let pageSizeMax = 1_000
    /// Parts of one look-up answer: a range cut into more pieces than this is refused (look up less).
    public static let lookUpPartsMax = 10_000

    public init(store: ReportingStore, followers: ReportingFollowers, logger: Logger) {
        self.store = store
        self.followers = followers
        self.logger = logger
    }

    // MARK: serial number look-up (§20)

    public func lookUpSerialNumbers(
        request: Recs_Reporting_V1_LookUpSerialNumbersRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_LookUpSerialNumbersResponse {
        let range = try SerialRanges.parse(request.serialRange, field: "serial_range")
        let found = try await store.lookUp(range, segmentsMax: Self.lookUpPartsMax)
        try Self.checkKnown(range, found)
        // §20, §19.3.2: every part of the range must be held by an account the caller may look into
        // (its own, one that granted its program access, or any for the administrator).
        for segment in found.segments where segment.range.numbers.intersection(range.numbers) != nil {
            try context.authorize(.lookUpSerials, on: AccessTarget(organizationID: segment.placement.organizationID))
        }
        var response = Recs_Reporting_V1_LookUpSerialNumbersResponse()
        response.statuses = try found.segments.compactMap { segment in
            guard let numbers = segment.range.numbers.intersection(range.numbers) else { return nil }
            return try Self.status(CertificateSerialRange(batch: segment.range.batch, numbers: numbers), segment.placement, found.batch)
        }
        response.positions = try await positions()
        return response
    }

    /// NOT_FOUND naming the serials reporting does not know: a batch no feed has mentioned, a unit
    /// or state that is not the batch's, or numbers outside what was deposited.
    static func checkKnown(_ range: CertificateSerialRange, _ found: ReportingStore.LookUp) throws {
        let identity = found.batch?.identity ?? found.segments.first?.range.batch
        guard let identity, identity == range.batch else {
            throw ServiceErrors.notFound("serial number \(range)", field: "serial_range")
        }
        var next = range.numbers.first
        for segment in found.segments {
            if segment.range.numbers.first > next { break }
            next = max(next, segment.range.numbers.last + 1)
        }
        if next <= range.numbers.last {
            let missingLast = found.segments.first { $0.range.numbers.first > next }.map { $0.range.numbers.first - 1 } ?? range.numbers.last
            let missing = CertificateSerialRange(
                batch: range.batch, numbers: try CertificateNumberRange(first: next, last: min(missingLast, range.numbers.last)))
            throw ServiceErrors.notFound("serial number \(missing)", field: "serial_range")
        }
    }

    static func status(
        _ range: CertificateSerialRange, _ placement: CertificatePlacement, _ batch: ReportingStore.BatchRecord?
    ) throws -> Recs_Reporting_V1_SerialNumberStatus {
        var status = placement.reasons.isEmpty ? Recs_Reporting_V1_SerialNumberStatus() : try Recs_Reporting_V1_SerialNumberStatus(protobufBytes: placement.reasons)
        status.serialRange = SerialRanges.proto(range)
        status.attributes = batch?.attributes
        status.status = placement.status
        var at = Recs_Common_V1_Timestamp()
        at.unixSeconds = placement.changedAtMilliseconds / 1_000
        status.statusChangedAt = at
        status.statusChangedOn = day(ofMilliseconds: placement.changedAtMilliseconds)
        var holder = Recs_Common_V1_Holder()
        holder.organizationId = placement.organizationID
        holder.subaccountId = placement.subaccountID
        holder.subaccountKind = placement.subaccountKind
        status.holder = holder
        return status
    }

    /// The UTC calendar day of an instant (docs/API.md, time).
    static func day(ofMilliseconds milliseconds: Int64) -> Recs_Common_V1_Date {
        let days = Int((Double(milliseconds) / 86_400_000).rounded(.down))
        let date = CalendarDate(daysSince1970: days)
        var proto = Recs_Common_V1_Date()
        proto.year = Int32(date.year)
        proto.month = Int32(date.month)
        proto.day = Int32(date.day)
        return proto
    }

    // MARK: public directories (§19.2)

    /// §19.2.2: approved units, one row per registered fuel. Public and unfiltered: the §19.1
    /// confidentiality threshold applies to statistics (GetCertificateActivityReport), not to this
    /// directory, which the rules publish unit by unit.
    public func listActiveGenerators(
        request: Recs_Reporting_V1_ListActiveGeneratorsRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_ListActiveGeneratorsResponse {
        let size = try Self.pageSize(request.page)
        let after = try Self.generatorToken(request.page?.pageToken ?? "")
        let rows = try await store.activeGenerators(after: after, limit: size + 1)
        var response = Recs_Reporting_V1_ListActiveGeneratorsResponse()
        response.generators = rows.prefix(size).map(Self.listing)
        var page = Recs_Common_V1_PageResponse()
        if rows.count > size, let last = rows.prefix(size).last {
            page.nextPageToken = "\(last.unit.generatingUnitId)/\(last.position)"
        }
        response.page = page
        return response
    }

    static func listing(_ row: ReportingStore.GeneratorRow) -> Recs_Reporting_V1_GeneratorListing {
        let data = row.unit.staticData ?? Recs_Registry_V1_GeneratingUnitStaticData()
        var listing = Recs_Reporting_V1_GeneratorListing()
        listing.generatingUnitId = row.unit.generatingUnitId
        listing.generatingUnitName = data.name
        listing.facilityName = data.facilityName
        listing.stateOrProvince = data.stateOrProvince.uppercased()
        listing.organizationId = row.unit.organizationId
        listing.accountHolderName = row.accountHolderName
        listing.ownershipTypes = data.ownershipTypes
        listing.fuelTypeCode = row.fuelTypeCode
        listing.fuelSourceCodes = row.fuelSourceCodes
        listing.commencedOperationOn = data.commencedOperationOn
        listing.nameplateCapacityWatts = data.nameplateCapacityWatts
        listing.multiFuel = data.multiFuel || data.fuels.count > 1
        return listing
    }

    /// `unit/position` of the last row of the previous page.
    static func generatorToken(_ token: String) throws -> (unit: String, position: Int64)? {
        guard !token.isEmpty else { return nil }
        let parts = token.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let position = Int64(parts[1]), position >= 0 else {
            throw ServiceErrors.invalid("page.page_token", "the page token was not returned by this method (docs/API.md, paging)")
        }
        return (String(parts[0]), position)
    }

    /// §19.2.1: active organizations with name and contact information, filtered by type.
    public func listActiveAccountHolders(
        request: Recs_Reporting_V1_ListActiveAccountHoldersRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_ListActiveAccountHoldersResponse {
        let size = try Self.pageSize(request.page)
        let token = request.page?.pageToken ?? ""
        if !token.isEmpty {
            do throws(RuleViolation) { _ = try OrganizationID(parsing: token) } catch {
                throw ServiceErrors.invalid("page.page_token", "the page token was not returned by this method (docs/API.md, paging)")
            }
        }
        if case .unrecognized = request.type { throw ServiceErrors.invalid("type", "unknown organization type") }
        let rows = try await store.activeOrganizations(type: request.type, after: token.isEmpty ? nil : token, limit: size + 1)
        var response = Recs_Reporting_V1_ListActiveAccountHoldersResponse()
        response.accountHolders = rows.prefix(size).map { organization in
            var listing = Recs_Reporting_V1_AccountHolderListing()
            listing.organizationId = organization.organizationId
            listing.name = organization.name
            listing.type = organization.type
            listing.contact = organization.contact
            return listing
        }
        var page = Recs_Common_V1_PageResponse()
        if rows.count > size, let last = rows.prefix(size).last { page.nextPageToken = last.organizationId }
        response.page = page
        return response
    }

    /// docs/API.md, paging: 0 means 100, more than 1000 means 1000.
    static func pageSize(_ page: Recs_Common_V1_PageRequest?) throws -> Int {
        let requested = page?.pageSize ?? 0
        guard requested >= 0 else { throw ServiceErrors.invalid("page.page_size", "must not be negative") }
        return requested == 0 ? pageSizeDefault : min(Int(requested), pageSizeMax)
    }

    // MARK: feeds

    public func getFeedPositions(
        request: Recs_Reporting_V1_GetFeedPositionsRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_GetFeedPositionsResponse {
        var response = Recs_Reporting_V1_GetFeedPositionsResponse()
        response.positions = try await positions()
        return response
    }

    /// The followed feeds, by producing service: position applied, when, and the newest sequence
    /// the producer reported to this process.
    func positions() async throws -> [Recs_Reporting_V1_FeedPosition] {
        let stored = try await store.feedPositions()
        let feeds = [
            (ReportingFeeds.registryName, Recs_Registry_V1_RegistryService.name),
            (ReportingFeeds.issuanceName, Recs_Issuance_V1_IssuanceService.name),
            (ReportingFeeds.transferName, Recs_Transfer_V1_TransferService.name),
        ]
        return feeds.map { feed, service in
            var position = Recs_Reporting_V1_FeedPosition()
            position.service = service
            position.appliedSequence = stored[feed]?.position ?? 0
            position.lastKnownSequence = max(followers.lastKnownSequence(of: feed), position.appliedSequence)
            if let at = stored[feed]?.updatedAtMilliseconds {
                var timestamp = Recs_Common_V1_Timestamp()
                timestamp.unixSeconds = at / 1_000
                position.appliedAt = timestamp
            }
            return position
        }
    }

    /// Reporting's own feed (docs/API.md, event feeds). Nothing writes to it yet (templates, export
    /// requests and retrievals will), so it is empty with last_sequence 0; the contract holds.
    public func listEvents(
        request: Recs_Reporting_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_ListEventsResponse {
        let after = try EventPaging.after(request.afterSequence)
        let limit = try EventPaging.limit(request.limit)
        let page = try await store.events(after: after, limit: limit)
        var response = Recs_Reporting_V1_ListEventsResponse()
        response.events = page.events
        response.lastSequence = page.last
        return response
    }
}
