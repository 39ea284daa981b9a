#!/usr/bin/env python3
"""Checks that the messages of built gRPC methods stay wire-compatible with a committed baseline.

Run by scripts/check-descriptors.sh; by hand (descriptor sets made with protoc --include_imports):
    protocompat.py check  --baseline OLD.binpb --current NEW.binpb --built-methods built-methods.txt
    protocompat.py update --baseline OLD.binpb --current NEW.binpb --built-methods built-methods.txt

The built methods (built-methods.txt: one `package.Service/Method` a line, `#` starts a comment) protect
every message and enum reachable from their request and response types through fields (nested types,
map entries and other files included), as the baseline has them. `check` exits 1 and names each
incompatible change to a protected type:
  - a field number gone without being `reserved`, or reused with another name, type or label
    (repeated/singular); moving a field in or out of a oneof is allowed;
  - an enum value number gone without being `reserved`, or reused for another name;
  - a protected message or enum deleted or renamed;
  - a built method gone, or its request/response type or streaming changed.
Adding fields, values, messages and methods is compatible; types reached only from methods not built yet
may change freely. `update` writes NEW as the baseline (without source info), after printing the
incompatible changes it accepts; it refuses when a built method is missing from NEW.
"""

import argparse
import os
import re
import sys

from google.protobuf import descriptor_pb2

FD = descriptor_pb2.FieldDescriptorProto

SCALAR_NAMES = {
    value: name[len("TYPE_"):].lower()
    for name, value in FD.Type.items()
    if value not in (FD.TYPE_MESSAGE, FD.TYPE_ENUM, FD.TYPE_GROUP)
}

METHOD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/[A-Za-z_][A-Za-z0-9_]*$")


class CompatError(Exception):
    """An input the checker cannot work with (unreadable set, malformed built-methods.txt)."""


class Problem:
    """One incompatible change: where (file[:line]) and what."""

    def __init__(self, where, text):
        self.where = where
        self.text = text

    def __str__(self):
        return f"{self.where}: {self.text}"

    def __repr__(self):
        return f"Problem({str(self)!r})"


# ---------------------------------------------------------------- inputs

def load_set(path):
    try:
        with open(path, "rb") as fh:
            return descriptor_pb2.FileDescriptorSet.FromString(fh.read())
    except OSError as e:
        raise CompatError(f"cannot read descriptor set {path}: {e.strerror}") from None
    except Exception as e:  # DecodeError; the name moved between protobuf versions
        raise CompatError(f"{path} is not a serialized FileDescriptorSet ({e})") from None


def parse_built_methods(text, source="built-methods.txt"):
    """Lines `package.Service/Method` (blank lines and `#` comments ignored) -> [(line, method)]."""
    methods = []
    seen = {}
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if not METHOD_RE.match(entry):
            raise CompatError(f"{source}:{number}: '{entry}' is not a method; write package.Service/Method, "
                              "e.g. recs.transfer.v1.TransferService/RequestInterAccountTransfer")
        if entry in seen:
            raise CompatError(f"{source}:{number}: {entry} is already listed on line {seen[entry]}")
        seen[entry] = number
        methods.append((number, entry))
    return methods


def read_built_methods(path):
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        raise CompatError(f"cannot read {path}: {e.strerror}") from None
    return parse_built_methods(text, path)


# ---------------------------------------------------------------- index of a descriptor set

class Type:
    def __init__(self, kind, proto, file, path):
        self.kind = kind          # "message" or "enum"
        self.proto = proto
        self.file = file          # FileDescriptorProto
        self.path = path          # source-info path of the declaration


class Index:
    """Messages, enums and methods of a FileDescriptorSet by full name, with source lines if present."""

    def __init__(self, fds, file_prefix=""):
        self.file_prefix = file_prefix  # put before file names in messages, e.g. "Protos/"
        self.types = {}
        self.methods = {}          # "pkg.Service/Method" -> (MethodDescriptorProto, file, path)
        self.lines = {}            # file name -> {path tuple: 1-based line}
        for f in fds.file:
            prefix = f.package + "." if f.package else ""
            for i, m in enumerate(f.message_type):
                self._add_message(prefix + m.name, m, f, [4, i])
            for i, e in enumerate(f.enum_type):
                self.types[prefix + e.name] = Type("enum", e, f, [5, i])
            for si, s in enumerate(f.service):
                for mi, m in enumerate(s.method):
                    self.methods[f"{prefix}{s.name}/{m.name}"] = (m, f, [6, si, 2, mi])
            self.lines[f.name] = {tuple(loc.path): loc.span[0] + 1
                                  for loc in f.source_code_info.location if loc.span}

    def _add_message(self, name, proto, file, path):
        self.types[name] = Type("message", proto, file, path)
        for i, n in enumerate(proto.nested_type):
            self._add_message(f"{name}.{n.name}", n, file, path + [3, i])
        for i, e in enumerate(proto.enum_type):
            self.types[f"{name}.{e.name}"] = Type("enum", e, file, path + [4, i])

    def where(self, file, path=None):
        line = self.lines.get(file.name, {}).get(tuple(path)) if path is not None else None
        name = self.file_prefix + file.name
        return f"{name}:{line}" if line else name

    def describe(self, field):
        """`repeated int64`, `recs.common.v1.Quantity`, `map<string, int64>`: a field's type as written."""
        if field.type in (FD.TYPE_MESSAGE, FD.TYPE_ENUM, FD.TYPE_GROUP):
            name = field.type_name.lstrip(".")
            entry = self.types.get(name)
            if (entry is not None and entry.kind == "message" and entry.proto.options.map_entry
                    and field.label == FD.LABEL_REPEATED and len(entry.proto.field) == 2):
                key, value = sorted(entry.proto.field, key=lambda x: x.number)
                return f"map<{self.describe(key)}, {self.describe(value)}>"
        else:
            name = SCALAR_NAMES.get(field.type, str(field.type))
        label = {FD.LABEL_REPEATED: "repeated ", FD.LABEL_REQUIRED: "required "}.get(field.label, "")
        return label + name


def protected_types(index, methods):
    """{type full name: method that reaches it}: every message and enum reachable from the request and
    response types of `methods` (those present in `index`) through fields."""
    reached = {}
    queue = []
    for method in methods:
        found = index.methods.get(method)
        if found is None:
            continue
        for type_name in (found[0].input_type, found[0].output_type):
            queue.append((type_name.lstrip("."), method))
    while queue:
        name, method = queue.pop(0)
        if name in reached or name not in index.types:
            continue
        reached[name] = method
        t = index.types[name]
        if t.kind == "message":
            for field in t.proto.field:
                if field.type in (FD.TYPE_MESSAGE, FD.TYPE_ENUM, FD.TYPE_GROUP):
                    queue.append((field.type_name.lstrip("."), method))
    return reached


# ---------------------------------------------------------------- comparison

def _reserved(ranges, number, end_inclusive):
    return any(r.start <= number <= r.end if end_inclusive else r.start <= number < r.end for r in ranges)


def _field_label(field):
    return {FD.LABEL_REPEATED: "repeated", FD.LABEL_REQUIRED: "required"}.get(field.label, "singular")


def _field_type(field):
    return (field.type, field.type_name if field.type in (FD.TYPE_MESSAGE, FD.TYPE_ENUM, FD.TYPE_GROUP) else "")


def check(baseline_fds, current_fds, built_methods, built_source="built-methods.txt", file_prefix=""):
    """-> [Problem], empty when `current_fds` is compatible with `baseline_fds` for the built methods.
    `built_methods` is [(line, "pkg.Service/Method")] or ["pkg.Service/Method"]; `file_prefix` goes
    before proto file names in the problems (e.g. "Protos/")."""
    old = Index(baseline_fds, file_prefix)
    new = Index(current_fds, file_prefix)
    listed = [m if isinstance(m, tuple) else (None, m) for m in built_methods]
    problems = []

    for line, method in listed:
        if method not in old.methods:
            where = f"{built_source}:{line}" if line else built_source
            problems.append(Problem(where, f"{method} is listed as built but the baseline has no such method; "
                                           "if it was just added, record it with scripts/check-descriptors.sh --update"))
            continue
        old_m, old_file, old_path = old.methods[method]
        if method not in new.methods:
            problems.append(Problem(old.where(old_file), f"{method}: built method removed or renamed; "
                                    "restore it (existing clients call it)"))
            continue
        new_m, new_file, new_path = new.methods[method]
        where = new.where(new_file, new_path)
        for what, before, after in (("request type", old_m.input_type, new_m.input_type),
                                    ("response type", old_m.output_type, new_m.output_type)):
            if before != after:
                problems.append(Problem(where, f"{method}: {what} changed from {before.lstrip('.')} to {after.lstrip('.')}"))
        for what, before, after in (("client streaming", old_m.client_streaming, new_m.client_streaming),
                                    ("server streaming", old_m.server_streaming, new_m.server_streaming)):
            if before != after:
                problems.append(Problem(where, f"{method}: {what} changed from {str(before).lower()} to {str(after).lower()}"))

    protected = protected_types(old, [m for _, m in listed])
    deleted = set()
    for name in sorted(protected, key=lambda n: (old.types[n].file.name, n)):
        via = f"(reached from built method {protected[name]})"
        t = old.types[name]
        current = new.types.get(name)
        if current is None or current.kind != t.kind:
            deleted.add(name)
            # The types nested in a deleted message went with it: one problem for all of them.
            if not any(name.startswith(parent + ".") for parent in deleted):
                problems.append(Problem(old.where(t.file), f"{name}: {t.kind} deleted or renamed {via}"))
        elif t.kind == "message":
            problems.extend(_check_message(name, t, current, old, new, via))
        else:
            problems.extend(_check_enum(name, t, current, new, via))
    return problems


def _check_message(name, old_t, new_t, old, new, via):
    problems = []
    new_fields = {f.number: (i, f) for i, f in enumerate(new_t.proto.field)}
    for field in sorted(old_t.proto.field, key=lambda f: f.number):
        n = field.number
        if n not in new_fields:
            if not _reserved(new_t.proto.reserved_range, n, end_inclusive=False):
                problems.append(Problem(
                    new.where(new_t.file, new_t.path),
                    f"{name}.{field.name} (field {n}): removed without reserving its number; "
                    f"add `reserved {n};` to {new_t.proto.name} {via}"))
            continue
        i, current = new_fields[n]
        where = new.where(new_t.file, new_t.path + [2, i])
        renamed = current.name != field.name
        retyped = _field_type(current) != _field_type(field) or _field_label(current) != _field_label(field)
        if renamed and retyped:
            reason = (f"number {n} reused by `{new.describe(current)} {current.name}` "
                      f"(was `{old.describe(field)} {field.name}`)")
        elif renamed:
            reason = f"number {n} reused by `{current.name}` (was `{field.name}`)"
        elif retyped:
            reason = f"type changed from `{old.describe(field)}` to `{new.describe(current)}`"
        else:
            continue
        problems.append(Problem(where, f"{name}.{field.name} (field {n}): {reason}; put the old field back, or "
                                       f"move the new one to a new number and add `reserved {n};` {via}"))
    return problems


def _check_enum(name, old_t, new_t, new, via):
    problems = []
    old_names, new_names, new_first = {}, {}, {}
    for v in old_t.proto.value:
        old_names.setdefault(v.number, []).append(v.name)
    for i, v in enumerate(new_t.proto.value):
        new_names.setdefault(v.number, []).append(v.name)
        new_first.setdefault(v.number, i)
    for n in sorted(old_names):
        was = old_names[n][0]
        if n not in new_names:
            if not _reserved(new_t.proto.reserved_range, n, end_inclusive=True):
                problems.append(Problem(
                    new.where(new_t.file, new_t.path),
                    f"{name}.{was} (value {n}): removed without reserving its number; "
                    f"add `reserved {n};` to {new_t.proto.name} {via}"))
        elif not set(old_names[n]) & set(new_names[n]):
            problems.append(Problem(
                new.where(new_t.file, new_t.path + [2, new_first[n]]),
                f"{name}.{was} (value {n}): number {n} reused by `{new_names[n][0]}` (was `{was}`); "
                f"give the new value a new number and `reserved {n};` {via}"))
    return problems


def strip_source_info(fds):
    out = descriptor_pb2.FileDescriptorSet()
    out.CopyFrom(fds)
    for f in out.file:
        f.ClearField("source_code_info")
    return out


# ---------------------------------------------------------------- command line

def main(argv=None):
    p = argparse.ArgumentParser(prog="protocompat.py", description=__doc__.split("\n")[0])
    p.add_argument("command", choices=["check", "update"])
    p.add_argument("--baseline", required=True, help="committed descriptor set (Protos/baseline/descriptors.binpb)")
    p.add_argument("--current", required=True, help="descriptor set of the protos as they are now")
    p.add_argument("--built-methods", required=True, help="Protos/baseline/built-methods.txt")
    p.add_argument("--proto-dir", default="", help="the proto root, shown before proto file names (e.g. Protos)")
    args = p.parse_args(argv)

    try:
        built = read_built_methods(args.built_methods)
        current = load_set(args.current)
        if args.command == "update":
            return _update(args, built, current)
        if not os.path.exists(args.baseline):
            raise CompatError(f"no baseline at {args.baseline}; make it with scripts/check-descriptors.sh --update")
        baseline = load_set(args.baseline)
    except CompatError as e:
        print(f"protocompat: error: {e}", file=sys.stderr)
        return 1

    problems = check(baseline, current, built, args.built_methods, _prefix(args))
    for problem in problems:
        print(problem)
    sys.stdout.flush()  # the problems before the advice on stderr, also when both go to one log
    if problems:
        print(f"protocompat: {len(problems)} incompatible change(s) to messages of built methods; clients built "
              "against the baseline would misread them.\n"
              "  Fix the proto: keep every field and enum number with its name and type, and `reserved` the "
              "numbers of removed fields and values.\n"
              "  If breaking those clients is intended, make it a deliberate decision and record it with "
              "scripts/check-descriptors.sh --update.", file=sys.stderr)
        return 1
    protected = protected_types(Index(baseline), [m for _, m in built])
    print(f"protocompat: compatible with the baseline ({len(built)} built methods, "
          f"{len(protected)} protected messages and enums)")
    return 0


def _prefix(args):
    return args.proto_dir.rstrip("/") + "/" if args.proto_dir else ""


def _update(args, built, current):
    new = Index(current)
    missing = [f"{args.built_methods}:{line}: {m}" for line, m in built if m not in new.methods]
    if missing:
        raise CompatError("built methods not in the protos; fix or remove these lines, then run --update again:\n  "
                          + "\n  ".join(missing))
    if os.path.exists(args.baseline):
        problems = check(load_set(args.baseline), current, built, args.built_methods, _prefix(args))
        if problems:
            print(f"protocompat: the new baseline accepts {len(problems)} incompatible change(s):", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
    os.makedirs(os.path.dirname(os.path.abspath(args.baseline)), exist_ok=True)
    data = strip_source_info(current).SerializeToString(deterministic=True)
    tmp = args.baseline + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, args.baseline)
    protected = protected_types(new, [m for _, m in built])
    print(f"protocompat: wrote {args.baseline} ({len(current.file)} files, {len(built)} built methods, "
          f"{len(protected)} protected messages and enums); {args.built_methods} kept as is")
    print("protocompat: reminder: updating the baseline over an incompatible change breaks existing clients; "
          "do it only as a deliberate decision, and say so in the commit.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
