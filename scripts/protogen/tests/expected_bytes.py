#!/usr/bin/env python3
"""Prints the protobuf encodings that Tests/ProtoMessagesTests/CrossCheckTests.swift expects, as
made by Google's Python protobuf (not protobuf-c), for the messages built below.

    .venv/bin/python scripts/protogen/tests/expected_bytes.py

Messages are built from a descriptor set of Protos/ (protoc), so no generated Python is needed.
"""

import os
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def load_classes():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        protos = sorted(os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "Protos"))
                        for d, _, fs in os.walk(os.path.join(ROOT, "Protos")) for f in fs if f.endswith(".proto"))
        subprocess.run(["protoc", "-I", os.path.join(ROOT, "Protos"), "--include_imports",
                        f"--descriptor_set_out={out}", *protos], check=True)
        fds = descriptor_pb2.FileDescriptorSet.FromString(open(out, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)
    return lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def dump(name, m):
    b = m.SerializeToString(deterministic=True)
    print(f"// {name}: {len(b)} bytes")
    for i in range(0, len(b), 16):
        print("    " + ", ".join(f"0x{x:02x}" for x in b[i:i + 16]) + ",")


def main():
    cls = load_classes()

    r = cls("grpc.testing.SimpleRequest")()
    r.response_size = 314159
    r.fill_username = True
    r.payload.body = bytes([0, 1, 2, 0, 255])
    r.response_status.code = 2
    r.response_status.message = "héllo ✓"
    r.response_compressed.value = False  # present but default: an empty sub-message
    dump("SimpleRequest", r)

    m = cls("recs.testing.v1.FieldKinds")()
    m.f_int32 = -1; m.f_int64 = -2**40; m.f_uint32 = 2**32 - 1; m.f_uint64 = 2**64 - 1
    m.f_sint32 = -5; m.f_sint64 = -2**50; m.f_fixed32 = 7; m.f_fixed64 = 2**63
    m.f_sfixed32 = -9; m.f_sfixed64 = -10
    m.f_bool = True; m.f_float = 1.5; m.f_double = -2.25; m.f_string = "日本"; m.f_bytes = b"\x00\xff"
    m.f_colour = -3; m.f_mood = 1
    m.f_inner.id = 3; m.f_inner.leaf.label = "leaf"; m.f_inner.leaf.values.extend([-1, 1])
    m.f_empty.SetInParent()
    m.r_int32.extend([1, -1]); m.r_sint64.extend([-3]); m.r_bool.extend([True, False]); m.r_double.extend([0.5])
    m.r_string.extend(["a", ""]); m.r_bytes.extend([b"", b"\x00"]); m.r_colour.extend([1, 7])
    m.r_inner.add(id=1); m.r_unpacked.extend([1, 2])
    m.c_string = ""
    m.m_string_int32["b"] = 2; m.m_string_int32["a"] = 1
    m.m_int64_string[-1] = "minus"; m.m_bool_colour[True] = 1
    m.m_string_inner["x"].id = 9
    m.m_uint32_bytes[5] = b"\x01"
    setattr(m, "class", "c"); setattr(m, "default", 4); m.camelCaseName = True
    getattr(m, "self").append("s"); m.Type = 6
    dump("FieldKinds", m)

    q = cls("grpc.reflection.v1.ServerReflectionRequest")()
    q.host = "h"
    q.list_services = ""
    dump("ServerReflectionRequest", q)

    # Python writes zero map keys and values; protobuf-c leaves them out (both decode the same).
    z = cls("recs.testing.v1.FieldKinds")()
    z.m_bool_colour[False] = 2
    z.m_string_int32[""] = 0
    dump("MapZeroKeys (decode only)", z)


if __name__ == "__main__":
    sys.exit(main())
