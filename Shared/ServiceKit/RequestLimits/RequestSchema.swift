import Domain
import ProtoMessages

/// The request messages of the four services as the limit checker walks them: read once from the
/// embedded descriptors (``ProtoDescriptors``, the way the DomainFuzz target reads them) and joined
/// with ``RequestLimits/fields`` into flat tables, so that checking a request is a walk over its
/// bytes with table look-ups and no allocation.
final class RequestSchema: Sendable {
    enum Kind: Sendable {
        case string, bytes, message
        /// Scalars, by how a packed run of them counts: varints end at a byte below 0x80.
        case varint, fixed32, fixed64
    }

    struct Field: Sendable {
        var name: String
        var number: Int
        var kind: Kind
        var repeated: Bool
        /// The message type of a message field (an index into ``messages``), -1 otherwise.
        var message: Int
        var typeName: String
        var element: NamedLimit?
        var items: NamedLimit?
        /// This field's counter while a message is walked: elements of a repeated field,
        /// occurrences of a singular message field; -1 for none.
        var slot: Int
    }

    struct Message: Sendable {
        var name: String
        var fields: [Field]
        /// Index into `fields` by field number, -1 for numbers not declared.
        var byNumber: [Int]
        var slots: Int
    }

    /// Packages of the four services whose requests have limits.
    static let limitedPackages = ["recs.registry.v1", "recs.issuance.v1", "recs.transfer.v1", "recs.reporting.v1"]

    let messages: [Message]
    let messageIndex: [String: Int]
    /// Request message of each method of the four services, by `:path`.
    let methodInputs: [String: Int]

    init(files: [String: [UInt8]], limits: [String: FieldLimit]) {
        var declared: [(name: String, fields: [DescriptorReader.Field])] = []
        var methods: [(path: String, input: String)] = []
        for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
            guard let file = DescriptorReader.file(bytes) else { preconditionFailure("the embedded descriptor of \(name) does not read") }
            declared += file.messages
            if Self.limitedPackages.contains(file.package) { methods += file.methods }
        }
        var index: [String: Int] = [:]
        for (position, message) in declared.enumerated() where index[message.name] == nil { index[message.name] = position }
        messages = declared.map { message in
            var fields: [Field] = []
            var slots = 0
            for field in message.fields {
                let kind: Kind =
                    switch field.type {
                    case 9: .string
                    case 12: .bytes
                    case 11: .message
                    case 1, 6, 16: .fixed64
                    case 2, 7, 15: .fixed32
                    default: .varint
                    }
                let limit = limits["\(message.name).\(field.name)"]
                var slot = -1
                if field.repeated || kind == .message {
                    slot = slots
                    slots += 1
                }
                fields.append(
                    Field(
                        name: field.name, number: field.number, kind: kind, repeated: field.repeated,
                        message: kind == .message ? index[field.typeName] ?? -1 : -1, typeName: field.typeName,
                        element: limit?.element, items: limit?.items, slot: slot))
            }
            var byNumber = [Int](repeating: -1, count: (fields.map(\.number).max() ?? 0) + 1)
            for (position, field) in fields.enumerated() { byNumber[field.number] = position }
            return Message(name: message.name, fields: fields, byNumber: byNumber, slots: slots)
        }
        messageIndex = index
        var inputs: [String: Int] = [:]
        for method in methods {
            guard let input = index[method.input] else { preconditionFailure("\(method.path) takes \(method.input), which no descriptor declares") }
            inputs[method.path] = input
        }
        methodInputs = inputs
    }

    /// Every message reachable from the request of a method of the four services, requests first.
    var requestMessages: [Int] {
        var seen = Set<Int>()
        var order: [Int] = []
        func visit(_ message: Int) {
            guard message >= 0, seen.insert(message).inserted else { return }
            order.append(message)
            for field in messages[message].fields where field.kind == .message { visit(field.message) }
        }
        for input in methodInputs.values.sorted() { visit(input) }
        return order
    }
}

/// Reads the parts of `FileDescriptorProto`s the schema needs with a minimal protobuf wire reader.
/// FileDescriptorProto: 2 package, 4 message_type, 6 service. ServiceDescriptorProto: 1 name,
/// 2 method. MethodDescriptorProto: 1 name, 2 input_type. DescriptorProto: 1 name, 2 field,
/// 3 nested_type. FieldDescriptorProto: 1 name, 3 number, 4 label, 5 type, 6 type_name.
enum DescriptorReader {
    struct Field {
        var name: String
        var number: Int
        var type: Int
        var repeated: Bool
        var typeName: String
    }

    struct File {
        var package: String
        var messages: [(name: String, fields: [Field])]
        var methods: [(path: String, input: String)]
    }

    static func file(_ bytes: [UInt8]) -> File? {
        guard let file = WireFields(bytes) else { return nil }
        let package = file.string(2) ?? ""
        var messages: [(name: String, fields: [Field])] = []
        for message in file.bytes(4) {
            guard addMessage(message, scope: package, to: &messages) else { return nil }
        }
        var methods: [(path: String, input: String)] = []
        for serviceBytes in file.bytes(6) {
            guard let service = WireFields(serviceBytes), let serviceName = service.string(1) else { return nil }
            for methodBytes in service.bytes(2) {
                guard let method = WireFields(methodBytes), let name = method.string(1), let input = method.string(2) else { return nil }
                methods.append(("/\(qualified(package, serviceName))/\(name)", unqualified(input)))
            }
        }
        return File(package: package, messages: messages, methods: methods)
    }

    private static func addMessage(_ bytes: [UInt8], scope: String, to messages: inout [(name: String, fields: [Field])]) -> Bool {
        guard let message = WireFields(bytes), let name = message.string(1) else { return false }
        let fullName = qualified(scope, name)
        var fields: [Field] = []
        for fieldBytes in message.bytes(2) {
            guard let field = WireFields(fieldBytes), let fieldName = field.string(1), let number = field.varint(3),
                let type = field.varint(5)
            else { return false }
            fields.append(
                Field(
                    name: fieldName, number: Int(number), type: Int(type), repeated: field.varint(4) == 3,
                    typeName: unqualified(field.string(6) ?? "")))
        }
        messages.append((fullName, fields))
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
