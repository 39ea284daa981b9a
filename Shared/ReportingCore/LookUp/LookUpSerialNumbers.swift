import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §20 LookUpSerialNumbers: the status, holder and attributes of every part of a serial range, from
/// the read models, with the feed positions they reflect.
struct LookUpSerialNumbers {
    let store: ReportingStore
    let followers: ReportingFollowers

    func handle(
        _ request: Recs_Reporting_V1_LookUpSerialNumbersRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_LookUpSerialNumbersResponse {
        let range = try SerialRanges.parse(request.serialRange, field: "serial_range")
        let found = try await store.lookUp(range, segmentsMax: ReportingService.lookUpPartsMax)
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
        response.positions = try await GetFeedPositions(store: store, followers: followers).positions()
        return response
    }

    /// NOT_FOUND naming the serials reporting does not know (a batch no feed has mentioned, or
    /// numbers outside what was deposited); INVALID_ARGUMENT for a unit or state that is not the batch's.
    static func checkKnown(_ range: CertificateSerialRange, _ found: ReportingStore.LookUp) throws {
        let identity = found.batch?.identity ?? found.segments.first?.range.batch
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
}
