/// A batch of certificates as issued: a contiguous range sharing every attribute, numbered from 1
/// (Operating Rules §12.1, §12.6, Appendix B-1).
///
/// The batch, not the serial text, carries the vintage: the MCT serial shape
/// `unit-state-batch-first-last` has no vintage field, and §12.1 requires that serial numbers
/// indicate the vintage, so each batch holds exactly one vintage and the batch number in every serial
/// leads to it (docs/decisions/0002-serial-number-format.md).
public struct CertificateBatch: Sendable, Hashable, Codable {
    public let identity: CertificateBatchIdentity
    /// "Vintage will always be a single month/year" (§2).
    public let vintage: Vintage
    /// One fuel per certificate, even for multi-fuel units (§9.8.2).
    public let fuelType: FuelType
    /// Every certificate of the batch: 1 through the number issued.
    public let certificates: CertificateNumberRange
    public let createdOn: CalendarDate

    public init(
        identity: CertificateBatchIdentity, vintage: Vintage, fuelType: FuelType, quantity: Int64, createdOn: CalendarDate
    ) throws(RuleViolation) {
        guard fuelType.isRenewable else {
            throw RuleViolation(
                .fuelTypeUnknown, "certificates are not issued for \(fuelType) (\(fuelType.code)), a non-renewable fuel",
                section: Section.certificateCreation)
        }
        guard vintage.lastDay < createdOn else {
            throw RuleViolation(
                .periodNotEnded, "certificates of vintage \(vintage) cannot be created before the month has ended",
                section: Section.certificateCreation)
        }
        self.identity = identity
        self.vintage = vintage
        self.fuelType = fuelType
        self.certificates = try CertificateNumberRange(firstCertificates: quantity)
        self.createdOn = createdOn
    }

    /// All certificates of the batch as one serial range, e.g. `99999-AA-123456-1-100`.
    public var serialRange: CertificateSerialRange { CertificateSerialRange(batch: identity, numbers: certificates) }

    /// Checks that a serial range someone quoted (an upload, a look-up, §20) names certificates of
    /// this batch: the unit and location must be the batch's, the numbers inside it.
    public func checkBelongs(_ serialRange: CertificateSerialRange) throws(RuleViolation) {
        guard serialRange.batch.batchNumber == identity.batchNumber else {
            throw RuleViolation(
                .rangeNotContained, "\(serialRange) is not in batch \(identity.batchNumber)", section: Section.serialNumber)
        }
        guard serialRange.batch == identity else {
            throw RuleViolation(
                .serialNumberMalformed,
                "\(serialRange) names batch \(identity.batchNumber) with the wrong unit or location; the batch is \(identity)",
                section: Section.serialNumber)
        }
        guard certificates.contains(serialRange.numbers) else {
            throw RuleViolation(
                .rangeNotContained, "batch \(identity) holds certificates \(certificates), not all of \(serialRange.numbers)",
                section: Section.serialNumber)
        }
    }
}
