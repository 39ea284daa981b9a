"""Swift value types for messages and enums, on top of protoc-c's generated C (module ProtoMessages)."""

from model import FD, SCALARS
from swiftgen import Writer, header

SWIFT_FROM_C_SAME = {  # proto types whose C and Swift representations are the same numeric type
    FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32, FD.TYPE_INT64, FD.TYPE_SINT64,
    FD.TYPE_SFIXED64, FD.TYPE_UINT32, FD.TYPE_FIXED32, FD.TYPE_UINT64, FD.TYPE_FIXED64,
    FD.TYPE_FLOAT, FD.TYPE_DOUBLE,
}


# ---------------------------------------------------------------- types and defaults

def value_type(field, model):
    """The Swift type of one value of the field (ignoring repeated/map/optional)."""
    if field.is_message:
        return model.messages[field.type_name].swift_name
    if field.is_enum:
        return model.enums[field.type_name].swift_name
    return SCALARS[field.type][0]


def value_default(field, model):
    if field.is_message:
        return model.messages[field.type_name].swift_name + "()"
    if field.is_enum:
        e = model.enums[field.type_name]
        return f"{e.swift_name}.{e.default_case}"
    return SCALARS[field.type][1]


def property_type(field, model):
    if field.is_map:
        key, value = field.map_entry.fields
        return f"[{value_type(key, model)}: {value_type(value, model)}]"
    if field.is_repeated:
        return f"[{value_type(field, model)}]"
    if field.is_message:
        return value_type(field, model) + "?"
    return value_type(field, model)


def property_default(field, model):
    if field.is_map:
        return "[:]"
    if field.is_repeated:
        return "[]"
    if field.is_message:
        return None
    if field.is_enum:
        return "." + model.enums[field.type_name].default_case
    return SCALARS[field.type][1]


# ---------------------------------------------------------------- decoding (C -> Swift)

def decode_expr(field, src, model):
    """An expression converting one non-message C value to Swift (starts with `try` if it can throw)."""
    t = field.type
    if t in SWIFT_FROM_C_SAME:
        return src
    if t == FD.TYPE_BOOL:
        return f"{src} != 0"
    if t == FD.TYPE_STRING:
        return f"try ProtoCodec.string({src})"
    if t == FD.TYPE_BYTES:
        return f"ProtoCodec.bytes({src})"
    if t == FD.TYPE_ENUM:
        e = model.enums[field.type_name]
        return f"{e.swift_name}(rawValue: Int32(truncatingIfNeeded: {src}.rawValue))"
    raise AssertionError(t)


def emit_decode_field(w, field, model):
    c = f"c.pointee.{field.c_member}"
    n = f"c.pointee.n_{field.c_name}"
    name = "self." + field.swift_name
    if field.is_map:
        key, value = field.map_entry.fields
        w(f"{name}.reserveCapacity({n})")
        w(f"for i in 0..<{n} {{")
        w.indent()
        w(f"let entry = {c}[i]!")
        w(f"let key = {decode_expr(key, 'entry.pointee.key', model)}")
        if value.is_message:
            target = model.messages[value.type_name].swift_name
            w(f"var value = {target}()")
            w(f"if let p = entry.pointee.value {{ value = try {target}(protoC: p) }}")
        else:
            w(f"let value = {decode_expr(value, 'entry.pointee.value', model)}")
        w(f"{name}[key] = value")
        w.dedent()
        w("}")
    elif field.is_repeated:
        t = field.type
        buffer = f"UnsafeBufferPointer(start: {c}, count: {n})"
        if t in SWIFT_FROM_C_SAME:
            w(f"{name} = Array({buffer})")
        elif t == FD.TYPE_BOOL:
            w(f"{name} = {buffer}.map {{ $0 != 0 }}")
        elif t == FD.TYPE_BYTES:
            w(f"{name} = {buffer}.map {{ ProtoCodec.bytes($0) }}")
        elif t == FD.TYPE_ENUM:
            e = model.enums[field.type_name]
            w(f"{name} = {buffer}.map {{ {e.swift_name}(rawValue: Int32(truncatingIfNeeded: $0.rawValue)) }}")
        elif t == FD.TYPE_STRING:
            w(f"{name}.reserveCapacity({n})")
            w(f"for i in 0..<{n} {{ {name}.append(try ProtoCodec.string({c}[i])) }}")
        elif t == FD.TYPE_MESSAGE:
            target = model.messages[field.type_name].swift_name
            w(f"{name}.reserveCapacity({n})")
            w(f"for i in 0..<{n} {{ {name}.append(try {target}(protoC: {c}[i]!)) }}")
        else:
            raise AssertionError(t)
    elif field.is_message:
        target = model.messages[field.type_name].swift_name
        w(f"if let p = {c} {{ {name} = try {target}(protoC: p) }}")
    else:
        w(f"{name} = {decode_expr(field, c, model)}")


def emit_decode_oneof(w, oneof, model):
    w(f"switch c.pointee.{oneof.c_case}.rawValue {{")
    for f in oneof.fields:
        case = f.swift_name
        src = f"c.pointee.{f.c_member}"
        w(f"case {f.number}:")
        w.indent()
        if f.is_message:
            target = model.messages[f.type_name].swift_name
            w(f"if let p = {src} {{")
            w(f"    self.{oneof.swift_name} = try .{case}({target}(protoC: p))")
            w("} else {")
            w(f"    self.{oneof.swift_name} = .{case}({target}())")
            w("}")
        else:
            expr = decode_expr(f, src, model)
            if expr.startswith("try "):
                w(f"self.{oneof.swift_name} = try .{case}({expr[4:]})")
            else:
                w(f"self.{oneof.swift_name} = .{case}({expr})")
        w.dedent()
    w("default:")
    w.indent()
    w(f"self.{oneof.swift_name} = nil")
    w.dedent()
    w("}")


# ---------------------------------------------------------------- encoding (Swift -> C)

def encode_value(w, field, dst, value, model, always):
    """Statements storing one Swift value into a C lvalue. `always`: store even a default value
    (oneof members must, or protobuf-c would not see the member as set)."""
    t = field.type
    if t in SWIFT_FROM_C_SAME:
        w(f"{dst} = {value}")
    elif t == FD.TYPE_BOOL:
        w(f"{dst} = {value} ? 1 : 0")
    elif t == FD.TYPE_ENUM:
        w(f"{dst} = .init(rawValue: .init(truncatingIfNeeded: {value}.rawValue))")
    elif t in (FD.TYPE_STRING, FD.TYPE_BYTES):
        fn = "cString" if t == FD.TYPE_STRING else "binaryData"
        if always:
            w(f"{dst} = arena.{fn}({value})")
        else:
            w(f"if !{value}.isEmpty {{ {dst} = arena.{fn}({value}) }}")
    elif t == FD.TYPE_MESSAGE:
        target = model.messages[field.type_name]
        w(f"let p = arena.allocate({target.c_type}.self)")
        w(f"{value}.fillProtoC(p, &arena)")
        w(f"{dst} = p")
    else:
        raise AssertionError(t)


def c_element_type(field, model):
    t = field.type
    if t == FD.TYPE_BOOL:
        return "protobuf_c_boolean"
    if t == FD.TYPE_STRING:
        return "UnsafeMutablePointer<CChar>?"
    if t == FD.TYPE_BYTES:
        return "ProtobufCBinaryData"
    if t == FD.TYPE_ENUM:
        return model.enums[field.type_name].c_type
    if t == FD.TYPE_MESSAGE:
        return f"UnsafeMutablePointer<{model.messages[field.type_name].c_type}>?"
    raise AssertionError(t)


def emit_encode_field(w, field, model):
    c = f"c.pointee.{field.c_member}"
    n = f"c.pointee.n_{field.c_name}"
    name = "self." + field.swift_name
    if field.is_map:
        entry = field.map_entry
        key, value = entry.fields
        w(f"if !{name}.isEmpty {{")
        w.indent()
        w(f"let entries = arena.allocate(UnsafeMutablePointer<{entry.c_type}>?.self, count: {name}.count)")
        order = "{ !$0.key && $1.key }" if key.type == FD.TYPE_BOOL else "{ $0.key < $1.key }"
        w(f"for (i, (key, value)) in {name}.sorted(by: {order}).enumerated() {{")
        w.indent()
        w(f"let entry = arena.allocate({entry.c_type}.self)")
        w(f"{entry.c_prefix}__init(entry)")
        encode_value(w, key, "entry.pointee.key", "key", model, always=False)
        encode_value(w, value, "entry.pointee.value", "value", model, always=value.is_message)
        w("entries[i] = entry")
        w.dedent()
        w("}")
        w(f"{n} = {name}.count")
        w(f"{c} = entries")
        w.dedent()
        w("}")
    elif field.is_repeated:
        w(f"if !{name}.isEmpty {{")
        w.indent()
        if field.type in SWIFT_FROM_C_SAME:
            w(f"{c} = arena.copy({name})")
        else:
            w(f"let buffer = arena.allocate({c_element_type(field, model)}.self, count: {name}.count)")
            w(f"for (i, value) in {name}.enumerated() {{")
            w.indent()
            encode_value(w, field, "buffer[i]", "value", model, always=True)
            w.dedent()
            w("}")
            w(f"{c} = buffer")
        w(f"{n} = {name}.count")
        w.dedent()
        w("}")
    elif field.is_message:
        w(f"if let value = {name} {{")
        w.indent()
        encode_value(w, field, c, "value", model, always=True)
        w.dedent()
        w("}")
    else:
        encode_value(w, field, c, name, model, always=False)


def emit_encode_oneof(w, oneof, model):
    w(f"switch self.{oneof.swift_name} {{")
    for f in oneof.fields:
        w(f"case .{f.swift_name}(let value)?:")
        w.indent()
        w(f"c.pointee.{oneof.c_case} = .init(rawValue: {f.number})")
        encode_value(w, f, f"c.pointee.{f.c_member}", "value", model, always=True)
        w.dedent()
    w("case nil:")
    w.indent()
    w("break")
    w.dedent()
    w("}")


# ---------------------------------------------------------------- declarations

def emit_enum(w, e):
    w.doc(e.comment)
    w(f"public enum {e.local_name}: Sendable, Hashable, RawRepresentable, CaseIterable {{")
    w.indent()
    for name, number, comment in e.cases:
        w.doc(comment)
        w(f"case {name}  // = {number}")
    w("/// A value this code does not know (proto3 enums are open), kept as its number.")
    w("case unrecognized(Int32)")
    for alias, target in e.aliases:
        w(f"public static let {alias}: Self = .{target}")
    w.blank()
    w(f"public init() {{ self = .{e.default_case} }}")
    w.blank()
    w("public init(rawValue: Int32) {")
    w.indent()
    w("switch rawValue {")
    for name, number, _ in e.cases:
        w(f"case {number}: self = .{name}")
    w("default: self = .unrecognized(rawValue)")
    w("}")
    w.dedent()
    w("}")
    w.blank()
    w("public var rawValue: Int32 {")
    w.indent()
    w("switch self {")
    for name, number, _ in e.cases:
        w(f"case .{name}: {number}")
    w("case .unrecognized(let value): value")
    w("}")
    w.dedent()
    w("}")
    w.blank()
    w("public static let allCases: [Self] = [" + ", ".join("." + c[0] for c in e.cases) + "]")
    w.blank()
    w("// Equal numbers are equal values, even when one is spelled `.unrecognized(n)`.")
    w("public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }")
    w("public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }")
    w.dedent()
    w("}")


def emit_message_decl(w, m, model):
    w.doc(m.comment)
    w(f"public struct {m.local_name}: ProtoMessage, Hashable {{")
    w.indent()
    for f in m.plain_fields:
        w.doc(f.comment)
        default = property_default(f, model)
        decl = f"public var {f.swift_name}: {property_type(f, model)}"
        w(decl + (f" = {default}" if default is not None else ""))
    for o in m.oneofs:
        w.blank()
        w.doc(o.comment)
        w(f"public var {o.swift_name}: {o.enum_name}?")
        for f in o.fields:
            w.blank()
            w.doc(f.comment)
            w(f"/// Reads as the default unless `{o.swift_name.strip('`')}` is `.{f.bare_swift_name}`; setting it selects that case.")
            t = value_type(f, model)
            w(f"public var {f.swift_name}: {t} {{")
            w.indent()
            w(f"get {{ if case .{f.swift_name}(let value)? = {o.swift_name} {{ value }} else {{ {value_default(f, model)} }} }}")
            w(f"set {{ {o.swift_name} = .{f.swift_name}(newValue) }}")
            w.dedent()
            w("}")
    if m.plain_fields or m.oneofs:
        w.blank()
    w("public init() {}")
    w.blank()
    w(f'public static var protoMessageName: String {{ "{m.full_name}" }}')
    for o in m.oneofs:
        w.blank()
        w.doc(o.comment)
        w(f"public enum {o.enum_name}: Sendable, Hashable {{")
        w.indent()
        for f in o.fields:
            w.doc(f.comment)
            w(f"case {f.swift_name}({value_type(f, model)})")
        w.dedent()
        w("}")
    for e in m.nested_enums:
        w.blank()
        emit_enum(w, e)
    for n in m.nested_messages:
        w.blank()
        emit_message_decl(w, n, model)
    w.dedent()
    w("}")


def emit_message_codec(w, m, model):
    p = m.c_prefix
    nested = "." in m.swift_name
    w(f"extension {m.swift_name} {{")
    w.indent()
    w("public init(protobufBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError) {")
    w.indent()
    data = "bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)"
    if nested:
        # protoc-c writes unpack/pack functions for top-level messages only; nested ones go
        # through the generic functions with the descriptor that __init stores.
        w(f"var prototype = {m.c_type}()")
        w(f"{p}__init(&prototype)")
        w(f"guard let unpacked = protobuf_c_message_unpack(prototype.base.descriptor, nil, bytes.count, {data}) else {{")
        w("    throw ProtoDecodingError(messageName: Self.protoMessageName, byteCount: bytes.count)")
        w("}")
        w("defer { protobuf_c_message_free_unpacked(unpacked, nil) }")
        w(f"let message = UnsafeRawPointer(unpacked).assumingMemoryBound(to: {m.c_type}.self)")
    else:
        w(f"guard let message = {p}__unpack(nil, bytes.count, {data}) else {{")
        w("    throw ProtoDecodingError(messageName: Self.protoMessageName, byteCount: bytes.count)")
        w("}")
        w(f"defer {{ {p}__free_unpacked(message, nil) }}")
    w("do {")
    w("    self = try Self(protoC: message)")
    w("} catch {")
    w("    throw ProtoDecodingError(messageName: Self.protoMessageName, byteCount: bytes.count)")
    w("}")
    w.dedent()
    w("}")
    w.blank()
    w("public func protobufBytes(headroom: Int) -> [UInt8] {")
    w.indent()
    w("var arena = ProtoArena()")
    w("defer { arena.release() }")
    w(f"var message = {m.c_type}()")
    w("fillProtoC(&message, &arena)")
    if nested:
        w("return withUnsafePointer(to: &message) {")
        w("    let message = UnsafeRawPointer($0).assumingMemoryBound(to: ProtobufCMessage.self)")
        w("    return ProtoCodec.encode(headroom: headroom, size: protobuf_c_message_get_packed_size(message)) { protobuf_c_message_pack(message, $0) }")
    else:
        w("return withUnsafePointer(to: &message) { message in")
        w(f"    ProtoCodec.encode(headroom: headroom, size: {p}__get_packed_size(message)) {{ {p}__pack(message, $0) }}")
    w("}")
    w.dedent()
    w("}")
    w.blank()
    w("/// Copies a message protobuf-c decoded; throws when a string is not valid UTF-8.")
    w(f"init(protoC c: UnsafePointer<{m.c_type}>) throws(ProtoStringError) {{")
    w.indent()
    w("self.init()")
    for f in m.plain_fields:
        emit_decode_field(w, f, model)
    for o in m.oneofs:
        emit_decode_oneof(w, o, model)
    w.dedent()
    w("}")
    w.blank()
    w("/// Initializes `c` and fills it in; every pointer it gets points into `arena`.")
    w(f"func fillProtoC(_ c: UnsafeMutablePointer<{m.c_type}>, _ arena: inout ProtoArena) {{")
    w.indent()
    w(f"{p}__init(c)")
    for f in m.plain_fields:
        emit_encode_field(w, f, model)
    for o in m.oneofs:
        emit_encode_oneof(w, o, model)
    w.dedent()
    w("}")
    w.dedent()
    w("}")


def generate_file(file, model):
    """The Swift source for one .proto file, or None if it declares no messages or enums."""
    if not file.messages and not file.enums:
        return None
    w = Writer()
    w(header(f"Protos/{file.name}").rstrip("\n"))
    w.blank()
    w("import CProtobufC")
    w("import GRPCWire")
    w("import ProtosC")
    for e in file.top_enums:
        w.blank()
        w(f"// MARK: - {e.full_name}")
        w.blank()
        emit_enum(w, e)
    for m in file.top_messages:
        w.blank()
        w(f"// MARK: - {m.full_name}")
        w.blank()
        emit_message_decl(w, m, model)
    w.blank()
    w("// MARK: - Encoding and decoding through protoc-c")
    for m in file.messages:
        w.blank()
        emit_message_codec(w, m, model)
    return w.text()
