"""ProtoDescriptors.swift: serialized FileDescriptorProtos and a symbol table, for server reflection."""

from google.protobuf import descriptor_pb2

from swiftgen import Writer, header


def _symbols(fp):
    """Fully qualified names declared by a file: messages (nested ones and map entries included),
    their fields and oneofs, enums and their values, services and methods."""
    out = []
    pkg = fp.package

    def q(scope, name):
        return f"{scope}.{name}" if scope else name

    def enum(scope, e):
        out.append(q(scope, e.name))
        # Enum values are siblings of their enum in proto scoping.
        for v in e.value:
            out.append(q(scope, v.name))

    def message(scope, m):
        full = q(scope, m.name)
        out.append(full)
        for f in m.field:
            out.append(q(full, f.name))
        for o in m.oneof_decl:
            out.append(q(full, o.name))
        for n in m.nested_type:
            message(full, n)
        for e in m.enum_type:
            enum(full, e)

    for m in fp.message_type:
        message(pkg, m)
    for e in fp.enum_type:
        enum(pkg, e)
    for s in fp.service:
        full = q(pkg, s.name)
        out.append(full)
        for m in s.method:
            out.append(q(full, m.name))
    return out


def _byte_lines(data, per_line=16):
    for i in range(0, len(data), per_line):
        yield ", ".join(f"0x{b:02x}" for b in data[i:i + per_line]) + ","


def generate(model):
    files = model.all_file_protos  # sorted by name
    w = Writer()
    w(header("every file under Protos/").rstrip("\n"))
    w.blank()
    w("/// The proto files this package was generated from, as serialized")
    w("/// `google.protobuf.FileDescriptorProto`s (without source info), with what a server reflection")
    w("/// service needs to find them: each file's dependencies, the services, and which file declares")
    w("/// each fully qualified symbol.")
    w("public enum ProtoDescriptors {")
    w.indent()
    w("/// Serialized `FileDescriptorProto` of each file, keyed by file name (e.g. `grpc/testing/test.proto`).")
    w("public static let fileDescriptorProtos: [String: [UInt8]] = [")
    w.indent()
    for i, fp in enumerate(files):
        w(f'"{fp.name}": file{i},')
    w.dedent()
    w("]")
    w.blank()
    w("/// The files each file imports directly, in import order.")
    w("public static let fileDependencies: [String: [String]] = [")
    w.indent()
    for fp in files:
        deps = ", ".join(f'"{d}"' for d in fp.dependency)
        w(f'"{fp.name}": [{deps}],')
    w.dedent()
    w("]")
    w.blank()
    w("/// Fully qualified names of all services, sorted.")
    services = sorted(f"{fp.package}.{s.name}" if fp.package else s.name for fp in files for s in fp.service)
    w("public static let serviceNames: [String] = [")
    w.indent()
    for s in services:
        w(f'"{s}",')
    w.dedent()
    w("]")
    w.blank()
    w("/// The file that declares each fully qualified symbol: messages (nested ones included), fields,")
    w("/// oneofs, enums, enum values, services and methods.")
    w("public static let symbolFiles: [String: String] = [")
    w.indent()
    table = {}
    for fp in files:
        for sym in _symbols(fp):
            table.setdefault(sym, fp.name)
    for sym in sorted(table):
        w(f'"{sym}": "{table[sym]}",')
    w.dedent()
    w("]")
    w.blank()
    w("/// `fileName` followed by everything it imports, directly or not, each file once; nil for an")
    w("/// unknown file. A reflection response lists exactly these.")
    w("public static func fileWithDependencies(_ fileName: String) -> [String]? {")
    w.indent()
    w("guard fileDescriptorProtos[fileName] != nil else { return nil }")
    w("var result: [String] = []")
    w("var seen: Set<String> = []")
    w("var pending = [fileName]")
    w("while let next = pending.popLast() {")
    w("    guard seen.insert(next).inserted else { continue }")
    w("    result.append(next)")
    w("    pending.append(contentsOf: (fileDependencies[next] ?? []).reversed())")
    w("}")
    w("return result")
    w.dedent()
    w("}")
    for i, fp in enumerate(files):
        clean = descriptor_pb2.FileDescriptorProto()
        clean.CopyFrom(fp)
        clean.ClearField("source_code_info")
        data = clean.SerializeToString(deterministic=True)
        w.blank()
        w(f"// {fp.name}")
        w(f"private static let file{i}: [UInt8] = [")
        w.indent()
        for line in _byte_lines(data):
            w(line)
        w.dedent()
        w("]")
    w.dedent()
    w("}")
    return w.text()
