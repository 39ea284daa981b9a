/// A protobuf message with a Swift value type on top of protoc-c's C encoder and decoder.
///
/// Generated code (Shared/ProtoMessages) conforms every message of `Protos/` to this protocol; the RPC
/// runtime only ever sees messages through it, so the C structs never leave the generated files.
public protocol ProtoMessage: Sendable, Equatable {
    /// The message with every field at its proto3 default.
    init()

    /// Decodes protobuf wire bytes. Throws when protobuf-c rejects them (truncated, wrong wire type,
    /// invalid UTF-8 in a string field, and so on).
    init(protobufBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError)

    /// Encodes the message. The result starts with `headroom` zero bytes that the caller may
    /// overwrite (the RPC runtime puts the 5-byte gRPC message prefix there), followed by the
    /// protobuf encoding.
    func protobufBytes(headroom: Int) -> [UInt8]

    /// The fully qualified proto name, e.g. `grpc.testing.SimpleRequest`.
    static var protoMessageName: String { get }
}

extension ProtoMessage {
    public init(protobufBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        var result: Result<Self, ProtoDecodingError> = .failure(ProtoDecodingError(messageName: Self.protoMessageName, byteCount: bytes.count))
        bytes.withUnsafeBytes { raw in
            do throws(ProtoDecodingError) {
                result = .success(try Self(protobufBytes: raw))
            } catch {
                result = .failure(error)
            }
        }
        self = try result.get()
    }

    public func protobufBytes() -> [UInt8] { protobufBytes(headroom: 0) }
}

/// The bytes given to `ProtoMessage.init(protobufBytes:)` are not a valid encoding of the type.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var messageName: String
    public var byteCount: Int

    public init(messageName: String, byteCount: Int) {
        self.messageName = messageName
        self.byteCount = byteCount
    }

    public var description: String {
        "could not decode \(byteCount) bytes as \(messageName)"
    }
}
