import Foundation
import Testing

@testable import Domain

@Suite("Serial numbers: unit-state-batch-first-last (MCT serial_number; Operating Rules §12.1)")
struct SerialNumberTests {
    @Test("MCT serial_number: the example 99999-AA-123456-1-100 parses into its parts")
    func parsesExample() throws {
        let serial = try CertificateSerialRange(parsing: "99999-AA-123456-1-100")
        #expect(serial.batch.generatingUnit.description == "99999")
        #expect(serial.batch.location.description == "AA")
        #expect(serial.batch.batchNumber == 123_456)
        #expect(serial.numbers == Fixture.range(1, 100))
        #expect(serial.quantity == 100)
        #expect(serial.description == "99999-AA-123456-1-100")
    }

    @Test(
        "Operating Rules §12.1: serial numbers round-trip in one canonical spelling",
        arguments: ["W1234-CA-7-5-5", "99999-AA-123456-1-100", "1-TX-999999999999-999999999999-999999999999"])
    func roundTrip(text: String) throws {
        #expect(try CertificateSerialRange(parsing: text).description == text)
    }

    @Test("lower-case unit and location letters are printed upper-case")
    func canonicalCase() throws {
        #expect(try CertificateSerialRange(parsing: "w12-ca-3-1-2").description == "W12-CA-3-1-2")
    }

    @Test(
        "MCT serial_number: malformed serial numbers name what is wrong",
        arguments: [
            ("99999-AA-123456-1", "4 parts"), ("99999-AA-123456-1-100-2", "6 parts"), ("", "1 parts"),
            ("99999-AA--1-100", "empty batch number"), ("99999-AA-12a-1-100", "batch number that is not a number"),
            ("99999-AA-123456-01-100", "leading zero"), ("99999-AA-0123-1-100", "leading zero"),
            ("99999-AA-123456-100-1", "after the last"), ("99999-AA-123456-0-5", "between 1 and"),
            ("99999-AA-0-1-5", "batch number 0"), ("99999-AA-1234567890123-1-5", "longer than 12 digits"),
            ("W-AA-1-1-5", "bad part"), ("99999-A-1-1-5", "bad part"), ("99999-AA-1-1-+5", "not a number"),
            ("99999-AA-1-1- 5", "not a number"),
        ])
    func malformed(text: String, reason: String) {
        let error = violation { () throws(RuleViolation) in try CertificateSerialRange(parsing: text) }
        #expect(error?.code == .serialNumberMalformed)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(error?.section.contains("§12.1") == true)
    }

    @Test("ranges of different batches never contain or overlap each other")
    func batchesAreSeparate() {
        let first = Fixture.serial("99999-AA-1-1-100")
        #expect(first.contains(Fixture.serial("99999-AA-1-10-20")))
        #expect(first.overlaps(Fixture.serial("99999-AA-1-100-200")))
        #expect(!first.contains(Fixture.serial("99999-AA-2-10-20")))
        #expect(!first.overlaps(Fixture.serial("99999-AA-2-1-100")))
        #expect(!first.overlaps(Fixture.serial("99998-AA-1-1-100")))
        #expect(!first.overlaps(Fixture.serial("99999-AB-1-1-100")))
    }

    @Test("splitting a serial range keeps the batch")
    func splitKeepsBatch() throws {
        let (taken, remainder) = try Fixture.serial("99999-AA-123456-1-100").splitting(takingFromStart: 30)
        #expect(taken.description == "99999-AA-123456-1-30")
        #expect(remainder?.description == "99999-AA-123456-31-100")
        let removal = try Fixture.serial("99999-AA-123456-1-100").removing(Fixture.serial("99999-AA-123456-40-60"))
        #expect([removal.before, removal.taken, removal.after].compactMap { $0?.description }
            == ["99999-AA-123456-1-39", "99999-AA-123456-40-60", "99999-AA-123456-61-100"])
    }

    @Test("a sub-range of another batch cannot be removed")
    func removingOtherBatch() {
        let error = violation { () throws(RuleViolation) in
            try Fixture.serial("99999-AA-1-1-100").removing(Fixture.serial("99999-AA-2-1-10"))
        }
        #expect(error?.code == .rangeNotContained)
    }

    @Test("serial ranges round-trip through Codable and validate when decoded")
    func codable() throws {
        let serial = Fixture.serial("W14-CA-77-3-9")
        let data = try JSONEncoder().encode(serial)
        #expect(try JSONDecoder().decode(CertificateSerialRange.self, from: data) == serial)
        let broken = Data(#"{"batch":{"generatingUnit":"W14","location":"CA","batchNumber":77},"numbers":{"first":9,"last":3}}"#.utf8)
        #expect(throws: RuleViolation.self) { try JSONDecoder().decode(CertificateSerialRange.self, from: broken) }
    }
}
