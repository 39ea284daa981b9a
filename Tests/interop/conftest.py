"""Shared fixtures of the gRPC interop tests: the peer commands, test certificates, server processes."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import interop_protos  # noqa: E402

CASES = [
    "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
    "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
    "unimplemented_service", "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server",
]
MODES = ["plaintext", "tls"]
STARTUP_TIMEOUT = 20.0
PYTHON_SERVER = [sys.executable, str(HERE / "interop_server.py")]
PYTHON_CLIENT = [sys.executable, str(HERE / "interop_client.py")]

HOW_TO_RUN = """\
The interop tests run the Swift binaries against the Python peers in Tests/interop. From the repository root:
    scripts/setup.sh
    swift build -c release --product interop-server --product interop-client   # or debug
    INTEROP_SERVER=.build/release/interop-server INTEROP_CLIENT=.build/release/interop-client \\
        .venv/bin/python -m pytest Tests/interop -q
Either variable may hold a command line (relative paths are taken from the repository root); to check the
harness on its own, Python against Python:
    INTEROP_SERVER="python Tests/interop/interop_server.py" \\
    INTEROP_CLIENT="python Tests/interop/interop_client.py" .venv/bin/python -m pytest Tests/interop -q"""


def peer_command(variable: str) -> list[str]:
    """The command line in environment variable `variable`; fails the test with how-to-run when unset."""
    value = os.environ.get(variable, "").strip()
    if not value:
        pytest.fail(f"{variable} is not set (how to run these tests: see the end of the output)", pytrace=False)
    argv = shlex.split(value)
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable  # the venv's interpreter, whatever PATH says
    program = argv[0]
    if "/" in program:
        path = Path(program) if Path(program).is_absolute() else REPO / program
        if not path.exists():
            pytest.fail(f"{variable}={value!r}: {path} does not exist (not built yet?)\n{HOW_TO_RUN}",
                        pytrace=False)
        argv[0] = str(path)
    elif shutil.which(program) is None:
        pytest.fail(f"{variable}={value!r}: {program!r} is not on PATH\n{HOW_TO_RUN}", pytrace=False)
    return argv


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 5) -> None:
    """SIGTERM, then SIGKILL when the process has not ended within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text if len(text) <= limit else "…" + text[-limit:]


@dataclass
class Certs:
    dir: Path

    def __getattr__(self, name):  # certs.ca_pem -> DIR/ca.pem, certs.rogue_client_key -> DIR/rogue-client.key
        stem, _, ext = name.rpartition("_")
        if not stem or ext not in ("pem", "key"):
            raise AttributeError(name)
        return str(self.dir / f"{stem.replace('_', '-')}.{ext}")

    def read(self, name: str) -> bytes:
        return (self.dir / name).read_bytes()


@pytest.fixture(scope="session")
def certs() -> Certs:
    directory = REPO / ".test-certs"
    result = subprocess.run(["bash", str(REPO / "scripts" / "make-test-certs.sh"), str(directory)],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        pytest.fail(f"scripts/make-test-certs.sh failed ({result.returncode}):\n{result.stderr}", pytrace=False)
    return Certs(directory)


@pytest.fixture(scope="session")
def protos():
    return interop_protos.load()


@dataclass
class ServerProcess:
    """A server started as `argv --port N [extra…]`, with stdout and stderr in files."""
    label: str
    argv: list[str]
    logdir: Path
    mode: str = "plaintext"
    certs: Certs | None = None
    port: int = 0
    proc: subprocess.Popen | None = None
    stdout_path: Path = field(init=False)
    stderr_path: Path = field(init=False)

    def start(self) -> "ServerProcess":
        self.port = free_port()
        self.stdout_path = self.logdir / f"{self.label}.stdout"
        self.stderr_path = self.logdir / f"{self.label}.stderr"
        argv = self.argv + ["--port", str(self.port)]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPO)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            code = self.proc.poll()
            if code is not None:
                pytest.fail(f"{self.label}: `{shlex.join(argv)}` exited with code {code} before accepting "
                            f"connections.\nstderr:\n{tail(self.stderr_path)}\nstdout:\n{tail(self.stdout_path)}",
                            pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"{self.label}: `{shlex.join(argv)}` did not accept connections on 127.0.0.1:"
                            f"{self.port} within {STARTUP_TIMEOUT:g} s.\nstderr:\n{tail(self.stderr_path)}\n"
                            f"stdout:\n{tail(self.stdout_path)}", pytrace=False)
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        stop_process(self.proc)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def diagnostics(self) -> str:
        state = "running" if self.alive() else f"exited with code {self.proc.returncode}"
        return f"--- {self.label} ({state}) stderr:\n{tail(self.stderr_path)}"

    def channel(self, client_cert: str | None = None, client_key: str | None = None) -> grpc.Channel:
        target = f"127.0.0.1:{self.port}"
        if self.mode == "plaintext":
            return grpc.insecure_channel(target)
        credentials = grpc.ssl_channel_credentials(
            root_certificates=Path(self.certs.ca_pem).read_bytes(),
            private_key=Path(client_key).read_bytes() if client_key else None,
            certificate_chain=Path(client_cert).read_bytes() if client_cert else None)
        return grpc.secure_channel(target, credentials, options=[
            ("grpc.ssl_target_name_override", "localhost"), ("grpc.default_authority", "localhost")])


def tls_server_args(certs: Certs) -> list[str]:
    return ["--tls", "--cert", certs.server_pem, "--key", certs.server_key]


def tls_client_args(certs: Certs) -> list[str]:
    return ["--tls", "--ca", certs.ca_pem, "--server-host-override", "localhost"]


@pytest.fixture
def start_server(tmp_path_factory):
    """Starts servers for one test (stopped at its end): start_server(label, argv, mode, certs)."""
    started: list[ServerProcess] = []
    logdir = tmp_path_factory.mktemp("servers")

    def start(label, argv, mode="plaintext", certs=None, extra=()):
        server = ServerProcess(label, list(argv) + list(extra), logdir, mode, certs)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


def run_client(argv: list[str], timeout: float = 90) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                              cwd=REPO)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        pytest.fail(f"`{shlex.join(argv)}` did not finish within {timeout:g} s (hung?).\n"
                    f"stdout:\n{out}\nstderr:\n{err}", pytrace=False)


def pytest_terminal_summary(terminalreporter):
    missing = [v for v in ("INTEROP_SERVER", "INTEROP_CLIENT") if not os.environ.get(v, "").strip()]
    if missing:
        terminalreporter.write_line("")
        terminalreporter.write_line(f"{' and '.join(missing)} not set: every test that needs it fails.", red=True)
        for line in HOW_TO_RUN.splitlines():
            terminalreporter.write_line(line)
