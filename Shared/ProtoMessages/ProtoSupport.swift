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
