"""Unit tests of the Swift generator: `.venv/bin/python -m unittest discover -s scripts/protogen/tests`
(scripts/check-generated.sh runs them). Protos are compiled with the system protoc."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import protogen  # noqa: E402
from model import GeneratorError  # noqa: E402
from names import lower_camel, strip_enum_prefix, c_function_prefix, c_type_name, swift_package_prefix  # noqa: E402


def compile_protos(files):
    """{name: source} -> descriptor set bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write(textwrap.dedent(text))
        out = os.path.join(tmp, "set.pb")
        subprocess.run(["protoc", "-I", tmp, "--include_imports", "--include_source_info",
                        f"--descriptor_set_out={out}", *sorted(files)], check=True, capture_output=True)
        with open(out, "rb") as fh:
            return fh.read()


def generate(source, name="t/test.proto"):
    return protogen.generate(compile_protos({name: source}), [name])


class RecursionTests(unittest.TestCase):
    def assertRecursive(self, source, message):
        with self.assertRaises(GeneratorError) as ctx:
            generate(source)
        self.assertIn("recursive", str(ctx.exception))
        self.assertIn(message, str(ctx.exception))

    def test_direct(self):
        self.assertRecursive("""
            syntax = "proto3";
            package t;
            message Node { Node next = 1; }
        """, "t.Node.next -> t.Node")

    def test_indirect(self):
        self.assertRecursive("""
            syntax = "proto3";
            package t;
            message A { int32 x = 1; B b = 2; }
            message B { C c = 1; }
            message C { A a = 1; }
        """, "t.A.b -> t.B.c -> t.C.a -> t.A")

    def test_through_repeated_field(self):
        self.assertRecursive("""
            syntax = "proto3";
            package t;
            message Tree { repeated Tree children = 1; }
        """, "t.Tree")

    def test_through_map_value(self):
        self.assertRecursive("""
            syntax = "proto3";
            package t;
            message Dir { map<string, Dir> entries = 1; }
        """, "t.Dir.entries -> t.Dir")

    def test_through_oneof_and_nested_type(self):
        self.assertRecursive("""
            syntax = "proto3";
            package t;
            message Expr {
              message Not { Expr operand = 1; }
              oneof kind { int32 literal = 1; Not not = 2; }
            }
        """, "t.Expr.Not")

    def test_shared_but_acyclic_types_are_fine(self):
        out = generate("""
            syntax = "proto3";
            package t;
            message Leaf { int32 x = 1; }
            message A { Leaf l = 1; repeated Leaf ls = 2; }
            message B { A a = 1; Leaf l = 2; map<string, A> m = 3; }
        """)
        self.assertIn("test.pb.swift", " ".join(out["messages"]))

    def test_the_command_line_fails_with_a_message(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "set.pb")
            with open(path, "wb") as fh:
                fh.write(compile_protos({"t/r.proto": 'syntax = "proto3"; package t; message R { R r = 1; }'}))
            result = subprocess.run(
                [sys.executable, os.path.join(os.path.dirname(HERE), "protogen.py"), "--descriptor-set", path,
                 "--messages-out", os.path.join(tmp, "m"), "--services-out", os.path.join(tmp, "s"), "t/r.proto"],
                capture_output=True, text=True)
            self.assertEqual(result.returncode, 1)
            self.assertIn("protogen: error: t/r.proto: message t.R is recursive", result.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "m")))


class UnsupportedTests(unittest.TestCase):
    def assertRejected(self, source, text):
        with self.assertRaises(GeneratorError) as ctx:
            generate(source)
        self.assertIn(text, str(ctx.exception))

    def test_proto3_optional(self):
        self.assertRejected('syntax = "proto3"; package t; message M { optional int32 x = 1; }',
                            "proto3 'optional' is not supported")

    def test_proto2(self):
        self.assertRejected('syntax = "proto2"; package t; message M { optional int32 x = 1; }',
                            "only proto3")

    def test_clashing_member_name(self):
        self.assertRejected('syntax = "proto3"; package t; message M { int32 protobuf_bytes = 1; }',
                            "clashes")


class NamingTests(unittest.TestCase):
    def test_lower_camel(self):
        self.assertEqual(lower_camel("response_size"), "responseSize")
        self.assertEqual(lower_camel("camelCaseName"), "camelCaseName")
        self.assertEqual(lower_camel("Type"), "type")
        self.assertEqual(lower_camel("NOT_SERVING"), "notServing")
        self.assertEqual(lower_camel("f_int32"), "fInt32")

    def test_enum_prefix(self):
        self.assertEqual(strip_enum_prefix("GrpclbRouteType", "GRPCLB_ROUTE_TYPE_FALLBACK"), "FALLBACK")
        self.assertEqual(strip_enum_prefix("ServingStatus", "SERVING_STATUS_UNKNOWN"), "UNKNOWN")
        self.assertEqual(strip_enum_prefix("ServingStatus", "SERVING"), "SERVING")
        self.assertEqual(strip_enum_prefix("Colour", "COLOURFUL"), "COLOURFUL")
        self.assertEqual(strip_enum_prefix("Size", "SIZE_2X"), "SIZE_2X")

    def test_protoc_c_names(self):
        self.assertEqual(c_type_name("grpc.health.v1.HealthCheckResponse"), "Grpc__Health__V1__HealthCheckResponse")
        self.assertEqual(c_function_prefix("grpc.health.v1.HealthCheckResponse"), "grpc__health__v1__health_check_response")
        self.assertEqual(swift_package_prefix("grpc.reflection.v1"), "Grpc_Reflection_V1_")


class OutputTests(unittest.TestCase):
    SOURCE = """
        syntax = "proto3";
        package t;
        // A service.
        service S {
          rpc U(M) returns (M);
          rpc CS(stream M) returns (M);
          rpc SS(M) returns (stream M);
          rpc B(stream M) returns (stream M);
        }
        message M { map<string, int32> m = 1; string s = 2; }
    """

    def test_deterministic(self):
        data = compile_protos({"t/test.proto": self.SOURCE})
        self.assertEqual(protogen.generate(data, ["t/test.proto"]), protogen.generate(data, ["t/test.proto"]))

    def test_services(self):
        out = generate(self.SOURCE)
        text = out["services"]["t_test.grpc.swift"]
        self.assertIn('public static let u = MethodDescriptor(service: "t.S", method: "U", kind: .unary)', text)
        self.assertIn("kind: .clientStreaming", text)
        self.assertIn("kind: .serverStreaming", text)
        self.assertIn("kind: .bidirectionalStreaming", text)
        self.assertIn("public protocol T_SProvider: RPCService", text)
        # Every method has a default that answers UNIMPLEMENTED.
        self.assertIn('throw RPCError(.unimplemented, "U is not implemented yet")', text)
        self.assertEqual(text.count("is not implemented yet"), text.count("MethodDescriptor(service:"))
        self.assertIn("/// A service.", text)
        self.assertTrue(text.startswith("// Generated by scripts/generate.sh from Protos/t/test.proto; do not edit."))


if __name__ == "__main__":
    unittest.main()
