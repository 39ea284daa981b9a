// The services and messages of the embedded FileDescriptorProtos (ProtoDescriptors), read with a
// minimal protobuf wire reader: enough to list each service's request types and to write a seed
// message with every field set.

import ProtoMessages

enum Descriptors {
    struct Field {
        var name: String
        var number: Int
        /// FieldDescriptorProto.Type: 1 double ... 18 sint64.
        var type: Int
        var repeated: Bool
        /// Fully qualified message or enum name, without the leading dot.
        var typeName: String
        /// Index of the oneof this field belongs to (not for proto3 `optional`).
        var oneof: Int?
    }

    struct Method {
        var service: String
        var name: String
        var inputType: String
    }

    /// Every method of every service of every embedded file.
    static let methods: [Method] = files.flatMap(\.methods)
    /// Every message (nested ones included) by fully qualified name.
    static let messages: [String: [Field]] = files.reduce(into: [:]) { all, file in all.merge(file.messages) { first, _ in first } }

    private static let files: [(methods: [Method], messages: [String: [Field]])] =
        ProtoDescriptors.fileDescriptorProtos.sorted { $0.key < $1.key }.map { name, bytes in
            guard let file = parseFile(bytes) else { preconditionFailure("the embedded descriptor of \(name) does not read") }
            return file
        }

    // FileDescriptorProto: 2 package, 4 message_type, 6 service. ServiceDescriptorProto: 1 name,
    // 2 method. MethodDescriptorProto: 1 name, 2 input_type. DescriptorProto: 1 name, 2 field,
    // 3 nested_type. FieldDescriptorProto: 1 name, 3 number, 4 label, 5 type, 6 type_name,
    // 9 oneof_index, 17 proto3_optional.
    private static func parseFile(_ bytes: [UInt8]) -> (methods: [Method], messages: [String: [Field]])? {
        guard let file = WireFields(bytes) else { return nil }
        let package = file.string(2) ?? ""
        var messages: [String: [Field]] = [:]
        for message in file.bytes(4) {
            guard addMessage(message, scope: package, to: &messages) else { return nil }
        }
        var methods: [Method] = []
        for serviceBytes in file.bytes(6) {
            guard let service = WireFields(serviceBytes), let serviceName = service.string(1) else { return nil }
            for methodBytes in service.bytes(2) {
                guard let method = WireFields(methodBytes), let name = method.string(1), let input = method.string(2) else { return nil }
                methods.append(Method(service: qualified(package, serviceName), name: name, inputType: unqualified(input)))
            }
        }
        return (methods, messages)
    }

    private static func addMessage(_ bytes: [UInt8], scope: String, to messages: inout [String: [Field]]) -> Bool {
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
                    typeName: unqualified(field.string(6) ?? ""),
                    oneof: proto3Optional ? nil : field.varint(9).map { Int($0) }))
        }
        messages[fullName] = fields
        for nested in message.bytes(3) where !addMessage(nested, scope: fullName, to: &messages) { return false }
        return true
    }

    private static func qualified(_ scope: String, _ name: String) -> String { scope.isEmpty ? name : "\(scope).\(name)" }
    private static func unqualified(_ name: String) -> String { name.hasPrefix(".") ? String(name.dropFirst()) : name }
}

/// The fields of one encoded message: the last varint and every length-delimited value of each
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
