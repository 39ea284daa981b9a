"""Naming rules: protoc-c's C identifiers and the Swift names of generated types and members."""

import re

# Words that must be written in backticks when used as a Swift identifier (declarations and
# member references alike).
SWIFT_KEYWORDS = frozenset("""
    associatedtype borrowing class consuming deinit enum extension fileprivate func import init inout
    internal let nonisolated open operator private precedencegroup protocol public rethrows static
    struct subscript typealias var break case catch continue default defer do else fallthrough for
    guard if in repeat return throw switch where while Any as await false is nil self Self super
    throws true try Type Protocol
""".split())

# protoc-c appends "_" to field names that are C or C++ keywords (c_helpers.cc, kKeywordList).
C_KEYWORDS = frozenset("""
    and and_eq asm auto bitand bitor bool break case catch char class compl const const_cast
    continue default delete do double dynamic_cast else enum explicit extern false float for friend
    goto if inline int long mutable namespace new not not_eq operator or or_eq private protected
    public register reinterpret_cast return short signed sizeof static static_cast struct switch
    template this throw true try typedef typeid typename union unsigned using virtual void volatile
    wchar_t while xor xor_eq
""".split())

# Members every generated message or enum already has; a field or case with one of these Swift
# names would clash, so the generator refuses it.
RESERVED_MEMBER_NAMES = frozenset({
    "protobufBytes", "protoMessageName", "hashValue", "hash", "rawValue", "allCases",
    "unrecognized", "init", "with",
})


def swift_escape(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


# ---------------------------------------------------------------- protoc-c (c_helpers.cc)

def _camel_to_lower(name):
    out, was_upper = [], True
    for ch in name:
        is_upper = ch.isupper()
        if is_upper:
            if not was_upper:
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
        was_upper = is_upper
    return "".join(out)


def _to_camel(name):
    out, next_upper = [], True
    for ch in name:
        if ch == "_":
            next_upper = True
        elif next_upper:
            out.append(ch.upper())
            next_upper = False
        else:
            out.append(ch)
    return "".join(out)


def c_type_name(full_name):
    """`grpc.testing.SimpleRequest` -> `Grpc__Testing__SimpleRequest` (FullNameToC)."""
    return "__".join(_to_camel(p) for p in full_name.split(".") if p)


def c_function_prefix(full_name):
    """`grpc.testing.SimpleRequest` -> `grpc__testing__simple_request` (FullNameToLower)."""
    return "__".join(_camel_to_lower(p) for p in full_name.split(".") if p)


def c_field_name(proto_name):
    """protoc-c's FieldName: lower-cased, with `_` appended to C/C++ keywords."""
    name = proto_name.lower()
    return name + "_" if name in C_KEYWORDS else name


def c_member(name):
    """A C struct member as written after `.` in Swift (a Swift keyword needs backticks)."""
    return swift_escape(name)


# ---------------------------------------------------------------- Swift (swift-protobuf style)

def _upper_first(s):
    return s[:1].upper() + s[1:]


def swift_package_prefix(package):
    """`grpc.testing` -> `Grpc_Testing_`; `foo_bar.v1` -> `FooBar_V1_`."""
    if not package:
        return ""
    parts = []
    for piece in package.split("."):
        parts.append("".join(_upper_first(w) for w in piece.split("_") if w))
    return "_".join(parts) + "_"


def lower_camel(name):
    """`response_size` -> `responseSize`, `camelCaseName` -> `camelCaseName`, `Type` -> `type`,
    `NOT_SERVING` -> `notServing`."""
    words = [w for w in name.split("_") if w]
    if not words:
        return name
    out = []
    for i, w in enumerate(words):
        if w.isupper() or (w.upper() == w and any(c.isalpha() for c in w)):
            w = w.lower()
        if i == 0:
            out.append(w[:1].lower() + w[1:])
        else:
            out.append(_upper_first(w))
    return "".join(out)


def upper_camel(name):
    c = lower_camel(name)
    return _upper_first(c)


def strip_enum_prefix(enum_name, value_name):
    """Strips the enum's own name from a value, as swift-protobuf does: enum `GrpclbRouteType`,
    value `GRPCLB_ROUTE_TYPE_UNKNOWN` -> `UNKNOWN`. Comparison ignores case and underscores; the
    value is kept whole when the rest would be empty or start with a digit."""
    target = enum_name.replace("_", "").lower()
    i = 0
    matched = 0
    while matched < len(target) and i < len(value_name):
        ch = value_name[i]
        if ch == "_":
            i += 1
            continue
        if ch.lower() != target[matched]:
            return value_name
        matched += 1
        i += 1
    if matched < len(target):
        return value_name
    rest = value_name[i:].lstrip("_")
    if i < len(value_name) and value_name[i] != "_":
        return value_name  # the enum name is only a prefix of a longer word
    if not rest or not re.match(r"[A-Za-z]", rest):
        return value_name
    return rest
