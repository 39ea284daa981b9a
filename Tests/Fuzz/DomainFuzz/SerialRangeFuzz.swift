// CertificateSerialRange: text that parses prints back as its canonical spelling (letters
// upper-cased, nothing else changed: numbers have exactly one spelling) and parses again equal;
// the numbers stay within their limits; splitting and removing keep every certificate exactly once.

import Domain

enum SerialRangeFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let range: CertificateSerialRange
        do throws(RuleViolation) {
            range = try CertificateSerialRange(parsing: text)
        } catch {
            precondition(error.code == .serialNumberMalformed, "serial \(text.debugDescription) refused with \(error.code)")
            precondition(!error.message.isEmpty && !error.section.isEmpty, "a refusal without a message or section")
            return
        }
        precondition(String(validating: input, as: UTF8.self) != nil, "a serial with invalid UTF-8 was accepted")
        let printed = range.description
        precondition(printed == CSVFuzz.asciiUppercased(text), "\(text.debugDescription) printed as \(printed)")
        guard let again = try? CertificateSerialRange(parsing: printed) else { preconditionFailure("\(printed) does not parse") }
        precondition(again == range && again.description == printed, "\(printed) parses to \(again)")

        let parts = printed.split(separator: "-", omittingEmptySubsequences: false)
        precondition(parts.count == 5, "\(printed) has \(parts.count) parts")
        for part in parts[2...] {
            precondition(part.utf8.count <= Limits.serialComponentDigitsMax, "\(printed): a number of \(part.utf8.count) digits")
        }
        let numbers = range.numbers
        precondition(
            (1...CertificateBatchIdentity.batchNumberMax).contains(range.batch.batchNumber)
                && 1 <= numbers.first && numbers.first <= numbers.last && numbers.last <= CertificateNumberRange.numberMax,
            "\(printed): numbers out of range")
        precondition(range.quantity == numbers.last - numbers.first + 1, "\(printed): quantity \(range.quantity)")

        checkArithmetic(range, seed: input.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
    }

    /// Splits and removals at points taken from `seed`.
    static func checkArithmetic(_ range: CertificateSerialRange, seed: UInt64) {
        let quantity = range.quantity
        let take = Int64(seed % UInt64(quantity)) + 1
        guard case let (taken, remainder)? = try? range.splitting(takingFromStart: take) else {
            preconditionFailure("\(range): taking \(take) of \(quantity) failed")
        }
        precondition(taken.numbers.first == range.numbers.first && taken.quantity == take && range.contains(taken), "\(range): taken \(taken)")
        if let remainder {
            precondition(remainder.numbers.first == taken.numbers.last + 1 && remainder.numbers.last == range.numbers.last, "remainder \(remainder)")
            precondition(!taken.overlaps(remainder), "\(taken) overlaps \(remainder)")
        } else {
            precondition(take == quantity, "no remainder after taking \(take) of \(quantity)")
        }
        for bad in [0, quantity + 1] {
            do throws(RuleViolation) {
                _ = try range.splitting(takingFromStart: bad)
                preconditionFailure("\(range): taking \(bad) was allowed")
            } catch {
                precondition(error.code == .quantityOutOfRange && !error.message.isEmpty, "taking \(bad): \(error)")
            }
        }

        // A sub-range from two more points: the pieces cover the range exactly once, in order.
        let first = range.numbers.first + Int64((seed >> 20) % UInt64(quantity))
        let last = first + Int64((seed >> 40) % UInt64(range.numbers.last - first + 1))
        guard let numbers = try? CertificateNumberRange(first: first, last: last) else { preconditionFailure("sub-range \(first)-\(last)") }
        let subrange = CertificateSerialRange(batch: range.batch, numbers: numbers)
        guard case let (before, middle, after)? = try? range.removing(subrange) else { preconditionFailure("\(range): removing \(subrange) failed") }
        precondition(middle == subrange, "removed \(middle), asked \(subrange)")
        let pieces = [before, middle, after].compactMap { $0 }
        precondition(pieces.first!.numbers.first == range.numbers.first && pieces.last!.numbers.last == range.numbers.last, "pieces' ends")
        for (left, right) in zip(pieces, pieces.dropFirst()) {
            precondition(left.numbers.last + 1 == right.numbers.first, "pieces \(left) and \(right) do not abut")
        }
        precondition(pieces.reduce(0) { $0 + $1.quantity } == quantity, "pieces hold a different quantity")
    }
}
