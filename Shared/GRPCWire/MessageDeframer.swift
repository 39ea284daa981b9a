/// Reassembles length-prefixed gRPC messages (1 flag byte, 4-byte big-endian length, payload) from
/// DATA frames that may split or join them anywhere.
struct MessageDeframer {
    enum Failure: Error, Equatable {
        /// The declared length exceeds the receive limit.
        case tooLarge(declaredBytes: Int, limitBytes: Int)
        /// The compressed flag is set; only identity encoding is supported.
        case compressed
        /// A flag byte other than 0 or 1.
        case invalidFlags(UInt8)
    }

    /// Memory reserved up front for a message; a declared length is only a claim until the
    /// bytes arrive, so a peer cannot make every open stream reserve the full limit.
    static let reservationBytesMax = 64 * 1024

    private var prefix: [UInt8] = []
    private var payload: [UInt8] = []
    private var expectedBytes: Int? = nil
    private let limitBytes: Int

    init(limitBytes: Int) {
        self.limitBytes = limitBytes
        prefix.reserveCapacity(5)
    }

    /// True when bytes of an unfinished message are buffered.
    var hasPartialMessage: Bool { !prefix.isEmpty || expectedBytes != nil }

    /// Feeds a chunk; calls `onMessage` for every message it completes.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, onMessage: ([UInt8]) -> Void) throws(Failure) {
        var index = 0
        while index < chunk.count {
            if let expected = expectedBytes {
                let take = min(expected - payload.count, chunk.count - index)
                payload.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[index..<(index + take)]))
                index += take
                if payload.count == expected {
                    let message = payload
                    payload = []
                    expectedBytes = nil
                    onMessage(message)
                }
                continue
            }
            // Fast path: a whole prefix and message inside this chunk.
            if prefix.isEmpty, chunk.count - index >= 5 {
                let length = Self.length(chunk[index + 1], chunk[index + 2], chunk[index + 3], chunk[index + 4])
                try check(flags: chunk[index], length: length)
                index += 5
                if chunk.count - index >= length {
                    onMessage(Array(UnsafeRawBufferPointer(rebasing: chunk[index..<(index + length)])))
                    index += length
                } else {
                    expectedBytes = length
                    payload.reserveCapacity(min(length, Self.reservationBytesMax))
                }
                continue
            }
            prefix.append(chunk[index])
            index += 1
            if prefix.count == 5 {
                let length = Self.length(prefix[1], prefix[2], prefix[3], prefix[4])
                try check(flags: prefix[0], length: length)
                prefix.removeAll(keepingCapacity: true)
                if length == 0 {
                    onMessage([])
                } else {
                    expectedBytes = length
                    payload.reserveCapacity(min(length, Self.reservationBytesMax))
                }
            }
        }
    }

    private func check(flags: UInt8, length: Int) throws(Failure) {
        switch flags {
        case 0: break
        case 1: throw .compressed
        default: throw .invalidFlags(flags)
        }
        if length > limitBytes { throw .tooLarge(declaredBytes: length, limitBytes: limitBytes) }
    }

    private static func length(_ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8) -> Int {
        Int(b1) << 24 | Int(b2) << 16 | Int(b3) << 8 | Int(b4)
    }
}

public enum GRPCFraming {
    /// Bytes before every message on the wire.
    public static let prefixBytes = 5

    /// Writes the uncompressed-message prefix into the first five bytes of `framed`, whose payload
    /// follows them (see `ProtoMessage.protobufBytes(headroom:)`).
    public static func writePrefix(_ framed: inout [UInt8]) {
        precondition(framed.count >= prefixBytes)
        let length = UInt32(framed.count - prefixBytes)
        framed[0] = 0
        framed[1] = UInt8(truncatingIfNeeded: length >> 24)
        framed[2] = UInt8(truncatingIfNeeded: length >> 16)
        framed[3] = UInt8(truncatingIfNeeded: length >> 8)
        framed[4] = UInt8(truncatingIfNeeded: length)
    }
}
