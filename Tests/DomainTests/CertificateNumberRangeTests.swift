import Testing

@testable import Domain

@Suite("Certificate number ranges: certificates move as ranges, a partial move splits a range")
struct CertificateNumberRangeTests {
    @Test("quantity counts both ends: one certificate per MWh (Operating Rules §12)")
    func quantity() {
        #expect(Fixture.range(1, 100).quantity == 100)
        #expect(Fixture.range(7, 7).quantity == 1)
    }

    @Test(
        "MCT serial_number / Operating Rules §12.1: invalid ranges are refused",
        arguments: [(Int64(0), Int64(5)), (5, 4), (-1, 3), (1, 1_000_000_000_000)])
    func invalid(first: Int64, last: Int64) {
        #expect(violation { () throws(RuleViolation) in try CertificateNumberRange(first: first, last: last) }?.code == .certificateRangeInvalid)
    }

    @Test("a new batch is numbered from 1")
    func firstCertificates() throws {
        #expect(try CertificateNumberRange(firstCertificates: 42) == Fixture.range(1, 42))
        #expect(violation { () throws(RuleViolation) in try CertificateNumberRange(firstCertificates: 0) }?.code == .quantityOutOfRange)
    }

    @Test(
        "contains and overlaps",
        arguments: [
            ((Int64(10), Int64(20)), (Int64(10), Int64(20)), true, true),
            ((10, 20), (12, 15), true, true),
            ((10, 20), (5, 10), false, true),
            ((10, 20), (20, 30), false, true),
            ((10, 20), (21, 30), false, false),
            ((10, 20), (1, 9), false, false),
            ((10, 20), (1, 30), false, true),
        ])
    func containsAndOverlaps(outer: (Int64, Int64), inner: (Int64, Int64), contains: Bool, overlaps: Bool) {
        let a = Fixture.range(outer.0, outer.1)
        let b = Fixture.range(inner.0, inner.1)
        #expect(a.contains(b) == contains)
        #expect(a.overlaps(b) == overlaps)
        #expect(b.overlaps(a) == overlaps, "overlap is symmetric")
        #expect((a.intersection(b) != nil) == overlaps)
    }

    @Test("contains a single number")
    func containsNumber() {
        let range = Fixture.range(10, 20)
        #expect(range.contains(10) && range.contains(20) && range.contains(15))
        #expect(!range.contains(9) && !range.contains(21))
    }

    @Test("taking a quantity from the start (Operating Rules §15.2: the quantity from each batch)")
    func splitFromStart() throws {
        let range = Fixture.range(1, 100)
        let part = try range.splitting(takingFromStart: 30)
        #expect(part.taken == Fixture.range(1, 30))
        #expect(part.remainder == Fixture.range(31, 100))
        let all = try range.splitting(takingFromStart: 100)
        #expect(all.taken == range)
        #expect(all.remainder == nil)
    }

    @Test("Operating Rules §15.2: a quantity must be between 1 and the range's size", arguments: [Int64(0), -5, 101])
    func splitInvalidQuantity(quantity: Int64) {
        let error = violation { () throws(RuleViolation) in try Fixture.range(1, 100).splitting(takingFromStart: quantity) }
        #expect(error?.code == .quantityOutOfRange)
    }

    static let removals: [((Int64, Int64), [(Int64, Int64)])] = [
        ((40, 60), [(1, 39), (40, 60), (61, 100)]),
        ((1, 10), [(1, 10), (11, 100)]),
        ((90, 100), [(1, 89), (90, 100)]),
        ((1, 100), [(1, 100)]),
        ((50, 50), [(1, 49), (50, 50), (51, 100)]),
    ]

    @Test("taking a sub-range out yields up to three pieces", arguments: removals)
    func removing(subrange: (Int64, Int64), pieces: [(Int64, Int64)]) throws {
        let removal = try Fixture.range(1, 100).removing(Fixture.range(subrange.0, subrange.1))
        #expect(removal.pieces == pieces.map { Fixture.range($0.0, $0.1) })
        #expect(removal.taken == Fixture.range(subrange.0, subrange.1))
    }

    @Test("a sub-range that sticks out cannot be removed", arguments: [(Int64(90), Int64(110)), (101, 120)])
    func removingOutside(first: Int64, last: Int64) {
        let error = violation { () throws(RuleViolation) in try Fixture.range(1, 100).removing(Fixture.range(first, last)) }
        #expect(error?.code == .rangeNotContained)
    }

    // MARK: Properties: no certificate appears or vanishes in a split.

    /// A small deterministic generator (SplitMix64) so a failing case replays exactly from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func checkPartition(_ pieces: [CertificateNumberRange], of original: CertificateNumberRange, seed: UInt64) {
        #expect(pieces.map(\.quantity).reduce(0, +) == original.quantity, "seed \(seed): quantities sum to the original")
        #expect(pieces.first?.first == original.first && pieces.last?.last == original.last, "seed \(seed): ends kept")
        for (left, right) in zip(pieces, pieces.dropFirst()) {
            #expect(!left.overlaps(right), "seed \(seed): pieces are disjoint")
            #expect(left.last + 1 == right.first, "seed \(seed): pieces are contiguous")
        }
        #expect(pieces.allSatisfy(original.contains), "seed \(seed): pieces lie inside the original")
    }

    @Test("property: taking from the start partitions the range", arguments: 0..<200)
    func splitProperty(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed)
        let first = Int64.random(in: 1...1_000_000, using: &generator)
        let original = Fixture.range(first, first + Int64.random(in: 0...5_000, using: &generator))
        let quantity = Int64.random(in: 1...original.quantity, using: &generator)
        let (taken, remainder) = try original.splitting(takingFromStart: quantity)
        #expect(taken.quantity == quantity, "seed \(seed)")
        Self.checkPartition([taken] + (remainder.map { [$0] } ?? []), of: original, seed: seed)
    }

    @Test("property: removing a sub-range partitions the range", arguments: 0..<200)
    func removeProperty(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed &+ 1_000)
        let first = Int64.random(in: 1...1_000_000, using: &generator)
        let original = Fixture.range(first, first + Int64.random(in: 0...5_000, using: &generator))
        let subFirst = Int64.random(in: original.first...original.last, using: &generator)
        let subLast = Int64.random(in: subFirst...original.last, using: &generator)
        let removal = try original.removing(Fixture.range(subFirst, subLast))
        Self.checkPartition(removal.pieces, of: original, seed: seed)
        #expect(removal.remaining.allSatisfy { !$0.overlaps(removal.taken) }, "seed \(seed)")
    }

    @Test("property: repeated splits of one batch never lose or duplicate a certificate", arguments: 0..<50)
    func repeatedSplits(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed &+ 99)
        var holdings = [Fixture.range(1, 10_000)]
        for _ in 0..<40 {
            let index = Int.random(in: 0..<holdings.count, using: &generator)
            let range = holdings.remove(at: index)
            let subFirst = Int64.random(in: range.first...range.last, using: &generator)
            let subLast = Int64.random(in: subFirst...range.last, using: &generator)
            holdings += try range.removing(Fixture.range(subFirst, subLast)).pieces
        }
        Self.checkPartition(holdings.sorted { $0.first < $1.first }, of: Fixture.range(1, 10_000), seed: seed)
    }
}
