// Hand-written (not generated): what the generated messages of this module share.

import CProtobufC
import GRPCWire

extension ProtoMessage {
    /// A message built by a closure, e.g. `Grpc_Testing_Payload.with { $0.body = bytes }`.
    public static func with<E: Error>(_ populate: (inout Self) throws(E) -> Void) throws(E) -> Self {
        var message = Self()
        try populate(&message)
        return message
    }
}

/// A string field of a decoded message was not valid UTF-8 (protobuf-c 1.4 does not check).
struct ProtoStringError: Error {}

/// Conversions between protoc-c's C representations and Swift values.
///
/// protobuf-c keeps strings NUL-terminated without a length, so a string field is cut at its first
/// NUL byte, both when decoding and when encoding. Use a `bytes` field for binary data.
enum ProtoCodec {
    static func string(_ pointer: UnsafePointer<CChar>?) throws(ProtoStringError) -> String {
        guard let pointer, pointer.pointee != 0 else { return "" }
        guard let string = String(validatingCString: pointer) else { throw ProtoStringError() }
        return string
    }

    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let base = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    /// `headroom` zero bytes followed by the `size` bytes `pack` writes.
    static func encode(headroom: Int, size: Int, _ pack: (UnsafeMutablePointer<UInt8>) -> Int) -> [UInt8] {
        precondition(headroom >= 0, "negative headroom")
        let total = headroom + size
        if total == 0 { return [] }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            let base = buffer.baseAddress!
            base.initialize(repeating: 0, count: headroom)
            if size > 0 {
                let written = pack(base + headroom)
                precondition(written == size, "protobuf-c packed \(written) bytes, expected \(size)")
            }
            count = total
        }
    }
}

/// Memory for the C structs, strings and arrays of one encoding, freed all at once.
///
/// A bump allocator over a few blocks: a message's C form is built in it, packed, and the arena is
/// released before `protobufBytes` returns, so nothing C-side outlives the call.
struct ProtoArena: ~Copyable {
    // The first block is kept apart so that a small message costs one allocation, not two.
    private var firstBlock: UnsafeMutableRawPointer?
    private var moreBlocks: [UnsafeMutableRawPointer] = []
    private var next: UnsafeMutableRawPointer?
    private var remaining = 0

    private static let blockSize = 1024

    init() {}

    deinit {
        firstBlock?.deallocate()
        for block in moreBlocks { block.deallocate() }
    }

    /// Frees everything allocated so far.
    mutating func release() {
        firstBlock?.deallocate()
        firstBlock = nil
        for block in moreBlocks { block.deallocate() }
        moreBlocks.removeAll()
        next = nil
        remaining = 0
    }

    private mutating func newBlock(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: alignment)
        if firstBlock == nil { firstBlock = block } else { moreBlocks.append(block) }
        return block
    }

    mutating func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        raw(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    /// A copy of `array` (which must not be empty).
    mutating func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
        let pointer = allocate(T.self, count: array.count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: array.count).initialize(from: array)
        return pointer
    }

    /// A NUL-terminated copy; always a fresh allocation, never `protobuf_c_empty_string`, so a
    /// oneof member set to "" is still encoded.
    mutating func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let pointer = allocate(CChar.self, count: utf8.count + 1)
            if let base = utf8.baseAddress {
                UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: utf8.count)
            }
            pointer[utf8.count] = 0
            return pointer
        }
    }

    mutating func binaryData(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        if bytes.isEmpty { return ProtobufCBinaryData(len: 0, data: nil) }
        return ProtobufCBinaryData(len: bytes.count, data: copy(bytes))
    }

    private mutating func raw(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if let next {
            let aligned = next.alignedUp(toMultipleOf: alignment)
            let needed = (aligned - next) + byteCount
            if needed <= remaining {
                self.next = aligned + byteCount
                remaining -= needed
                return aligned
            }
        }
        // Large requests get a block of their own; the current block stays in use.
        if byteCount > Self.blockSize / 2 {
            return newBlock(byteCount: max(byteCount, 1), alignment: max(alignment, 16))
        }
        let block = newBlock(byteCount: Self.blockSize, alignment: 16)
        let aligned = block.alignedUp(toMultipleOf: alignment)
        next = aligned + byteCount
        remaining = Self.blockSize - (aligned - block) - byteCount
        return aligned
    }
}

// MARK: - The embedded descriptors, read

/// The services and messages of the embedded `FileDescriptorProto`s (``ProtoDescriptors``), read
/// with a minimal protobuf wire reader (the descriptor messages have no generated types here). One
/// reader for everything that walks the descriptors: the request limit checker (ServiceKit), the
/// authorization matrix's list of methods and the request fuzz target.
///
/// FileDescriptorProto: 2 package, 4 message_type, 6 service. ServiceDescriptorProto: 1 name,
/// 2 method. MethodDescriptorProto: 1 name, 2 input_type, 5 client_streaming, 6 server_streaming.
/// DescriptorProto: 1 name, 2 field, 3 nested_type. FieldDescriptorProto: 1 name, 3 number,
/// 4 label, 5 type, 6 type_name, 9 oneof_index, 17 proto3_optional.
public enum EmbeddedDescriptors {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var number: Int
        /// FieldDescriptorProto.Type: 1 double ... 18 sint64.
        public var type: Int
        public var repeated: Bool
        /// Fully qualified message or enum name, without the leading dot; empty for scalars.
        public var typeName: String
        /// Index of the oneof this field belongs to (not for proto3 `optional`).
        public var oneof: Int?
    }

    public struct Message: Sendable, Hashable {
        /// Fully qualified, e.g. `recs.common.v1.PostalAddress`.
        public var name: String
        public var fields: [Field]
    }

    public struct Method: Sendable, Hashable {
        /// Fully qualified service name, e.g. `recs.transfer.v1.TransferService`.
        public var service: String
        public var name: String
        /// Fully qualified name of the request message.
        public var inputType: String
        public var clientStreaming: Bool
        public var serverStreaming: Bool

        public var path: String { "/\(service)/\(name)" }
    }

    public struct File: Sendable {
        public var name: String
        public var package: String
        /// Every message, nested ones included, in declaration order (a message before its nested ones).
        public var messages: [Message]
        public var methods: [Method]
    }

    public struct Malformed: Error, CustomStringConvertible {
        public var file: String
        public var description: String { "the embedded FileDescriptorProto of \(file) could not be read" }
    }

    /// Every embedded file, by name.
    public static func files() throws(Malformed) -> [File] {
        var files: [File] = []
        for (name, bytes) in ProtoDescriptors.fileDescriptorProtos.sorted(by: { $0.key < $1.key }) {
            guard let file = file(name: name, bytes) else { throw Malformed(file: name) }
            files.append(file)
        }
        return files
    }

    /// One encoded `FileDescriptorProto`, or nil when it does not read.
    public static func file(name: String, _ bytes: [UInt8]) -> File? {
        guard let file = WireFields(bytes) else { return nil }
        let package = file.string(2) ?? ""
        var messages: [Message] = []
        for message in file.bytes(4) {
            guard addMessage(message, scope: package, to: &messages) else { return nil }
        }
        var methods: [Method] = []
        for serviceBytes in file.bytes(6) {
            guard let service = WireFields(serviceBytes), let serviceName = service.string(1) else { return nil }
            for methodBytes in service.bytes(2) {
                guard let method = WireFields(methodBytes), let methodName = method.string(1), let input = method.string(2) else {
                    return nil
                }
                methods.append(
                    Method(
                        service: qualified(package, serviceName), name: methodName, inputType: unqualified(input),
                        clientStreaming: method.varint(5) == 1, serverStreaming: method.varint(6) == 1))
            }
        }
        return File(name: name, package: package, messages: messages, methods: methods)
    }

    private static func addMessage(_ bytes: [UInt8], scope: String, to messages: inout [Message]) -> Bool {
        guard let message = WireFields(bytes), let name = message.string(1) else { return false }
        let fullName = qualified(scope, name)
        var fields: [Field] = []
        for fieldBytes in message.bytes(2) {
            guard let field = WireFields(fieldBytes), let fieldName = field.string(1), let number = field.varint(3),
                let type = field.varint(5)
            else { return false }
            let proto3Optional = field.varint(17) == 1
            fields.append(
                Field(
                    name: fieldName, number: Int(number), type: Int(type), repeated: field.varint(4) == 3,
                    typeName: unqualified(field.string(6) ?? ""), oneof: proto3Optional ? nil : field.varint(9).map { Int($0) }))
        }
        messages.append(Message(name: fullName, fields: fields))
        for nested in message.bytes(3) where !addMessage(nested, scope: fullName, to: &messages) { return false }
        return true
    }

    private static func qualified(_ scope: String, _ name: String) -> String { scope.isEmpty ? name : "\(scope).\(name)" }
    private static func unqualified(_ name: String) -> String { name.hasPrefix(".") ? String(name.dropFirst()) : name }
}

/// The fields of one encoded descriptor: the last varint and every length-delimited value of each
/// field number (fixed-width values are skipped; groups do not occur in descriptors).
private struct WireFields {
    private var varints: [Int: UInt64] = [:]
    private var delimited: [Int: [[UInt8]]] = [:]

    init?(_ bytes: [UInt8]) {
        var index = 0
        func readVarint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while index < bytes.count {
            guard let key = readVarint() else { return nil }
            let field = Int(key >> 3)
            switch key & 0x7 {
            case 0:
                guard let value = readVarint() else { return nil }
                varints[field] = value
            case 1: index += 8
            case 2:
                guard let length = readVarint(), length <= UInt64(bytes.count - index) else { return nil }
                delimited[field, default: []].append(Array(bytes[index..<index + Int(length)]))
                index += Int(length)
            case 5: index += 4
            default: return nil
            }
            if index > bytes.count { return nil }
        }
    }

    func varint(_ field: Int) -> UInt64? { varints[field] }
    func bytes(_ field: Int) -> [[UInt8]] { delimited[field] ?? [] }
    func string(_ field: Int) -> String? { delimited[field]?.last.map { String(decoding: $0, as: UTF8.self) } }
}
