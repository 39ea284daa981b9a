"""Compiles the repository's gRPC test protos to Python and imports them.

The protos live in Protos/ (package grpc.testing, grpc.reflection.v1; imports relative to Protos/). They are
compiled with grpc_tools.protoc into .build-py/protos-<hash>/ at the repository root (ignored by git, never
committed); the hash covers the proto sources and the protobuf/grpcio-tools versions, so a changed proto
is recompiled and an unchanged one is compiled once.

The generated modules are named after the proto packages (grpc.testing.test_pb2, ...), which collides with
grpcio's own `grpc` package; the generated `grpc/` directory is therefore added to `grpc.__path__`, which
turns grpc.testing into a namespace sub-package of grpcio's package (and grpc/reflection/ is added to the
path of grpc_reflection, which grpcio aliases as grpc.reflection). (Health is not
compiled here: grpcio-health-checking's grpc_health.v1 stubs already define the grpc.health.v1 symbols
in the default descriptor pool.)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOS_DIR = REPO_ROOT / "Protos"
BUILD_DIR = REPO_ROOT / ".build-py"

TESTING_PROTOS = ["grpc/testing/empty.proto", "grpc/testing/messages.proto", "grpc/testing/test.proto"]
REFLECTION_PROTO = "grpc/reflection/v1/reflection.proto"

_loaded: types.SimpleNamespace | None = None


def compile_protos(sources: list[str], prefix: str = "protos") -> Path:
    """Compiles `sources` (paths relative to Protos/) with grpc_tools.protoc into
    .build-py/<prefix>-<hash>/ once, and returns that directory (the benchmark driver
    benchmarks/workload.py compiles the recs protos with it)."""
    import google.protobuf
    import grpc_tools
    from grpc_tools import protoc

    missing = [s for s in sources if not (PROTOS_DIR / s).is_file()]
    if missing:
        raise RuntimeError(f"missing proto files under {PROTOS_DIR}: {', '.join(missing)}")

    digest = hashlib.sha256()
    digest.update(f"protobuf={google.protobuf.__version__};".encode())
    digest.update(f"grpc_tools={getattr(grpc_tools, '__version__', '')};".encode())
    digest.update(f"python={sys.version_info[:2]};".encode())
    for s in sources:
        digest.update(s.encode() + b"\0" + (PROTOS_DIR / s).read_bytes() + b"\0")
    out = BUILD_DIR / f"{prefix}-{digest.hexdigest()[:16]}"
    if (out / ".complete").is_file():
        return out

    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=BUILD_DIR))
    try:
        include = str(Path(protoc.__file__).parent / "_proto")  # google/protobuf/*.proto
        args = ["grpc_tools.protoc", f"-I{PROTOS_DIR}", f"-I{include}",
                f"--python_out={tmp}", f"--grpc_python_out={tmp}"] + [str(PROTOS_DIR / s) for s in sources]
        rc = protoc.main(args)
        if rc != 0:
            raise RuntimeError(f"grpc_tools.protoc failed with exit code {rc}: {' '.join(args)}")
        (tmp / ".complete").write_text("ok\n")
        try:
            os.rename(tmp, out)
        except OSError:
            if not (out / ".complete").is_file():  # not another process winning the race
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _compile() -> Path:
    return compile_protos(TESTING_PROTOS + [REFLECTION_PROTO])


def load() -> types.SimpleNamespace:
    """Returns a namespace with empty_pb2, messages_pb2, test_pb2, test_pb2_grpc, reflection_pb2,
    reflection_pb2_grpc."""
    global _loaded
    if _loaded is not None:
        return _loaded
    out = _compile()
    import grpc

    generated = out / "grpc"
    if str(generated) not in grpc.__path__:
        grpc.__path__.append(str(generated))
    # grpcio aliases grpc.health, grpc.reflection and grpc.tools to the grpc_health, grpc_reflection and
    # grpc_tools packages (when installed): extend those aliased packages' search paths too.
    for sub in generated.iterdir():
        alias = sys.modules.get(f"grpc.{sub.name}")
        if sub.is_dir() and alias is not None and hasattr(alias, "__path__") and str(sub) not in alias.__path__:
            alias.__path__.append(str(sub))

    from grpc.reflection.v1 import reflection_pb2, reflection_pb2_grpc
    from grpc.testing import empty_pb2, messages_pb2, test_pb2, test_pb2_grpc

    _loaded = types.SimpleNamespace(
        empty_pb2=empty_pb2, messages_pb2=messages_pb2, test_pb2=test_pb2, test_pb2_grpc=test_pb2_grpc,
        reflection_pb2=reflection_pb2, reflection_pb2_grpc=reflection_pb2_grpc, directory=out)
    return _loaded


if __name__ == "__main__":
    print(load().directory)
