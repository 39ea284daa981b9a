import Domain
import GRPCWire
import ProtoMessages

/// `recs.common.v1.SerialRange` to and from the domain's range (docs/API.md, serial numbers:
/// requests give the text, or the parts, or both in agreement; responses fill all six).
public enum SerialRanges {
    /// The range a request or an event names; INVALID_ARGUMENT naming `field` when it is absent,
    /// malformed, or its text and parts disagree.
    public static func parse(_ proto: Recs_Common_V1_SerialRange?, field: String) throws(RPCError) -> CertificateSerialRange {
        let proto = proto ?? Recs_Common_V1_SerialRange()
        let fromText: CertificateSerialRange?
        let fromParts: CertificateSerialRange?
        do throws(RuleViolation) {
            fromText = proto.text.isEmpty ? nil : try CertificateSerialRange(parsing: proto.text)
            fromParts = hasParts(proto) ? try parts(proto) : nil
        } catch {
            throw ServiceErrors.status(error, field: field)
        }
        if let fromText, let fromParts, fromText != fromParts {
            throw ServiceErrors.invalid(field, "the text \(fromText) and the parts \(fromParts) name different certificates")
        }
        guard let range = fromText ?? fromParts else {
            throw ServiceErrors.invalid(field, "the serial number or range is required, e.g. 99999-CA-123-1-100")
        }
        return range
    }

    public static func hasParts(_ proto: Recs_Common_V1_SerialRange) -> Bool {
        !proto.generatingUnitId.isEmpty || !proto.stateOrProvince.isEmpty || proto.batchNumber != 0 || proto.first != 0
            || proto.last != 0
    }

    public static func parts(_ proto: Recs_Common_V1_SerialRange) throws(RuleViolation) -> CertificateSerialRange {
        CertificateSerialRange(
            batch: try CertificateBatchIdentity(
                generatingUnit: GeneratingUnitID(parsing: proto.generatingUnitId),
                location: StateOrProvinceCode(parsing: proto.stateOrProvince), batchNumber: proto.batchNumber),
            numbers: try CertificateNumberRange(first: proto.first, last: proto.last))
    }

    public static func proto(_ range: CertificateSerialRange) -> Recs_Common_V1_SerialRange {
        var proto = Recs_Common_V1_SerialRange()
        proto.text = range.description
        proto.generatingUnitId = range.batch.generatingUnit.description
        proto.stateOrProvince = range.batch.location.description
        proto.batchNumber = range.batch.batchNumber
        proto.first = range.numbers.first
        proto.last = range.numbers.last
        return proto
    }
}
