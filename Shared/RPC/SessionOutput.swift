import GRPCWire
import NIOCore

extension HTTP2Session {
    /// Everything nghttp2 has queued, in one buffer (nil when nothing is), so a burst of work is
    /// written with one syscall.
    func drainOutput(_ allocator: ByteBufferAllocator) throws(HTTP2ConnectionError) -> ByteBuffer? {
        var buffer: ByteBuffer?
        try produceOutput { bytes in
            if buffer == nil { buffer = allocator.buffer(capacity: max(bytes.count, 1024)) }
            buffer!.writeBytes(bytes)
        }
        return buffer
    }
}
