/// What names a batch in a serial number: generating unit, location and batch number, the
/// `99999-AA-123456` head of `99999-AA-123456-1-100` (MCT; Operating Rules §12.1).
///
/// Batch numbers are unique across the registry, so the batch number alone identifies the batch; the
/// unit and location are carried because §12.1 requires serial numbers to show them, and are checked
/// against the batch record when a serial is looked up. The vintage is a property of the batch, not
/// of this text (see docs/decisions/0002-serial-number-format.md).
public struct CertificateBatchIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    public let generatingUnit: GeneratingUnitID
    public let location: StateOrProvinceCode
    public let batchNumber: Int64

    public static let batchNumberMax: Int64 = 999_999_999_999

    public init(generatingUnit: GeneratingUnitID, location: StateOrProvinceCode, batchNumber: Int64) throws(RuleViolation) {
        guard (1...Self.batchNumberMax).contains(batchNumber) else {
            throw RuleViolation(
                .serialNumberMalformed, "batch number \(batchNumber) is outside 1 to \(Self.batchNumberMax)",
                section: Section.serialNumber)
        }
        self.generatingUnit = generatingUnit
        self.location = location
        self.batchNumber = batchNumber
    }

    public var description: String { "\(generatingUnit)-\(location)-\(batchNumber)" }

    private enum CodingKeys: String, CodingKey { case generatingUnit, location, batchNumber }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            generatingUnit: container.decode(GeneratingUnitID.self, forKey: .generatingUnit),
            location: container.decode(StateOrProvinceCode.self, forKey: .location),
            batchNumber: container.decode(Int64.self, forKey: .batchNumber))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(generatingUnit, forKey: .generatingUnit)
        try container.encode(location, forKey: .location)
        try container.encode(batchNumber, forKey: .batchNumber)
    }
}
