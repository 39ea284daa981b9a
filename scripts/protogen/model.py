"""Loads a FileDescriptorSet, indexes its types and checks what the generators support."""

from google.protobuf import descriptor_pb2

from names import (
    RESERVED_MEMBER_NAMES, c_field_name, c_member, c_function_prefix, c_type_name, lower_camel,
    strip_enum_prefix, swift_escape, swift_package_prefix, upper_camel,
)

FD = descriptor_pb2.FieldDescriptorProto


class GeneratorError(Exception):
    """A proto the generator cannot (or must not) turn into code; the message says why."""


# ---------------------------------------------------------------- scalar kinds

# proto type -> (Swift type, Swift default literal)
SCALARS = {
    FD.TYPE_INT32: ("Int32", "0"), FD.TYPE_SINT32: ("Int32", "0"), FD.TYPE_SFIXED32: ("Int32", "0"),
    FD.TYPE_INT64: ("Int64", "0"), FD.TYPE_SINT64: ("Int64", "0"), FD.TYPE_SFIXED64: ("Int64", "0"),
    FD.TYPE_UINT32: ("UInt32", "0"), FD.TYPE_FIXED32: ("UInt32", "0"),
    FD.TYPE_UINT64: ("UInt64", "0"), FD.TYPE_FIXED64: ("UInt64", "0"),
    FD.TYPE_FLOAT: ("Float", "0"), FD.TYPE_DOUBLE: ("Double", "0"),
    FD.TYPE_BOOL: ("Bool", "false"), FD.TYPE_STRING: ("String", '""'), FD.TYPE_BYTES: ("[UInt8]", "[]"),
}


class Comments:
    """Leading comments from a file's source info, by descriptor path."""

    def __init__(self, file_proto):
        self.by_path = {}
        for loc in file_proto.source_code_info.location:
            if loc.leading_comments:
                self.by_path[tuple(loc.path)] = loc.leading_comments

    def get(self, path):
        return self.by_path.get(tuple(path), "")


class Enum:
    def __init__(self, proto, full_name, swift_name, file, path, comments):
        self.proto = proto
        self.full_name = full_name
        self.swift_name = swift_name          # fully qualified Swift name, e.g. A_B_Msg.Kind
        self.local_name = swift_name.rsplit(".", 1)[-1]
        self.file = file
        self.comment = comments.get(path)
        self.c_type = c_type_name(full_name)
        self.cases = []                       # (swift case name, number, comment)
        self.aliases = []                     # (swift name, target case name)
        seen_numbers = {}
        seen_names = set()
        for i, v in enumerate(proto.value):
            name = swift_escape(lower_camel(strip_enum_prefix(proto.name, v.name)))
            bare = name.strip("`")
            if bare in seen_names or bare in RESERVED_MEMBER_NAMES:
                raise GeneratorError(
                    f"{file.name}: enum {full_name}: value {v.name} becomes Swift case '{bare}', "
                    "which clashes with another case or a generated member")
            seen_names.add(bare)
            if v.number in seen_numbers:
                self.aliases.append((name, seen_numbers[v.number]))
            else:
                seen_numbers[v.number] = name
                self.cases.append((name, v.number, comments.get(path + [2, i])))
        if not self.cases or self.cases[0][1] != 0:
            raise GeneratorError(f"{file.name}: enum {full_name}: the first value must be 0 (proto3)")
        self.default_case = self.cases[0][0]


class Field:
    def __init__(self, proto, message, index, comments, path):
        self.proto = proto
        self.message = message
        self.name = proto.name
        self.number = proto.number
        self.swift_name = swift_escape(lower_camel(proto.name))
        self.c_name = c_field_name(proto.name)
        self.comment = comments.get(path)
        self.is_repeated = proto.label == FD.LABEL_REPEATED
        self.type = proto.type
        self.type_name = proto.type_name.lstrip(".")
        self.oneof_index = proto.oneof_index if proto.HasField("oneof_index") else None
        self.map_entry = None                 # the Message of a map entry, set by Model
        self.target = None                    # Message or Enum for message/enum fields

    @property
    def bare_swift_name(self):
        return self.swift_name.strip("`")

    @property
    def c_member(self):
        return c_member(self.c_name)

    @property
    def is_message(self):
        return self.type == FD.TYPE_MESSAGE

    @property
    def is_enum(self):
        return self.type == FD.TYPE_ENUM

    @property
    def is_map(self):
        return self.map_entry is not None


class Oneof:
    def __init__(self, name, comment):
        self.name = name
        self.swift_name = swift_escape(lower_camel(name))
        self.enum_name = "OneOf_" + upper_camel(name)
        self.c_case = c_field_name(name) + "_case"
        self.comment = comment
        self.fields = []


class Message:
    def __init__(self, proto, full_name, swift_name, file, path, comments):
        self.proto = proto
        self.full_name = full_name
        self.swift_name = swift_name
        self.local_name = swift_name.rsplit(".", 1)[-1]
        self.file = file
        self.path = path
        self.comment = comments.get(path)
        self.c_type = c_type_name(full_name)
        self.c_prefix = c_function_prefix(full_name)
        self.is_map_entry = proto.options.map_entry
        self.nested_messages = []
        self.nested_enums = []
        self.fields = []                      # in declaration order, oneof members included
        self.oneofs = []
        for i, o in enumerate(proto.oneof_decl):
            self.oneofs.append(Oneof(o.name, comments.get(path + [8, i])))
        for i, f in enumerate(proto.field):
            if f.proto3_optional:
                raise GeneratorError(
                    f"{file.name}: {full_name}.{f.name}: proto3 'optional' is not supported "
                    "(protoc-c 1.4 rejects it); use a wrapper message or a oneof for presence")
            if f.type == FD.TYPE_GROUP:
                raise GeneratorError(f"{file.name}: {full_name}.{f.name}: groups are not supported")
            field = Field(f, self, i, comments, path + [2, i])
            self.fields.append(field)
            if field.oneof_index is not None:
                self.oneofs[field.oneof_index].fields.append(field)
        names = set()
        for f in self.fields:
            if f.bare_swift_name in RESERVED_MEMBER_NAMES or f.bare_swift_name in names:
                raise GeneratorError(
                    f"{file.name}: {full_name}.{f.name}: Swift property '{f.bare_swift_name}' clashes "
                    "with another field or a generated member")
            names.add(f.bare_swift_name)
        for o in self.oneofs:
            if o.swift_name.strip("`") in names:
                raise GeneratorError(f"{file.name}: {full_name}: oneof {o.name} clashes with a field")

    @property
    def plain_fields(self):
        return [f for f in self.fields if f.oneof_index is None]


class File:
    def __init__(self, proto):
        self.proto = proto
        self.name = proto.name
        self.package = proto.package
        self.messages = []        # every message, nested ones included, map entries excluded
        self.top_messages = []
        self.enums = []           # every enum, nested ones included
        self.top_enums = []
        self.services = []


class Method:
    def __init__(self, proto, service, comment):
        self.proto = proto
        self.name = proto.name
        self.swift_name = swift_escape(lower_camel(proto.name))
        self.input = proto.input_type.lstrip(".")
        self.output = proto.output_type.lstrip(".")
        self.client_streaming = proto.client_streaming
        self.server_streaming = proto.server_streaming
        self.comment = comment

    @property
    def kind(self):
        return {(False, False): "unary", (True, False): "clientStreaming",
                (False, True): "serverStreaming", (True, True): "bidirectionalStreaming"}[
            (self.client_streaming, self.server_streaming)]


class Service:
    def __init__(self, proto, file, path, comments):
        self.proto = proto
        self.file = file
        self.full_name = f"{file.package}.{proto.name}" if file.package else proto.name
        self.swift_name = swift_package_prefix(file.package) + proto.name
        self.comment = comments.get(path)
        self.methods = [Method(m, self, comments.get(path + [2, i])) for i, m in enumerate(proto.method)]


class Model:
    def __init__(self, descriptor_set_bytes, generate_files):
        """`generate_files`: names of the files to generate code for (the others are only
        dependencies); every file in the set goes into the descriptor table."""
        fds = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set_bytes)
        self.all_file_protos = sorted(fds.file, key=lambda f: f.name)
        self.messages = {}
        self.enums = {}
        self.files = []
        names = set(generate_files)
        for fp in self.all_file_protos:
            self._check_file(fp)
            f = File(fp)
            comments = Comments(fp)
            prefix = swift_package_prefix(fp.package)
            for i, m in enumerate(fp.message_type):
                f.top_messages.append(self._add_message(f, m, fp.package, prefix, [4, i], comments))
            for i, e in enumerate(fp.enum_type):
                f.top_enums.append(self._add_enum(f, e, fp.package, prefix, [5, i], comments))
            for i, s in enumerate(fp.service):
                f.services.append(Service(s, f, [6, i], comments))
            if fp.name in names:
                self.files.append(f)
        missing = names - {f.name for f in self.files}
        if missing:
            raise GeneratorError(f"not in the descriptor set: {', '.join(sorted(missing))}")
        self._resolve()
        self._check_recursion()
        self._check_swift_names()

    # ------------------------------------------------------------ building

    def _check_file(self, fp):
        if fp.syntax != "proto3":
            raise GeneratorError(f"{fp.name}: only proto3 files are supported (syntax is "
                                 f"'{fp.syntax or 'proto2'}')")
        if fp.extension:
            raise GeneratorError(f"{fp.name}: extensions are not supported")

    def _add_message(self, f, mp, scope, swift_scope, path, comments, nested=False):
        full = f"{scope}.{mp.name}" if scope else mp.name
        swift = f"{swift_scope}.{mp.name}" if nested else swift_scope + mp.name
        if mp.extension or mp.extension_range:
            raise GeneratorError(f"{f.name}: {full}: extensions are not supported")
        msg = Message(mp, full, swift, f, path, comments)
        self.messages[full] = msg
        if not msg.is_map_entry:
            f.messages.append(msg)
        for i, n in enumerate(mp.nested_type):
            child = self._add_message(f, n, full, swift, path + [3, i], comments, nested=True)
            if not child.is_map_entry:
                msg.nested_messages.append(child)
        for i, e in enumerate(mp.enum_type):
            msg.nested_enums.append(self._add_enum(f, e, full, swift, path + [4, i], comments, nested=True))
        return msg

    def _add_enum(self, f, ep, scope, swift_scope, path, comments, nested=False):
        full = f"{scope}.{ep.name}" if scope else ep.name
        swift = f"{swift_scope}.{ep.name}" if nested else swift_scope + ep.name
        e = Enum(ep, full, swift, f, path, comments)
        self.enums[full] = e
        f.enums.append(e)
        return e

    def _resolve(self):
        for msg in self.messages.values():
            for field in msg.fields:
                if field.is_message:
                    target = self.messages.get(field.type_name)
                    if target is None:
                        raise GeneratorError(f"{msg.full_name}.{field.name}: unknown type {field.type_name}")
                    if target.is_map_entry:
                        field.map_entry = target
                    else:
                        field.target = target
                elif field.is_enum:
                    target = self.enums.get(field.type_name)
                    if target is None:
                        raise GeneratorError(f"{msg.full_name}.{field.name}: unknown type {field.type_name}")
                    field.target = target

    def _check_swift_names(self):
        for msg in self.messages.values():
            for child in msg.nested_messages + msg.nested_enums:
                if child.local_name in ("Type", "Protocol", "Self"):
                    raise GeneratorError(f"{child.full_name}: '{child.local_name}' cannot name a nested Swift type")
            for o in msg.oneofs:
                if o.enum_name in {c.local_name for c in msg.nested_messages + msg.nested_enums}:
                    raise GeneratorError(f"{msg.full_name}: oneof enum {o.enum_name} clashes with a nested type")

    # ------------------------------------------------------------ recursion

    def _edges(self, msg):
        """Message types a message contains directly (map values and oneof members included)."""
        out = []
        for field in msg.fields:
            if field.is_map:
                value = field.map_entry.fields[1]
                if value.is_message:
                    out.append((field, self.messages[value.type_name]))
            elif field.is_message:
                out.append((field, field.target))
        return out

    def _check_recursion(self):
        """protobuf-c unpacks nested messages with plain recursion and no depth limit, so a
        recursive type would let a peer exhaust the stack with a few kilobytes of input."""
        WHITE, GREY, BLACK = 0, 1, 2
        color = {name: WHITE for name in self.messages}
        stack = []

        def visit(msg):
            color[msg.full_name] = GREY
            for field, target in self._edges(msg):
                stack.append(f"{msg.full_name}.{field.name}")
                if color[target.full_name] == GREY:
                    start = next(i for i, s in enumerate(stack)
                                 if s.rsplit(".", 1)[0] == target.full_name)
                    cycle = " -> ".join(stack[start:]) + f" -> {target.full_name}"
                    raise GeneratorError(
                        f"{target.file.name}: message {target.full_name} is recursive ({cycle}); "
                        "recursive message types are not allowed because protobuf-c decodes them "
                        "without a nesting limit")
                if color[target.full_name] == WHITE:
                    visit(target)
                stack.pop()
            color[msg.full_name] = BLACK

        for name in sorted(self.messages):
            if color[name] == WHITE:
                visit(self.messages[name])
