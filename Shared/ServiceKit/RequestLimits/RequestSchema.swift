import Domain
import ProtoMessages

/// The request messages of the four services as the limit checker walks them: read once from the
/// embedded descriptors (``EmbeddedDescriptors``) and joined
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
        var declared: [EmbeddedDescriptors.Message] = []
        var methods: [EmbeddedDescriptors.Method] = []
        for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
            guard let file = EmbeddedDescriptors.file(name: name, bytes) else {
                preconditionFailure("the embedded descriptor of \(name) does not read")
            }
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
            guard let input = index[method.inputType] else {
                preconditionFailure("\(method.path) takes \(method.inputType), which no descriptor declares")
            }
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
