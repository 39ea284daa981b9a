// The invariant every fuzz target holds a decoded protobuf message to.

import GRPCWire

public enum MessageRoundTrip {
    /// Decodes `bytes` as `M`; when that works, encoding and decoding again must give the same
    /// message, encoding that must give the same bytes, and encoding with headroom must put the same
    /// bytes after the headroom. Returns whether `bytes` decoded.
    @discardableResult
    public static func check<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> Bool {
        guard let message = try? M(protobufBytes: bytes) else { return false }
        let encoded = message.protobufBytes()
        let again: M
        do {
            again = try M(protobufBytes: encoded)
        } catch {
            preconditionFailure("\(M.protoMessageName): re-encoded message does not decode: \(error)")
        }
        precondition(again == message, "\(M.protoMessageName): round trip changed the message")
        precondition(again.protobufBytes() == encoded, "\(M.protoMessageName): encoding is not stable")
        let framed = message.protobufBytes(headroom: GRPCFraming.prefixBytes)
        precondition(
            framed.count == GRPCFraming.prefixBytes + encoded.count
                && framed.prefix(GRPCFraming.prefixBytes).allSatisfy { $0 == 0 }
                && Array(framed.dropFirst(GRPCFraming.prefixBytes)) == encoded,
            "\(M.protoMessageName): encoding with headroom differs")
        return true
    }
}
