"""Unit tests of the descriptor compatibility checker:
`.venv/bin/python -m unittest discover -s scripts/protocompat/tests -t scripts/protocompat/tests`
(scripts/check-descriptors.sh runs them). Protos are compiled with grpcio-tools' bundled protoc."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import protocompat  # noqa: E402
from protocompat import CompatError, check, parse_built_methods  # noqa: E402


def compile_protos(files, source_info=False):
    """{name: source} -> FileDescriptorSet (with imports)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write(textwrap.dedent(text))
        out = os.path.join(tmp, "set.binpb")
        args = ["protoc", f"-I{tmp}", "--include_imports", f"--descriptor_set_out={out}"]
        if source_info:
            args.append("--include_source_info")
        if protoc.main(args + sorted(files)) != 0:
            raise AssertionError(f"protoc failed on {sorted(files)} (its errors are above)")
        with open(out, "rb") as fh:
            return descriptor_pb2.FileDescriptorSet.FromString(fh.read())


SERVICE = """
    syntax = "proto3";
    package t;
    import "t/common.proto";
    service S {
      rpc Built(BuiltRequest) returns (BuiltResponse);
      rpc Planned(PlannedRequest) returns (PlannedResponse);
    }
"""

# The baseline: S/Built is built and reaches Item (another file), Item.Kind (nested enum), Status (enum
# in another file, through a map value's message) and Amount (through a map entry).
BASE = {
    "t/common.proto": """
        syntax = "proto3";
        package t;
        enum Status { STATUS_UNSPECIFIED = 0; STATUS_ACTIVE = 1; STATUS_RETIRED = 2; }
        message Amount { int64 value = 1; Status status = 2; }
        message Item {
          enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }
          string id = 1;
          Kind kind = 2;
          map<string, Amount> amounts = 3;
        }
    """,
    "t/s.proto": SERVICE + """
        message BuiltRequest { string id = 1; int64 quantity = 2; repeated string tags = 3; }
        message BuiltResponse {
          Item item = 1;
          oneof result { string note = 2; int32 code = 3; }
        }
        message PlannedRequest { string id = 1; int64 quantity = 2; }
        message PlannedResponse { string text = 1; }
    """,
}
BUILT = ["t.S/Built"]


def edited(file, old, new, base=BASE):
    """BASE with one replacement in one file (which must match exactly once)."""
    text = base[file]
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    return {**base, file: text.replace(old, new)}


class CompatibilityTests(unittest.TestCase):
    baseline = None

    @classmethod
    def setUpClass(cls):
        cls.baseline = compile_protos(BASE)

    def problems(self, current_files, built=BUILT):
        return [str(p) for p in check(self.baseline, compile_protos(current_files), built)]

    def assertCompatible(self, current_files, built=BUILT):
        self.assertEqual(self.problems(current_files, built), [])

    def assertIncompatible(self, current_files, *texts, built=BUILT):
        problems = self.problems(current_files, built)
        self.assertEqual(len(problems), 1, problems)
        for text in texts:
            self.assertIn(text, problems[0])
        return problems[0]

    # -- compatible

    def test_unchanged(self):
        self.assertCompatible(BASE)

    def test_added_field(self):
        self.assertCompatible(edited("t/s.proto", "repeated string tags = 3; }",
                                     "repeated string tags = 3; bool urgent = 4; }"))

    def test_added_enum_value_message_and_method(self):
        files = edited("t/common.proto", "STATUS_RETIRED = 2; }", "STATUS_RETIRED = 2; STATUS_FROZEN = 3; }")
        files = edited("t/s.proto", "rpc Planned(", "rpc Other(PlannedRequest) returns (Extra);\n  rpc Planned(",
                       files)
        files["t/s.proto"] += "message Extra { int32 n = 1; }\n"
        self.assertCompatible(files)

    def test_removed_field_with_reserved_number(self):
        self.assertCompatible(edited("t/s.proto", "int64 quantity = 2; repeated", "reserved 2; repeated"))

    def test_removed_field_with_reserved_range(self):
        self.assertCompatible(edited("t/s.proto", "int64 quantity = 2; repeated string tags = 3;",
                                     "reserved 2 to 3;"))

    def test_removed_enum_value_with_reserved_number(self):
        self.assertCompatible(edited("t/common.proto", "STATUS_RETIRED = 2;", "reserved 2;"))

    def test_field_moved_out_of_a_oneof(self):
        self.assertCompatible(edited("t/s.proto", "oneof result { string note = 2; int32 code = 3; }",
                                     "string note = 2; int32 code = 3;"))

    def test_change_in_an_unbuilt_methods_message(self):
        # Reused number with another type, removed field, renamed message: all only reachable from Planned.
        files = edited("t/s.proto", "message PlannedRequest { string id = 1; int64 quantity = 2; }",
                       "message PlannedRequest { bytes id = 1; }")
        files = edited("t/s.proto", "message PlannedResponse { string text = 1; }",
                       "message PlannedReply { int32 text = 1; }", files)
        files = edited("t/s.proto", "returns (PlannedResponse)", "returns (PlannedReply)", files)
        self.assertCompatible(files)

    def test_nothing_built(self):
        self.assertCompatible(edited("t/s.proto", "int64 quantity = 2; repeated", "string quantity = 2; repeated"),
                              built=[])

    # -- incompatible fields

    def test_reused_field_number_with_another_type(self):
        self.assertIncompatible(
            edited("t/s.proto", "int64 quantity = 2; repeated", "string quantity = 2; repeated"),
            "t/s.proto", "t.BuiltRequest.quantity (field 2)", "type changed from `int64` to `string`",
            "reached from built method t.S/Built")

    def test_reused_field_number_with_another_name_and_type(self):
        self.assertIncompatible(
            edited("t/s.proto", "int64 quantity = 2; repeated", "string reason = 2; repeated"),
            "t.BuiltRequest.quantity (field 2)", "number 2 reused by `string reason` (was `int64 quantity`)")

    def test_reused_field_number_with_another_name(self):
        self.assertIncompatible(
            edited("t/s.proto", "int64 quantity = 2; repeated", "int64 amount = 2; repeated"),
            "number 2 reused by `amount` (was `quantity`)")

    def test_repeated_to_singular(self):
        self.assertIncompatible(
            edited("t/s.proto", "repeated string tags = 3;", "string tags = 3;"),
            "t.BuiltRequest.tags (field 3)", "type changed from `repeated string` to `string`")

    def test_message_field_retyped(self):
        files = edited("t/s.proto", "Item item = 1;", "Amount item = 1;")
        problem = self.assertIncompatible(files, "t.BuiltResponse.item (field 1)",
                                          "type changed from `t.Item` to `t.Amount`")
        self.assertNotIn("deleted", problem)

    def test_removed_field_without_reserved(self):
        self.assertIncompatible(
            edited("t/s.proto", "int64 quantity = 2; repeated", "repeated"),
            "t.BuiltRequest.quantity (field 2)", "removed without reserving its number",
            "add `reserved 2;` to BuiltRequest")

    def test_removed_field_with_only_its_name_reserved(self):
        self.assertIncompatible(edited("t/s.proto", "int64 quantity = 2; repeated", 'reserved "quantity"; repeated'),
                                "removed without reserving its number")

    def test_change_in_another_file_reached_through_a_map_entry(self):
        self.assertIncompatible(
            edited("t/common.proto", "message Amount { int64 value = 1;", "message Amount { double value = 1;"),
            "t/common.proto", "t.Amount.value (field 1)", "type changed from `int64` to `double`")

    def test_map_value_retyped(self):
        self.assertIncompatible(
            edited("t/common.proto", "map<string, Amount> amounts = 3;", "map<string, int64> amounts = 3;"),
            "t.Item.AmountsEntry.value (field 2)", "type changed from `t.Amount` to `int64`")

    def test_protected_message_renamed(self):
        files = edited("t/common.proto", "message Item {", "message Thing {")
        files = edited("t/s.proto", "Item item = 1;", "Thing item = 1;", files)
        problems = self.problems(files)
        self.assertEqual(len(problems), 2, problems)
        self.assertTrue(any("t.BuiltResponse.item (field 1): type changed from `t.Item` to `t.Thing`" in p
                            for p in problems), problems)
        self.assertTrue(any("t.Item: message deleted or renamed" in p for p in problems), problems)

    # -- incompatible enums

    def test_enum_value_number_reused(self):
        self.assertIncompatible(
            edited("t/common.proto", "STATUS_RETIRED = 2;", "STATUS_FROZEN = 2;"),
            "t/common.proto", "t.Status.STATUS_RETIRED (value 2)",
            "number 2 reused by `STATUS_FROZEN` (was `STATUS_RETIRED`)")

    def test_nested_enum_value_removed_without_reserved(self):
        self.assertIncompatible(
            edited("t/common.proto", "KIND_A = 1;", ""),
            "t.Item.Kind.KIND_A (value 1)", "removed without reserving its number")

    def test_protected_enum_deleted(self):
        files = edited("t/common.proto", "enum Status { STATUS_UNSPECIFIED = 0; STATUS_ACTIVE = 1; STATUS_RETIRED = 2; }",
                       "")
        files = edited("t/common.proto", "Status status = 2;", "int32 status = 2;", files)
        problems = self.problems(files)
        self.assertEqual(len(problems), 2, problems)
        self.assertTrue(any("t.Status: enum deleted or renamed" in p for p in problems), problems)

    # -- methods

    def test_built_method_removed(self):
        self.assertIncompatible(
            edited("t/s.proto", "rpc Built(BuiltRequest) returns (BuiltResponse);", ""),
            "t.S/Built: built method removed or renamed")

    def test_built_method_request_type_changed(self):
        self.assertIncompatible(
            edited("t/s.proto", "rpc Built(BuiltRequest)", "rpc Built(PlannedRequest)"),
            "t.S/Built: request type changed from t.BuiltRequest to t.PlannedRequest")

    def test_built_method_made_streaming(self):
        self.assertIncompatible(
            edited("t/s.proto", "returns (BuiltResponse)", "returns (stream BuiltResponse)"),
            "t.S/Built: server streaming changed from false to true")

    def test_unbuilt_method_removed(self):
        self.assertCompatible(edited("t/s.proto", "rpc Planned(PlannedRequest) returns (PlannedResponse);", ""))

    def test_listed_method_missing_from_the_baseline(self):
        problems = [str(p) for p in check(self.baseline, self.baseline, [(7, "t.S/New")], "built.txt")]
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("built.txt:7: t.S/New is listed as built but the baseline has no such method", problems[0])

    def test_line_numbers_from_source_info(self):
        files = edited("t/s.proto", "int64 quantity = 2; repeated", "string quantity = 2; repeated")
        current = compile_protos(files, source_info=True)
        problems = check(self.baseline, current, BUILT, file_prefix="Protos/")
        self.assertEqual(len(problems), 1)
        line = problems[0].where
        self.assertTrue(line.startswith("Protos/t/s.proto:"), line)
        n = int(line.rsplit(":", 1)[1])
        self.assertIn("string quantity = 2;", textwrap.dedent(files["t/s.proto"]).splitlines()[n - 1])


class BuiltMethodsFileTests(unittest.TestCase):
    def test_comments_and_blank_lines(self):
        text = "# header\n\na.b.S/M  # trailing\n  a.S/N\n"
        self.assertEqual(parse_built_methods(text), [(3, "a.b.S/M"), (4, "a.S/N")])

    def test_malformed_line(self):
        with self.assertRaises(CompatError) as ctx:
            parse_built_methods("a.b.S.M\n", "built.txt")
        self.assertIn("built.txt:1: 'a.b.S.M' is not a method", str(ctx.exception))

    def test_duplicate(self):
        with self.assertRaises(CompatError) as ctx:
            parse_built_methods("a.S/M\na.S/M\n", "built.txt")
        self.assertIn("built.txt:2: a.S/M is already listed on line 1", str(ctx.exception))


class CommandLineTests(unittest.TestCase):
    def run_tool(self, command, tmp, current_files, built="t.S/Built\n"):
        paths = {name: os.path.join(tmp, name) for name in ("current.binpb", "built.txt")}
        with open(paths["current.binpb"], "wb") as fh:
            fh.write(compile_protos(current_files).SerializeToString())
        with open(paths["built.txt"], "w") as fh:
            fh.write(built)
        return subprocess.run(
            [sys.executable, os.path.join(os.path.dirname(HERE), "protocompat.py"), command,
             "--baseline", os.path.join(tmp, "baseline", "b.binpb"), "--current", paths["current.binpb"],
             "--built-methods", paths["built.txt"]],
            capture_output=True, text=True)

    def test_update_then_check(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = self.run_tool("check", tmp, BASE)
            self.assertEqual(result.returncode, 1)
            self.assertIn("no baseline", result.stderr)

            result = self.run_tool("update", tmp, BASE)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("1 built methods, 7 protected messages and enums", result.stdout)
            self.assertIn("breaks existing clients", result.stderr)
            with open(os.path.join(tmp, "baseline", "b.binpb"), "rb") as fh:
                first = fh.read()

            result = self.run_tool("check", tmp, BASE)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("compatible with the baseline", result.stdout)

            broken = edited("t/s.proto", "int64 quantity = 2; repeated", "repeated")
            result = self.run_tool("check", tmp, broken)
            self.assertEqual(result.returncode, 1)
            self.assertIn("t.BuiltRequest.quantity (field 2): removed without reserving its number", result.stdout)
            self.assertIn("--update", result.stderr)

            result = self.run_tool("update", tmp, broken)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("accepts 1 incompatible change", result.stderr)
            self.assertEqual(self.run_tool("check", tmp, broken).returncode, 0)

            self.run_tool("update", tmp, BASE)
            with open(os.path.join(tmp, "baseline", "b.binpb"), "rb") as fh:
                self.assertEqual(fh.read(), first, "the baseline is not deterministic")

    def test_update_refuses_a_missing_built_method(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = self.run_tool("update", tmp, BASE, built="t.S/Built\nt.S/Gone\n")
            self.assertEqual(result.returncode, 1)
            self.assertIn("built.txt:2: t.S/Gone", result.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "baseline", "b.binpb")))


if __name__ == "__main__":
    unittest.main()
