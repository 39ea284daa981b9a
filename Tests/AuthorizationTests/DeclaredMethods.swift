import ProtoMessages
import RPC

/// One RPC as its .proto file declares it, read from the `FileDescriptorProto`s that
/// scripts/generate.sh embeds in `ProtoDescriptors` (the bytes the reflection service serves).
///
/// This is where the matrix gets its list of methods: a method added to a .proto is in these bytes
/// as soon as the code is regenerated (scripts/check-generated.sh fails otherwise), whether or not
/// anybody wrote a handler, an access rule or a matrix row for it.
struct DeclaredMethod: Hashable, Sendable, CustomStringConvertible {
    /// Fully qualified service name, e.g. `recs.transfer.v1.TransferService`.
    var service: String
    /// The method's name as written in the proto, e.g. `AcceptExport`.
    var name: String
    /// Fully qualified name of the request message, e.g. `recs.transfer.v1.AcceptExportRequest`.
    var inputType: String
    var clientStreaming: Bool
    var serverStreaming: Bool

    var kind: MethodKind {
        switch (clientStreaming, serverStreaming) {
        case (false, false): .unary
        case (false, true): .serverStreaming
        case (true, false): .clientStreaming
        case (true, true): .bidirectionalStreaming
        }
    }

    var path: String { "/\(service)/\(name)" }
    var description: String { path }
}

/// Reads the services out of the embedded descriptors with a minimal protobuf wire reader (the
/// descriptor messages have no generated Swift types here).
enum DeclaredMethods {
    struct MalformedDescriptor: Error, CustomStringConvertible {
        var file: String
        var description: String { "the embedded FileDescriptorProto of \(file) could not be read" }
    }

    /// Every method of `service` (fully qualified), in declaration order; empty when no file
    /// declares the service.
    static func of(_ service: String) throws -> [DeclaredMethod] {
        try all().filter { $0.service == service }
    }

    /// Every method of every service of every embedded file.
    static func all() throws -> [DeclaredMethod] {
        var methods: [DeclaredMethod] = []
        for (file, bytes) in ProtoDescriptors.fileDescriptorProtos.sorted(by: { $0.key < $1.key }) {
            guard let parsed = parseFile(bytes) else { throw MalformedDescriptor(file: file) }
            methods += parsed
        }
        return methods
    }

    // FileDescriptorProto: 2 package, 6 service. ServiceDescriptorProto: 1 name, 2 method.
    // MethodDescriptorProto: 1 name, 2 input_type, 5 client_streaming, 6 server_streaming.
    private static func parseFile(_ bytes: [UInt8]) -> [DeclaredMethod]? {
        guard let fields = WireFields(bytes) else { return nil }
        let package = fields.string(2) ?? ""
        var methods: [DeclaredMethod] = []
        for serviceBytes in fields.bytes(6) {
            guard let service = WireFields(serviceBytes), let serviceName = service.string(1) else { return nil }
            let qualified = package.isEmpty ? serviceName : "\(package).\(serviceName)"
            for methodBytes in service.bytes(2) {
                guard let method = WireFields(methodBytes), let name = method.string(1), let input = method.string(2) else {
                    return nil
                }
                methods.append(
                    DeclaredMethod(
                        service: qualified, name: name, inputType: input.hasPrefix(".") ? String(input.dropFirst()) : input,
                        clientStreaming: method.varint(5) == 1, serverStreaming: method.varint(6) == 1))
            }
        }
        return methods
    }
}

/// The fields of one encoded message: varints and length-delimited values by field number (fixed
/// 32- and 64-bit values are skipped; groups do not occur in descriptors).
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
            case 1:
                index += 8
            case 2:
                guard let length = readVarint(), length <= UInt64(bytes.count - index) else { return nil }
                delimited[field, default: []].append(Array(bytes[index..<index + Int(length)]))
                index += Int(length)
            case 5:
                index += 4
            default:
                return nil
            }
            if index > bytes.count { return nil }
        }
    }

    func varint(_ field: Int) -> UInt64? { varints[field] }
    func bytes(_ field: Int) -> [[UInt8]] { delimited[field] ?? [] }
    func string(_ field: Int) -> String? { delimited[field]?.last.map { String(decoding: $0, as: UTF8.self) } }
}
