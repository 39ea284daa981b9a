// MessageDeframer, PercentEncoding, Base64 and GRPCTimeout on their own.

@testable import GRPCWire
import Testing

@Suite("MessageDeframer")
struct MessageDeframerTests {
    /// Feeds `pieces` in order; returns the messages and the first failure.
    private func deframe(_ pieces: [ArraySlice<UInt8>], limit: Int = 1 << 20)
        -> (messages: [[UInt8]], failure: MessageDeframer.Failure?, partial: Bool)
    {
        var deframer = MessageDeframer(limitBytes: limit)
        var messages: [[UInt8]] = []
        for piece in pieces {
            let failure: MessageDeframer.Failure? = piece.withUnsafeBytes { bytes in
                do throws(MessageDeframer.Failure) {
                    try deframer.feed(bytes) { messages.append($0) }
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { return (messages, failure, deframer.hasPartialMessage) }
        }
        return (messages, nil, deframer.hasPartialMessage)
    }

    private static let messages: [[UInt8]] = [
        [], [0x2A], Array(0..<255), [], Array(repeating: 0xAB, count: 1000), [1, 2, 3, 4, 5], [],
    ]
    private static let stream: [UInt8] = messages.flatMap { framed(bytes: $0) }
    /// Offsets where a message ends (and the next prefix starts).
    private static let boundaries: Set<Int> = {
        var offsets: Set<Int> = [0]
        var offset = 0
        for message in messages {
            offset += 5 + message.count
            offsets.insert(offset)
        }
        return offsets
    }()

    @Test func wholeStream() {
        let result = deframe([Self.stream[...]])
        #expect(result.messages == Self.messages)
        #expect(result.failure == nil)
        #expect(!result.partial)
    }

    @Test func splitAtEveryByte() {
        for cut in 0...Self.stream.count {
            let result = deframe([Self.stream[..<cut], Self.stream[cut...]])
            #expect(result.messages == Self.messages, "split at \(cut)")
            #expect(result.failure == nil)
            #expect(!result.partial)
            // After the first piece alone, a message is pending unless the cut is on a boundary.
            let first = deframe([Self.stream[..<cut]])
            #expect(first.partial == !Self.boundaries.contains(cut), "partial after \(cut) bytes")
        }
    }

    @Test func splitAtEveryPairOfBytesOfAShortStream() {
        let messages: [[UInt8]] = [[7], [], [1, 2, 3, 4, 5, 6, 7, 8]]
        let stream = messages.flatMap { framed(bytes: $0) }
        for first in 0...stream.count {
            for second in first...stream.count {
                let result = deframe([stream[..<first], stream[first..<second], stream[second...]])
                #expect(result.messages == messages, "split at \(first) and \(second)")
            }
        }
    }

    @Test func oneByteAtATime() {
        let pieces = Self.stream.indices.map { Self.stream[$0..<($0 + 1)] }
        let result = deframe(pieces)
        #expect(result.messages == Self.messages)
        #expect(!result.partial)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 16, 1000, 4096])
    func fixedChunks(size: Int) {
        let pieces = stride(from: 0, to: Self.stream.count, by: size).map {
            Self.stream[$0..<min($0 + size, Self.stream.count)]
        }
        #expect(deframe(pieces).messages == Self.messages)
    }

    @Test func limitIsInclusive() {
        let atLimit = framed(bytes: [UInt8](repeating: 1, count: 100))
        #expect(deframe([atLimit[...]], limit: 100).messages.map(\.count) == [100])
        let overLimit = framed(bytes: [UInt8](repeating: 1, count: 101))
        // Rejected from the prefix alone, before the payload arrives.
        #expect(deframe([overLimit[..<5]], limit: 100).failure == .tooLarge(declaredBytes: 101, limitBytes: 100))
        #expect(deframe([overLimit[..<3], overLimit[3..<5]], limit: 100).failure == .tooLarge(declaredBytes: 101, limitBytes: 100))
    }

    @Test func hugeDeclaredLength() {
        let prefix: [UInt8] = [0, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(deframe([prefix[...]]).failure == .tooLarge(declaredBytes: 0xFFFF_FFFF, limitBytes: 1 << 20))
    }

    @Test(arguments: [(UInt8(1), MessageDeframer.Failure.compressed), (2, .invalidFlags(2)), (0xFF, .invalidFlags(0xFF))])
    func flags(flags: UInt8, failure: MessageDeframer.Failure) {
        let message = framed(bytes: [1, 2, 3], flags: flags)
        #expect(deframe([message[...]]).failure == failure)
        // The same when the prefix arrives one byte at a time, after a good message.
        let stream = framed(bytes: [9]) + message
        let result = deframe(stream.indices.map { stream[$0..<($0 + 1)] })
        #expect(result.messages == [[9]])
        #expect(result.failure == failure)
    }
}

@Suite("PercentEncoding")
struct PercentEncodingTests {
    @Test(arguments: [
        ("", ""),
        ("hello world", "hello world"),
        ("~ is 0x7E", "~ is 0x7E"),
        ("100%", "100%25"),
        ("%25", "%2525"),
        ("a\tb", "a%09b"),
        ("\u{7F}", "%7F"),
        ("\u{0}", "%00"),
        ("é", "%C3%A9"),
        ("☺", "%E2%98%BA"),
        ("😈", "%F0%9F%98%88"),
        (
            "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n",
            "%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and non-BMP %F0%9F%98%88%09%0A"
        ),
    ])
    func encodes(text: String, encoded: String) {
        #expect(PercentEncoding.encode(text) == encoded)
        #expect(PercentEncoding.decode(encoded) == text)
    }

    @Test func specialStatusMessageRoundTrips() {
        #expect(PercentEncoding.decode(PercentEncoding.encode(specialStatusMessage)) == specialStatusMessage)
    }

    @Test func everyByteRoundTrips() {
        for byte in UInt8(0)...UInt8(0x7F) {
            let text = String(decoding: [byte, 0x41, byte], as: UTF8.self)
            let encoded = PercentEncoding.encode(text)
            #expect(encoded.utf8.allSatisfy { (0x20...0x7E).contains($0) })
            #expect(PercentEncoding.decode(encoded) == text, "byte \(byte)")
        }
    }

    @Test(arguments: [
        // Malformed escapes are kept as they are.
        ("%", "%"), ("%4", "%4"), ("abc%", "abc%"), ("%zz", "%zz"), ("%G1", "%G1"), ("%%41", "%A"),
        // Lowercase hex is accepted.
        ("%e2%98%ba", "☺"), ("%41%42", "AB"), ("a%20b", "a b"),
        // Bytes that are not UTF-8 become U+FFFD.
        ("%FF", "\u{FFFD}"),
    ])
    func decodesLeniently(encoded: String, decoded: String) {
        #expect(PercentEncoding.decode(encoded) == decoded)
    }
}

@Suite("Base64")
struct Base64Tests {
    @Test(arguments: [
        // RFC 4648 §10.
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(text: String, encoded: String) {
        let bytes = Array(text.utf8)
        #expect(Base64.encode(bytes) == encoded)
        #expect(Base64.decode(encoded) == bytes)
        // Unpadded is accepted too.
        #expect(Base64.decode(String(encoded.filter { $0 != "=" })) == bytes)
    }

    @Test func binaryRoundTrips() {
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
        #expect(Base64.encode([0xFF, 0xFE, 0xFD]) == "//79")
        #expect(Base64.encode([0, 0, 0]) == "AAAA")
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes, "\(length) bytes")
        }
        let all = (0...255).map(UInt8.init)
        #expect(Base64.decode(Base64.encode(all)) == all)
    }

    @Test(arguments: ["Z", "Zm9vY", "Zm9v!", "Zg=g", "Zm 9v", "Zm-_", "Zm9v\n", "=Zg=", "é"])
    func rejectsInvalidText(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}

@Suite("GRPCTimeout")
struct TimeoutTests {
    @Test(arguments: [
        ("1H", Int64(3_600_000_000_000)),
        ("2M", 120_000_000_000),
        ("3S", 3_000_000_000),
        ("4m", 4_000_000),
        ("5u", 5_000),
        ("6n", 6),
        ("0n", 0),
        ("0S", 0),
        ("00000001m", 1_000_000),
        ("99999999n", 99_999_999),
        ("99999999S", 99_999_999_000_000_000),
        ("2562047H", 9_223_369_200_000_000_000),
        // Past Int64 nanoseconds (about 292 years): clamped rather than wrapped.
        ("2562048H", Int64.max),
        ("99999999H", Int64.max),
    ])
    func parses(text: String, nanoseconds: Int64) {
        #expect(GRPCTimeout.parse(text) == nanoseconds)
    }

    @Test(arguments: [
        "", "S", "1", "12", "123456789S", "000000000S", "-1S", "+1S", "1.5S", "1 S", " 1S", "1S ", "1s", "1h", "1x",
        "１S", "1SS", "S1", "0x1S",
    ])
    func rejectsMalformed(text: String) {
        #expect(GRPCTimeout.parse(text) == nil)
    }

    @Test(arguments: [
        (Int64(0), "0n"),
        (-5, "0n"),
        (1, "1n"),
        (99_999_999, "99999999n"),
        (100_000_000, "100000u"),
        (100_000_001, "100001u"),  // rounded up: a deadline is never shortened
        (1_500_000_000, "1500000u"),
        (99_999_999_000, "99999999u"),
        (99_999_999_001, "100000m"),
        (3_600_000_000_000, "3600000m"),
        (100_000_000_000_000, "100000S"),
        (99_999_999_000_000_000, "99999999S"),
        (99_999_999_000_000_001, "1666667M"),
    ])
    func encodes(nanoseconds: Int64, text: String) {
        #expect(GRPCTimeout.encode(nanoseconds: nanoseconds) == text)
    }

    @Test(arguments: [Int64(1), 999, 1_000, 123_456_789, 99_999_999_001, 7_000_000_000_123, 1 << 62])
    func encodingNeverShortensAndStaysShort(nanoseconds: Int64) throws {
        let text = GRPCTimeout.encode(nanoseconds: nanoseconds)
        #expect(text.utf8.count <= 9)
        let parsed = try #require(GRPCTimeout.parse(text))
        #expect(parsed >= nanoseconds)
    }

    /// Rounding up must not overflow for values within one unit of Int64.max (it once did:
    /// `(value + size - 1) / size` trapped on a caller's "practically infinite" timeout), and the
    /// encoded deadline is never shorter than asked.
    @Test(arguments: [Int64.max, Int64.max - 1, Int64.max - 3_599_999_999_999])
    func encodeNearInt64Max(nanoseconds: Int64) async {
        await #expect(processExitsWith: .success) { [nanoseconds] in
            let text = GRPCTimeout.encode(nanoseconds: nanoseconds)
            precondition((GRPCTimeout.parse(text) ?? 0) >= nanoseconds)
        }
    }
}
