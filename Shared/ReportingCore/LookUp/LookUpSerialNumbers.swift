import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §20 LookUpSerialNumbers: the status, holder and attributes of every part of a serial range, from
/// the read models, with the feed positions they reflect, in pages of parts keyed by certificate
/// number (docs/API.md, Paging): a page ends at the last certificate of its last part and the next
/// starts at the one after it, so the pages cover the range exactly once however many parts it has.
struct LookUpSerialNumbers {
    let store: ReportingStore
    let followers: ReportingFollowers

    func handle(
        _ request: Recs_Reporting_V1_LookUpSerialNumbersRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_LookUpSerialNumbersResponse {
        let range = try SerialRanges.parse(request.serialRange, field: "serial_range")
        let paging = try Paging(request.page)
        // The previous page's last certificate: inside the range and before its end.
        let after = try paging.after { token in
            Int64(token).flatMap { String($0) == token && range.numbers.first <= $0 && $0 < range.numbers.last ? $0 : nil }
        }
        let page = try CertificateNumberRange(first: after.map { $0 + 1 } ?? range.numbers.first, last: range.numbers.last)
        let found = try await store.lookUp(range, from: page.first, limit: paging.size + 1)
        try Self.checkKnown(range, found)
        let parts = found.segments.compactMap { segment in
            segment.range.numbers.intersection(page).map { CertificateSegment(range: CertificateSerialRange(batch: range.batch, numbers: $0), placement: segment.placement) }
        }
        var response = Recs_Reporting_V1_LookUpSerialNumbersResponse()
        (response.statuses, response.page) = paging.fill(
            try parts.map { part in (String(part.range.numbers.last), try Self.status(part.range, part.placement, found.batch)) })
        let shown = parts.prefix(response.statuses.count)
        try Self.checkPlaced(page, shown)
        // §20, §19.3.2: every part on the page must be held by an account the caller may look into
        // (its own, one that granted its program access, or any for the administrator).
        for part in shown {
            try context.authorize(.lookUpSerials, on: AccessTarget(organizationID: part.placement.organizationID))
        }
        response.positions = try await GetFeedPositions(store: store, followers: followers).positions()
        return response
    }

    /// NOT_FOUND naming the serials reporting does not know (a batch no feed has mentioned, or
    /// numbers beyond what was deposited); INVALID_ARGUMENT for a unit or state that is not the
    /// batch's. Checked on every page, from the batch and the range's last certificate.
    static func checkKnown(_ range: CertificateSerialRange, _ found: ReportingStore.LookUp) throws {
        let identity = found.batch?.identity ?? found.segments.first?.range.batch ?? found.atRangeEnd?.range.batch
        guard let identity else {
            throw ServiceErrors.notFound("serial number \(range)", field: "serial_range")
        }
        // A range whose unit or state is not its batch's contradicts itself (§12.1): malformed,
        // not missing.
        guard identity == range.batch else {
            throw ServiceErrors.status(
                RuleViolation(
                    .serialNumberMalformed,
                    "\(range) names batch \(identity.batchNumber) with the wrong unit or location; the batch is \(identity)",
                    section: "Operating Rules §12.1, §20"),
                field: "serial_range")
        }
        let placedThrough = found.atRangeEnd?.range.numbers.last ?? 0
        if placedThrough < range.numbers.last {
            let missing = CertificateSerialRange(
                batch: range.batch,
                numbers: try CertificateNumberRange(first: max(range.numbers.first, placedThrough + 1), last: range.numbers.last))
            throw ServiceErrors.notFound("serial number \(missing)", field: "serial_range")
        }
    }

    /// NOT_FOUND naming the first stretch of the page's certificates no feed has placed (the feeds
    /// are independent: a movement can arrive before the deposit it moves from).
    static func checkPlaced(_ page: CertificateNumberRange, _ shown: ArraySlice<CertificateSegment>) throws {
        var next = page.first
        for part in shown {
            if part.range.numbers.first > next {
                let missing = CertificateSerialRange(
                    batch: part.range.batch, numbers: try CertificateNumberRange(first: next, last: part.range.numbers.first - 1))
                throw ServiceErrors.notFound("serial number \(missing)", field: "serial_range")
            }
            next = part.range.numbers.last + 1
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
}
