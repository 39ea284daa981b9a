import Testing

@testable import Domain

@Suite("Certificate batches carry the vintage (Operating Rules §12.1; docs/decisions/0002)")
struct CertificateBatchTests {
    let identity = Fixture.serial("99999-CA-123456-1-1").batch

    func batch(quantity: Int64 = 100) throws(RuleViolation) -> CertificateBatch {
        try CertificateBatch(
            identity: identity, vintage: Fixture.vintage("01/2024"), fuelType: .wind, quantity: quantity,
            createdOn: Fixture.day("04/30/2024"))
    }

    @Test("Operating Rules §12.1: a batch is numbered from 1 and its serial names unit, location and batch")
    func serialRange() throws {
        #expect(try batch().serialRange.description == "99999-CA-123456-1-100")
        #expect(try batch().vintage == Fixture.vintage("01/2024"))
    }

    @Test(
        "Operating Rules §12.1, §20: a quoted serial range must belong to the batch",
        arguments: [
            ("99999-CA-123456-1-100", nil as RuleViolation.Code?), ("99999-CA-123456-40-60", nil),
            ("99999-CA-123456-90-101", .rangeNotContained), ("99999-CA-123457-1-10", .rangeNotContained),
            ("99998-CA-123456-1-10", .serialNumberMalformed), ("99999-OR-123456-1-10", .serialNumberMalformed),
        ])
    func belongs(serial: String, code: RuleViolation.Code?) throws {
        let batch = try batch()
        if let code {
            #expect(violation { () throws(RuleViolation) in try batch.checkBelongs(Fixture.serial(serial)) }?.code == code)
        } else {
            try batch.checkBelongs(Fixture.serial(serial))
        }
    }

    @Test("Operating Rules §9.8.2, §12.1: no batch for a non-renewable fuel, an unfinished month or zero certificates")
    func refused() {
        #expect(violation { () throws(RuleViolation) in
            try CertificateBatch(identity: identity, vintage: Fixture.vintage("01/2024"), fuelType: .coal, quantity: 5, createdOn: Fixture.day("04/30/2024"))
        }?.code == .fuelTypeUnknown)
        #expect(violation { () throws(RuleViolation) in
            try CertificateBatch(identity: identity, vintage: Fixture.vintage("04/2024"), fuelType: .solar, quantity: 5, createdOn: Fixture.day("04/30/2024"))
        }?.code == .periodNotEnded)
        #expect(violation { () throws(RuleViolation) in try batch(quantity: 0) }?.code == .quantityOutOfRange)
    }
}
