import Domain
import GRPCWire
import ProtoMessages
import RPC

/// Refuses a request whose string, bytes or repeated fields go over their limits
/// (``RequestLimits/fields``) with INVALID_ARGUMENT naming each field by its path in the request
/// (`contact.address.lines[2]`) and the limit with its unit, and `recs-error-details-bin` listing
/// the violations.
///
/// It walks the request's encoding, not the decoded message: the RPC layer runs it on the bytes of
/// every request of every method before they are decoded (``ServiceDefinition/checkingRequests(with:)``),
/// so neither decoding, nor the interceptor, nor the handler does any work for a request over its
/// limits. The walk reads lengths and counts elements with the tables of ``RequestSchema``; it
/// allocates only to describe violations. Bytes that are not a valid encoding are left to the
/// decoder, which refuses them as before.
public final class RequestLimitChecker: RequestChecker {
    /// The four services' requests and ``RequestLimits/fields``.
    public static let shared = RequestLimitChecker(files: ProtoDescriptors.fileDescriptorProtos, limits: RequestLimits.fields)

    /// Violations described in one refusal at most; the status says how many more were found.
    static let violationsMax = 16

    let schema: RequestSchema
    /// The fields of every message as the walk reads them, message after message: nothing
    /// reference-counted, read through one buffer pointer per check.
    private let walkFields: [WalkField]
    /// Per message: where its fields and its field-number index start, and its counters.
    private let walkMessages: [WalkMessage]
    /// Per message, from `numberStart`: the index into `walkFields` of each field number, -1 if none.
    private let walkNumbers: [Int]
    /// Counters needed by the deepest chain of nested messages (no message contains itself).
    private let countersMax: Int

    struct WalkField {
        var kind: RequestSchema.Kind
        var repeated: Bool
        var message: Int
        var elementMax: Int
        var itemsMax: Int
        var slot: Int
        /// The field's position in its message (``RequestSchema/Message/fields``), for reports.
        var position: Int
    }

    struct WalkMessage {
        var fieldStart: Int
        var fieldCount: Int
        var numberStart: Int
        var numberCount: Int
        var slots: Int
        /// False for a message with nothing to count or bound, however deep (dates, amounts):
        /// the walk skips it.
        var checked: Bool
    }

    init(files: [String: [UInt8]], limits: [String: FieldLimit]) {
        let schema = RequestSchema(files: files, limits: limits)
        self.schema = schema
        var fields: [WalkField] = []
        var messages: [WalkMessage] = []
        var numbers: [Int] = []
        for message in schema.messages {
            messages.append(
                WalkMessage(
                    fieldStart: fields.count, fieldCount: message.fields.count, numberStart: numbers.count,
                    numberCount: message.byNumber.count, slots: message.slots, checked: true))
            numbers += message.byNumber.map { $0 < 0 ? -1 : fields.count + $0 }
            for (position, field) in message.fields.enumerated() {
                fields.append(
                    WalkField(
                        kind: field.kind, repeated: field.repeated, message: field.message,
                        elementMax: field.element?.value ?? Int.max, itemsMax: field.items?.value ?? Int.max, slot: field.slot,
                        position: position))
            }
        }
        // Which messages have anything to check, and how many counters a walk from each needs.
        var checked = [Bool?](repeating: nil, count: messages.count)
        var counters = [Int?](repeating: nil, count: messages.count)
        func visit(_ index: Int) -> (checked: Bool, counters: Int) {
            if let known = checked[index], let needed = counters[index] { return (known, needed) }
            let message = schema.messages[index]
            var any = message.fields.contains { $0.element != nil || $0.items != nil }
            var deepest = 0
            for field in message.fields where field.kind == .message && field.message >= 0 {
                let nested = visit(field.message)
                any = any || nested.checked
                deepest = max(deepest, nested.counters)
            }
            checked[index] = any
            counters[index] = message.slots + deepest
            return (any, message.slots + deepest)
        }
        var countersMax = 1
        for index in messages.indices { countersMax = max(countersMax, visit(index).counters) }
        for index in messages.indices { messages[index].checked = checked[index] ?? true }
        walkFields = fields
        walkMessages = messages
        walkNumbers = numbers
        self.countersMax = countersMax
    }

    /// Wraps a service so every request of every method is checked before it is decoded.
    public static func limiting(_ service: any RPCService) -> any RPCService {
        CheckedService(service, checker: shared)
    }

    public func check(for method: MethodDescriptor) -> RequestCheck? {
        guard let message = schema.methodInputs[method.path] else { return nil }
        return { [self] bytes in try self.check(bytes, message: message) }
    }

    /// Throws the refusal when `bytes`, a request of type `message`, break a limit.
    func check(_ bytes: [UInt8], message: Int) throws {
        let violations = self.violations(in: bytes, message: message)
        guard let first = violations.first else { return }
        var summary = "\(first.field ?? ""): \(first.message)"
        if violations.count > 1 { summary += " (and \(violations.count - 1) more over their limits)" }
        throw ServiceErrors.status(.invalidArgument, summary, reason: "", violations: violations)
    }

    /// The violations of a request of the named type; for tests.
    public func violations(in bytes: [UInt8], messageName: String) -> [RuleViolation] {
        guard let message = schema.messageIndex[messageName] else { preconditionFailure("no message \(messageName)") }
        return violations(in: bytes, message: message)
    }

    func violations(in bytes: [UInt8], message: Int) -> [RuleViolation] {
        var found: [RuleViolation] = []
        bytes.withUnsafeBufferPointer { bytes in
            walkFields.withUnsafeBufferPointer { fields in
                walkMessages.withUnsafeBufferPointer { messages in
                    walkNumbers.withUnsafeBufferPointer { numbers in
                        withUnsafeTemporaryAllocation(of: Int.self, capacity: countersMax) { counters in
                            let tables = Tables(fields: fields, messages: messages, numbers: numbers, counters: counters)
                            walk(bytes, message: message, counters: 0, tables, parent: nil, found: &found)
                        }
                    }
                }
            }
        }
        return found
    }

    /// The tables of one walk, as buffer pointers.
    private struct Tables {
        var fields: UnsafeBufferPointer<WalkField>
        var messages: UnsafeBufferPointer<WalkMessage>
        var numbers: UnsafeBufferPointer<Int>
        /// Each message being walked uses `slots` counters from its own start; a nested one the
        /// counters after them.
        var counters: UnsafeMutableBufferPointer<Int>
    }

    /// One step of the path from the request to the field being read, kept on the stack.
    private struct PathNode {
        var message: Int
        var field: Int
        /// The element's index in a repeated field, -1 for a singular one.
        var element: Int
        var parent: UnsafePointer<PathNode>?
    }

    /// Walks one message; stops quietly at bytes that do not parse (the decoder refuses them).
    private func walk(
        _ bytes: UnsafeBufferPointer<UInt8>, message: Int, counters base: Int, _ tables: Tables, parent: UnsafePointer<PathNode>?,
        found: inout [RuleViolation]
    ) {
        let info = tables.messages[message]
        let counts = tables.counters
        for slot in 0..<info.slots { counts[base + slot] = 0 }
        let nestedBase = base + info.slots
        var index = 0
        while index < bytes.count {
            guard let key = Self.varint(bytes, &index) else { return }
            let number = Int(truncatingIfNeeded: key >> 3)
            let wireType = key & 7
            var length = 0
            switch wireType {
            case 0: guard Self.varint(bytes, &index) != nil else { return }
            case 1: index += 8
            case 5: index += 4
            case 2:
                guard let value = Self.varint(bytes, &index), value <= UInt64(bytes.count - index) else { return }
                length = Int(value)
                index += length
            default: return
            }
            guard index <= bytes.count else { return }
            guard number > 0, number < info.numberCount else { continue }
            let fieldIndex = tables.numbers[info.numberStart + number]
            guard fieldIndex >= 0 else { continue }
            let field = tables.fields[fieldIndex]
            if field.slot < 0 {
                // A singular string, bytes or scalar field.
                if wireType == 2, length > field.elementMax {
                    let value = UnsafeBufferPointer(rebasing: bytes[(index - length)..<index])
                    report(message, field.position, element: -1, value: value, parent: parent, found: &found)
                }
                continue
            }
            let counter = base + field.slot
            let element = counts[counter]
            switch field.kind {
            case .message:
                counts[counter] += 1
                guard wireType == 2 else { continue }
                if !field.repeated, element == 1 {
                    // protobuf-c merges a singular message sent twice, which would let its
                    // repeated fields add up past their limits unseen.
                    reportRepeatedMessage(message, field.position, parent: parent, found: &found)
                }
                guard field.message >= 0, tables.messages[field.message].checked else { continue }
                var node = PathNode(message: message, field: field.position, element: field.repeated ? element : -1, parent: parent)
                withUnsafePointer(to: &node) { node in
                    walk(
                        UnsafeBufferPointer(rebasing: bytes[(index - length)..<index]), message: field.message, counters: nestedBase, tables,
                        parent: node, found: &found)
                }
            case .string, .bytes:
                counts[counter] += 1
                if wireType == 2, length > field.elementMax {
                    let value = UnsafeBufferPointer(rebasing: bytes[(index - length)..<index])
                    report(message, field.position, element: element, value: value, parent: parent, found: &found)
                }
            case .varint, .fixed32, .fixed64:
                guard wireType == 2 else {
                    counts[counter] += 1
                    continue
                }
                // A packed run.
                switch field.kind {
                case .fixed32: counts[counter] += length / 4
                case .fixed64: counts[counter] += length / 8
                default:
                    var elements = 0
                    for byte in bytes[(index - length)..<index] where byte < 0x80 { elements += 1 }
                    counts[counter] += elements
                }
            }
        }
        guard info.slots > 0 else { return }
        for fieldIndex in info.fieldStart..<(info.fieldStart + info.fieldCount) {
            let field = tables.fields[fieldIndex]
            if field.repeated, counts[base + field.slot] > field.itemsMax {
                reportItems(message, field.position, count: counts[base + field.slot], parent: parent, found: &found)
            }
        }
    }

    private static func varint(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> UInt64? {
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

    // MARK: Describing violations (only when there are some)

    private func report(
        _ message: Int, _ position: Int, element: Int, value: UnsafeBufferPointer<UInt8>, parent: UnsafePointer<PathNode>?,
        found: inout [RuleViolation]
    ) {
        let field = schema.messages[message].fields[position]
        guard let limit = field.element else { return }
        // A string's characters are its Unicode scalars: every byte but UTF-8's continuation bytes.
        let size = field.kind == .string ? value.reduce(0) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 } : value.count
        guard size > limit.value else { return }
        add(
            RuleViolation(limit.code, "\(size) \(limit.unit.rawValue), more than \(limit)", section: limit.section),
            path: path(message, position, element: element, parent: parent), to: &found)
    }

    private func reportItems(_ message: Int, _ position: Int, count: Int, parent: UnsafePointer<PathNode>?, found: inout [RuleViolation]) {
        guard let limit = schema.messages[message].fields[position].items else { return }
        add(
            RuleViolation(limit.code, "\(count) items, more than \(limit)", section: limit.section),
            path: path(message, position, element: -1, parent: parent), to: &found)
    }

    private func reportRepeatedMessage(_ message: Int, _ position: Int, parent: UnsafePointer<PathNode>?, found: inout [RuleViolation]) {
        add(
            RuleViolation(.valueTooLong, "a singular message field occurs more than once", section: "docs/API.md, Limits"),
            path: path(message, position, element: -1, parent: parent), to: &found)
    }

    private func add(_ violation: RuleViolation, path: String, to found: inout [RuleViolation]) {
        guard found.count < Self.violationsMax else { return }
        var violation = violation
        violation.field = path
        found.append(violation)
    }

    /// `contact.address.lines[2]`: the proto field names from the request down, with indexes.
    private func path(_ message: Int, _ position: Int, element: Int, parent: UnsafePointer<PathNode>?) -> String {
        var parts = [step(message, position, element)]
        var node = parent
        while let current = node?.pointee {
            parts.append(step(current.message, current.field, current.element))
            node = current.parent
        }
        return parts.reversed().joined(separator: ".")
    }

    private func step(_ message: Int, _ position: Int, _ element: Int) -> String {
        let name = schema.messages[message].fields[position].name
        return element >= 0 ? "\(name)[\(element)]" : name
    }
}

extension RequestLimitChecker {
    /// A string, bytes or repeated field of a request of the four services.
    public struct RequestField: Sendable, Hashable, CustomStringConvertible {
        /// Fully qualified: `recs.common.v1.PostalAddress.lines`.
        public var name: String
        /// `string`, `bytes`, `message` or a scalar.
        public var isString: Bool
        public var isBytes: Bool
        public var repeated: Bool
        /// The message type of a message field, the empty string otherwise.
        public var messageType: String
        public var description: String { name }
    }

    /// Every string, bytes and repeated field of every message reachable from a request of the
    /// four services, with its limit if it has one: what the tests hold against ``RequestLimits``.
    public var requestFields: [(field: RequestField, limit: FieldLimit?)] {
        schema.requestMessages.flatMap { index in
            let message = schema.messages[index]
            return message.fields.compactMap { field -> (field: RequestField, limit: FieldLimit?)? in
                guard field.repeated || field.kind == .string || field.kind == .bytes else { return nil }
                let limit = RequestLimits.fields["\(message.name).\(field.name)"]
                return (
                    field: RequestField(
                        name: "\(message.name).\(field.name)", isString: field.kind == .string, isBytes: field.kind == .bytes,
                        repeated: field.repeated, messageType: field.kind == .message ? field.typeName : ""),
                    limit: limit
                )
            }
        }
    }

    /// The request message type of each method of the four services, by `:path`.
    public var requestTypes: [String: String] {
        schema.methodInputs.mapValues { schema.messages[$0].name }
    }
}
