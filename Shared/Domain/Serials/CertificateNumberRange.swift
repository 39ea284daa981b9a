/// A contiguous, non-empty run of certificate numbers `first...last` inside one batch.
///
/// Certificates move as ranges and a partial move splits a range, so this type carries the range
/// arithmetic. Every operation keeps two invariants: `1 <= first <= last`, and the pieces of a split
/// are disjoint and together cover exactly the original range (no certificate appears or vanishes).
public struct CertificateNumberRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public let first: Int64
    public let last: Int64

    /// Largest certificate number: serial components have at most 12 digits.
    public static let numberMax: Int64 = 999_999_999_999

    public init(first: Int64, last: Int64) throws(RuleViolation) {
        guard first >= 1, last <= Self.numberMax else {
            throw RuleViolation(
                .certificateRangeInvalid,
                "certificate numbers must be between 1 and \(Self.numberMax), got \(first)-\(last)",
                section: Section.serialNumber)
        }
        guard first <= last else {
            throw RuleViolation(
                .certificateRangeInvalid, "the first certificate number \(first) is after the last \(last)",
                section: Section.serialNumber)
        }
        self.first = first
        self.last = last
    }

    /// The first `quantity` certificates of a batch: how a new batch is numbered.
    public init(firstCertificates quantity: Int64) throws(RuleViolation) {
        guard quantity >= 1 else {
            throw RuleViolation(
                .quantityOutOfRange, "a range holds at least one certificate, got \(quantity)",
                section: Section.wholeCertificates)
        }
        try self.init(first: 1, last: quantity)
    }

    /// Built by this type's own arithmetic, whose results are valid by construction.
    private init(unchecked first: Int64, _ last: Int64) {
        assert(1 <= first && first <= last)
        self.first = first
        self.last = last
    }

    /// Number of certificates (one certificate per MWh, §12).
    public var quantity: Int64 { last - first + 1 }

    public func contains(_ number: Int64) -> Bool { first <= number && number <= last }

    public func contains(_ other: CertificateNumberRange) -> Bool { first <= other.first && other.last <= last }

    public func overlaps(_ other: CertificateNumberRange) -> Bool { first <= other.last && other.first <= last }

    public func intersection(_ other: CertificateNumberRange) -> CertificateNumberRange? {
        guard overlaps(other) else { return nil }
        return CertificateNumberRange(unchecked: max(first, other.first), min(last, other.last))
    }

    /// Takes `quantity` certificates from the start: the taken part and what is left, if anything.
    /// Transfers "of a quantity from a batch" (§15.2, MCT) take from the start of the range.
    public func splitting(takingFromStart quantity: Int64) throws(RuleViolation) -> (taken: CertificateNumberRange, remainder: CertificateNumberRange?) {
        guard quantity >= 1, quantity <= self.quantity else {
            throw RuleViolation(
                .quantityOutOfRange,
                "quantity \(quantity) must be between 1 and the \(self.quantity) certificates of \(self)",
                section: Section.transfer)
        }
        let taken = CertificateNumberRange(unchecked: first, first + quantity - 1)
        let remainder = taken.last == last ? nil : CertificateNumberRange(unchecked: taken.last + 1, last)
        return (taken, remainder)
    }

    /// The result of taking a sub-range out of a range: up to three pieces.
    public struct Removal: Sendable, Hashable {
        /// What stays before the taken part.
        public let before: CertificateNumberRange?
        public let taken: CertificateNumberRange
        /// What stays after the taken part.
        public let after: CertificateNumberRange?

        /// The pieces in order, taken included.
        public var pieces: [CertificateNumberRange] { [before, taken, after].compactMap { $0 } }
        /// What stays where the range was.
        public var remaining: [CertificateNumberRange] { [before, after].compactMap { $0 } }
    }

    /// Takes `subrange` out of the middle (or an end) of this range.
    public func removing(_ subrange: CertificateNumberRange) throws(RuleViolation) -> Removal {
        guard contains(subrange) else {
            throw RuleViolation(
                .rangeNotContained, "certificates \(subrange) are not all inside \(self)",
                section: Section.serialNumber)
        }
        return Removal(
            before: subrange.first > first ? CertificateNumberRange(unchecked: first, subrange.first - 1) : nil,
            taken: subrange,
            after: subrange.last < last ? CertificateNumberRange(unchecked: subrange.last + 1, last) : nil)
    }

    /// `first-last`, the tail of a serial number.
    public var description: String { "\(first)-\(last)" }

    private enum CodingKeys: String, CodingKey { case first, last }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            first: container.decode(Int64.self, forKey: .first), last: container.decode(Int64.self, forKey: .last))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(first, forKey: .first)
        try container.encode(last, forKey: .last)
    }
}
