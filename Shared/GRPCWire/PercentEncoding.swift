/// `grpc-message` is percent-encoded UTF-8 (PROTOCOL-HTTP2.md): bytes outside 0x20…0x7E, and '%'
/// itself, are written as `%XX`. A space at either end is encoded too: HTTP/2 forbids leading and
/// trailing whitespace in field values, and nghttp2 resets a stream that carries it.
public enum PercentEncoding {
    public static func encode(_ message: String) -> String {
        let utf8 = message.utf8
        var needsEncoding = utf8.first == 0x20 || utf8.last == 0x20
        for byte in utf8 where byte < 0x20 || byte > 0x7E || byte == 0x25 {
            needsEncoding = true
            break
        }
        if !needsEncoding { return message }
        let lastIndex = utf8.count - 1
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count * 3)
        for (index, byte) in utf8.enumerated() {
            let edgeSpace = byte == 0x20 && (index == 0 || index == lastIndex)
            if byte < 0x20 || byte > 0x7E || byte == 0x25 || edgeSpace {
                out.append(0x25)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes leniently: a malformed escape is kept as it is, as the protocol asks of receivers.
    public static func decode(_ encoded: String) -> String {
        let bytes = Array(encoded.utf8)
        guard bytes.contains(0x25) else { return encoded }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
