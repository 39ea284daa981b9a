import Domain
import ProtoMessages
import Storage

/// Where a part of a batch is, in which status, since when (§20), and which event said so.
public struct CertificatePlacement: Sendable, Hashable {
    public var organizationID: String
    public var subaccountID: String
    public var subaccountKind: Recs_Common_V1_SubaccountKind
    public var status: Recs_Common_V1_CertificateStatus
    public var changedAtMilliseconds: Int64
    /// Why they are there (§16.1 retirement reason, §18 reserve reason, §17 export destination),
    /// as an encoded `SerialNumberStatus` with only those fields; empty when none.
    public var reasons: [UInt8]
    /// `<feed>:<sequence>` of the event that last touched the part.
    public var lastEvent: String

    /// Two parts that may be one segment: same place, same status, changed at the same moment.
    func continues(_ other: CertificatePlacement) -> Bool {
        organizationID == other.organizationID && subaccountID == other.subaccountID && subaccountKind == other.subaccountKind
            && status == other.status && changedAtMilliseconds == other.changedAtMilliseconds && reasons == other.reasons
    }
}

/// A run of consecutive certificates of one batch with one placement.
public struct CertificateSegment: Sendable, Hashable {
    public var range: CertificateSerialRange
    public var placement: CertificatePlacement
}

/// The certificate segments table: each change of place or status rewrites the part of the range it
/// touches, splitting the segments it cuts and merging neighbours that end up alike, so the table
/// stays the smallest set of disjoint runs that says where every certificate is.
enum CertificateSegments {
    /// Gives `range` the placement `placement`, whatever it had (or nothing, when the event that
    /// put it there has not been seen: the feeds are independent, §20 answers from what arrived).
    static func place(_ range: CertificateSerialRange, _ placement: CertificatePlacement, _ sql: inout SQLTransaction) throws {
        let touched = try neighbourhood(of: range, &sql)
        for segment in touched {
            try sql.execute(
                "DELETE FROM certificate_segments WHERE batch_number = $1 AND first_number = $2",
                .int64(segment.range.batch.batchNumber), .int64(segment.range.numbers.first))
        }
        for segment in try merged(rewriting: touched, with: CertificateSegment(range: range, placement: placement)) {
            try insert(segment, &sql)
        }
    }

    /// The segments overlapping `range` or adjacent to it (candidates to merge with), in order.
    static func neighbourhood(of range: CertificateSerialRange, _ sql: inout SQLTransaction) throws -> [CertificateSegment] {
        try segments(
            batch: range.batch.batchNumber, first: range.numbers.first - 1, last: range.numbers.last + 1, &sql)
    }

    /// The segments of `batch` overlapping `first...last`, in certificate order: the last to start
    /// at or before `first` (segments are disjoint) and those starting inside the range, found by
    /// seeks on the primary key whatever the batch's history.
    /// At most `limit` of them when given (a look-up's page), counted after the one that may end
    /// before `first`.
    static func segments(
        batch: Int64, first: Int64, last: Int64, limit: Int? = nil, _ sql: inout SQLTransaction
    ) throws -> [CertificateSegment] {
        let found = try sql.query(
            """
            SELECT batch_number, first_number, last_number, generating_unit_id, state_or_province, organization_id,
                subaccount_id, subaccount_kind, status, changed_at_unix_ms, reasons, last_event
            FROM certificate_segments
            WHERE batch_number = $1 AND first_number <= $3 AND first_number >= COALESCE(
                (SELECT before.first_number FROM certificate_segments AS before
                 WHERE before.batch_number = $1 AND before.first_number <= $2
                 ORDER BY before.first_number DESC LIMIT 1), $2)
            ORDER BY first_number
            """ + (limit == nil ? "" : " LIMIT $4"),
            binds: [.int64(batch), .int64(first), .int64(last)] + (limit.map { [.int64(Int64($0 + 1))] } ?? [])
        ).map(segment).filter { $0.range.numbers.last >= first }
        return limit.map { Array(found.prefix($0)) } ?? found
    }

    /// The last segment of `batch` that starts at or before `number` (one seek): whether `number`
    /// is placed, and where the placed numbers before it end.
    static func segment(batch: Int64, atOrBefore number: Int64, _ sql: inout SQLTransaction) throws -> CertificateSegment? {
        try sql.queryFirst(
            """
            SELECT batch_number, first_number, last_number, generating_unit_id, state_or_province, organization_id,
                subaccount_id, subaccount_kind, status, changed_at_unix_ms, reasons, last_event
            FROM certificate_segments WHERE batch_number = $1 AND first_number <= $2 ORDER BY first_number DESC LIMIT 1
            """, .int64(batch), .int64(number)
        ).map(segment)
    }

    /// The old segments with the new one laid over them, then alike neighbours joined.
    static func merged(rewriting old: [CertificateSegment], with new: CertificateSegment) throws -> [CertificateSegment] {
        var pieces: [CertificateSegment] = []
        for segment in old {
            guard let overlap = segment.range.numbers.intersection(new.range.numbers) else {
                pieces.append(segment)
                continue
            }
            for rest in try segment.range.numbers.removing(overlap).remaining {
                pieces.append(CertificateSegment(range: CertificateSerialRange(batch: segment.range.batch, numbers: rest), placement: segment.placement))
            }
        }
        pieces.append(new)
        pieces.sort { $0.range.numbers.first < $1.range.numbers.first }
        var result: [CertificateSegment] = []
        for piece in pieces {
            if let last = result.last, last.range.numbers.last + 1 == piece.range.numbers.first,
                last.placement.continues(piece.placement)
            {
                let numbers = try CertificateNumberRange(first: last.range.numbers.first, last: piece.range.numbers.last)
                var joined = CertificateSegment(range: CertificateSerialRange(batch: last.range.batch, numbers: numbers), placement: last.placement)
                if piece == new { joined.placement.lastEvent = new.placement.lastEvent }
                result[result.count - 1] = joined
            } else {
                result.append(piece)
            }
        }
        return result
    }

    static func insert(_ segment: CertificateSegment, _ sql: inout SQLTransaction) throws {
        let placement = segment.placement
        try sql.execute(
            """
            INSERT INTO certificate_segments (batch_number, first_number, last_number, generating_unit_id, state_or_province,
                organization_id, subaccount_id, subaccount_kind, status, changed_at_unix_ms, reasons, last_event)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            .int64(segment.range.batch.batchNumber), .int64(segment.range.numbers.first), .int64(segment.range.numbers.last),
            .text(segment.range.batch.generatingUnit.description), .text(segment.range.batch.location.description),
            .text(placement.organizationID), .text(placement.subaccountID), .int64(Int64(placement.subaccountKind.rawValue)),
            .int64(Int64(placement.status.rawValue)), .int64(placement.changedAtMilliseconds), .bytes(placement.reasons),
            .text(placement.lastEvent))
    }

    static func segment(_ row: SQLRow) throws -> CertificateSegment {
        let batch = try CertificateBatchIdentity(
            generatingUnit: GeneratingUnitID(parsing: row.string("generating_unit_id")),
            location: StateOrProvinceCode(parsing: row.string("state_or_province")), batchNumber: row.int64("batch_number"))
        let numbers = try CertificateNumberRange(first: row.int64("first_number"), last: row.int64("last_number"))
        let placement = CertificatePlacement(
            organizationID: try row.string("organization_id"), subaccountID: try row.string("subaccount_id"),
            subaccountKind: Recs_Common_V1_SubaccountKind(rawValue: Int32(clamping: try row.int64("subaccount_kind"))),
            status: Recs_Common_V1_CertificateStatus(rawValue: Int32(clamping: try row.int64("status"))),
            changedAtMilliseconds: try row.int64("changed_at_unix_ms"), reasons: try row.bytes("reasons"),
            lastEvent: try row.string("last_event"))
        return CertificateSegment(range: CertificateSerialRange(batch: batch, numbers: numbers), placement: placement)
    }
}
