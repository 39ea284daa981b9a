/// A range of certificates of one batch, written `unit-state-batch-first-last`, e.g.
/// `99999-AA-123456-1-100` (MCT Data File Specifications, serial_number; Operating Rules §12.1).
///
/// A single certificate is a range whose first and last numbers are equal. Numbers are written
/// without leading zeros so that each range has exactly one spelling: serial numbers are compared as
/// values, and "cannot be changed" (§12.1), so two spellings of one certificate must not exist.
public struct CertificateSerialRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public let batch: CertificateBatchIdentity
    public let numbers: CertificateNumberRange

    public init(batch: CertificateBatchIdentity, numbers: CertificateNumberRange) {
        self.batch = batch
        self.numbers = numbers
    }

    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        func malformed(_ reason: String) -> RuleViolation {
            RuleViolation(
                .serialNumberMalformed,
                "serial number \(ASCII.quoted(text)) \(reason); expected unit-state-batch-first-last, e.g. 99999-AA-123456-1-100",
                section: Section.serialNumber)
        }
        let parts = String(text).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 5 else { throw malformed("has \(parts.count) parts instead of 5") }
        let unit: GeneratingUnitID
        let location: StateOrProvinceCode
        do throws(RuleViolation) {
            unit = try GeneratingUnitID(parsing: parts[0])
            location = try StateOrProvinceCode(parsing: parts[1])
        } catch {
            throw malformed("has a bad part: \(error.message)")
        }
        func number(_ part: Substring, _ name: String) throws(RuleViolation) -> Int64 {
            let bytes = Array(part.utf8)
            guard !bytes.isEmpty else { throw malformed("has an empty \(name)") }
            guard bytes.allSatisfy(ASCII.isDigit) else { throw malformed("has a \(name) that is not a number") }
            guard bytes.count <= Limits.serialComponentDigitsMax else { throw malformed("has a \(name) longer than 12 digits") }
            guard bytes.count == 1 || bytes[0] != UInt8(ascii: "0") else { throw malformed("has a \(name) with a leading zero") }
            return bytes.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }
        let batchNumber = try number(parts[2], "batch number")
        let first = try number(parts[3], "first certificate number")
        let last = try number(parts[4], "last certificate number")
        do throws(RuleViolation) {
            self.batch = try CertificateBatchIdentity(generatingUnit: unit, location: location, batchNumber: batchNumber)
            self.numbers = try CertificateNumberRange(first: first, last: last)
        } catch {
            throw malformed("is not a valid range: \(error.message)")
        }
    }

    public var quantity: Int64 { numbers.quantity }

    public func contains(_ other: CertificateSerialRange) -> Bool {
        batch == other.batch && numbers.contains(other.numbers)
    }

    public func overlaps(_ other: CertificateSerialRange) -> Bool {
        batch == other.batch && numbers.overlaps(other.numbers)
    }

    /// Takes `quantity` certificates from the start of the range.
    public func splitting(takingFromStart quantity: Int64) throws(RuleViolation) -> (taken: CertificateSerialRange, remainder: CertificateSerialRange?) {
        let (taken, remainder) = try numbers.splitting(takingFromStart: quantity)
        return (
            CertificateSerialRange(batch: batch, numbers: taken),
            remainder.map { CertificateSerialRange(batch: batch, numbers: $0) }
        )
    }

    /// Takes a sub-range out of this one; up to three pieces, all in this batch.
    public func removing(_ subrange: CertificateSerialRange) throws(RuleViolation) -> (before: CertificateSerialRange?, taken: CertificateSerialRange, after: CertificateSerialRange?) {
        guard batch == subrange.batch else {
            throw RuleViolation(
                .rangeNotContained, "\(subrange) is not in batch \(batch)", section: Section.serialNumber)
        }
        let removal = try numbers.removing(subrange.numbers)
        return (
            removal.before.map { CertificateSerialRange(batch: batch, numbers: $0) },
            subrange,
            removal.after.map { CertificateSerialRange(batch: batch, numbers: $0) }
        )
    }

    public var description: String { "\(batch)-\(numbers)" }
}
