"""gRPC interop conformance of the Swift interop-server and interop-client (grpc/grpc
doc/interop-test-descriptions.md), plus health, server reflection v1 and mutual TLS of the interop-server.

    INTEROP_SERVER=… INTEROP_CLIENT=… .venv/bin/python -m pytest Tests/interop -q

(a) $INTEROP_SERVER --port N [--tls --cert … --key …], driven by interop_client.py (grpcio);
(b) interop_server.py (grpcio), driven by $INTEROP_CLIENT --host 127.0.0.1 --port N [--tls --ca …
    --server-host-override localhost] --test-case NAME.
Each case runs in plaintext and over TLS; each server is started once per module and mode.
"""

from __future__ import annotations

import queue
import shlex
import subprocess
import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from conftest import (CASES, MODES, PYTHON_CLIENT, PYTHON_SERVER, STARTUP_TIMEOUT, ServerProcess, peer_command,
                      run_client, stop_process, tail, tls_client_args, tls_server_args)

TIMEOUT = 10.0


@pytest.fixture(scope="module", params=MODES)
def interop_server(request, certs, tmp_path_factory):
    """$INTEROP_SERVER, once per mode."""
    mode = request.param
    argv = peer_command("INTEROP_SERVER") + (tls_server_args(certs) if mode == "tls" else [])
    server = ServerProcess(f"interop-server-{mode}", argv, tmp_path_factory.mktemp("interop-server"), mode, certs)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=MODES)
def python_server(request, certs, tmp_path_factory):
    """interop_server.py, once per mode."""
    mode = request.param
    argv = PYTHON_SERVER + (tls_server_args(certs) if mode == "tls" else [])
    server = ServerProcess(f"interop_server.py-{mode}", argv, tmp_path_factory.mktemp("python-server"), mode, certs)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def channel(interop_server):
    ch = interop_server.channel()
    yield ch
    ch.close()


def check_client_run(result: subprocess.CompletedProcess, case: str, server: ServerProcess, argv: list[str]):
    lines = result.stdout.splitlines()
    if result.returncode == 0 and f"PASS {case}" in lines:
        return
    pytest.fail(f"`{shlex.join(argv)}` exited with {result.returncode}\nstdout:\n{result.stdout}\n"
                f"stderr:\n{tail_text(result.stderr)}\n{server.diagnostics()}", pytrace=False)


def tail_text(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


# ---- (a) interop_client.py against $INTEROP_SERVER ------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_python_client_against_interop_server(interop_server, certs, case):
    argv = PYTHON_CLIENT + ["--host", "127.0.0.1", "--port", str(interop_server.port), "--test-case", case]
    if interop_server.mode == "tls":
        argv += tls_client_args(certs)
    check_client_run(run_client(argv), case, interop_server, argv)


# ---- (b) $INTEROP_CLIENT against interop_server.py ------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_interop_client_against_python_server(python_server, certs, case):
    argv = peer_command("INTEROP_CLIENT") + ["--host", "127.0.0.1", "--port", str(python_server.port)]
    if python_server.mode == "tls":
        argv += tls_client_args(certs)
    argv += ["--test-case", case]
    check_client_run(run_client(argv), case, python_server, argv)


# ---- the interop-server's command line ----------------------------------------------------------------

def test_interop_server_prints_listening_line(interop_server):
    """Once it accepts connections, the server has printed `listening on PORT` (stdout flushed)."""
    expected = f"listening on {interop_server.port}"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if expected in interop_server.stdout_path.read_text(errors="replace").splitlines():
            return
        time.sleep(0.05)
    pytest.fail(f"stdout has no line {expected!r} although the port accepts connections (is stdout flushed?)\n"
                f"stdout:\n{tail(interop_server.stdout_path)}\n{interop_server.diagnostics()}", pytrace=False)


def test_interop_server_port_zero(tmp_path):
    """`--port 0` picks a free port and prints it as `listening on PORT`; that port then serves calls."""
    argv = peer_command("INTEROP_SERVER") + ["--port", "0"]
    stderr_path = tmp_path / "stderr"
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        port = None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        seen = []
        while port is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2).decode(errors="replace").rstrip("\r\n")
            except queue.Empty:
                if proc.poll() is not None:
                    break
                continue
            seen.append(line)
            if line.startswith("listening on "):
                port = int(line.split()[-1])
        if port is None:
            pytest.fail(f"`{shlex.join(argv)}` printed no `listening on PORT` line within {STARTUP_TIMEOUT:g} s "
                        f"(exit code {proc.poll()}).\nstdout:\n" + "\n".join(seen) +
                        f"\nstderr:\n{tail(stderr_path)}", pytrace=False)
        assert port > 0, f"printed port {port}"
        from interop_protos import load
        protos = load()
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            response = protos.test_pb2_grpc.TestServiceStub(ch).EmptyCall(protos.empty_pb2.Empty(), timeout=TIMEOUT)
        assert response.SerializeToString() == b""
    finally:
        stop_process(proc)


# ---- grpc.health.v1 -----------------------------------------------------------------------------------

def test_health_check_overall_serving(channel):
    response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
    assert response.status == health_pb2.HealthCheckResponse.SERVING, \
        f"overall status {health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)}, expected SERVING"


def test_health_check_unknown_service_not_found(channel):
    with pytest.raises(grpc.RpcError) as info:
        health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=TIMEOUT)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND, \
        f"status {info.value.code().name} ({info.value.details()!r}), expected NOT_FOUND"


def test_health_watch_first_message_serving(channel):
    call = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
    try:
        first = next(call)
    except StopIteration:
        pytest.fail(f"Watch ended without a message: {call.code().name} ({call.details()!r})")
    finally:
        call.cancel()
    assert first.status == health_pb2.HealthCheckResponse.SERVING, \
        f"first Watch status {health_pb2.HealthCheckResponse.ServingStatus.Name(first.status)}, expected SERVING"


# ---- grpc.reflection.v1 -------------------------------------------------------------------------------

@pytest.fixture
def reflection(channel):
    import reflection_v1
    return reflection_v1.ReflectionV1Client(channel)


def test_reflection_lists_services(reflection):
    services = reflection.list_services()
    for name in ("grpc.testing.TestService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"):
        assert name in services, f"{name} missing from list_services: {services}"


def test_reflection_file_containing_symbol_describes_test_service(reflection):
    files = reflection.file_containing_symbol("grpc.testing.TestService")
    defining = [f.name for f in files if f.package == "grpc.testing" and any(s.name == "TestService" for s in f.service)]
    assert defining == ["grpc/testing/test.proto"], \
        f"files defining grpc.testing.TestService: {defining} (all sent: {[f.name for f in files]})"
    pool = reflection.pool_for_symbol("grpc.testing.TestService")
    service = pool.FindServiceByName("grpc.testing.TestService")
    method = service.methods_by_name.get("UnaryCall")
    assert method is not None, f"TestService has no UnaryCall: {list(service.methods_by_name)}"
    assert method.input_type.full_name == "grpc.testing.SimpleRequest"
    assert method.output_type.full_name == "grpc.testing.SimpleResponse"
    full_duplex = service.methods_by_name["FullDuplexCall"]
    assert full_duplex.client_streaming and full_duplex.server_streaming


def test_reflection_unknown_symbol_not_found(reflection):
    response = reflection.ask(file_containing_symbol="no.such.Symbol")
    assert response.WhichOneof("message_response") == "error_response", \
        f"answered with {response.WhichOneof('message_response')}, expected error_response"
    assert response.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0], \
        f"error_code {response.error_response.error_code}, expected 5 (NOT_FOUND)"


def test_reflection_answers_several_requests_on_one_stream(reflection):
    from reflection_v1 import reflection_pb2
    requests = [reflection_pb2.ServerReflectionRequest(list_services=""),
                reflection_pb2.ServerReflectionRequest(file_containing_symbol="no.such.Symbol"),
                reflection_pb2.ServerReflectionRequest(file_by_filename="grpc/testing/empty.proto")]
    responses = reflection.ask_many(requests)
    kinds = [r.WhichOneof("message_response") for r in responses]
    assert kinds == ["list_services_response", "error_response", "file_descriptor_response"], kinds
    for request, response in zip(requests, responses):
        assert response.original_request == request, \
            f"original_request {response.original_request} does not echo {request}"


# ---- mutual TLS ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mtls_server(certs, tmp_path_factory):
    argv = peer_command("INTEROP_SERVER") + tls_server_args(certs) + ["--client-ca", certs.ca_pem]
    server = ServerProcess("interop-server-mtls", argv, tmp_path_factory.mktemp("mtls"), "tls", certs)
    server.start()
    yield server
    server.stop()


def _empty_call(channel):
    from interop_protos import load
    protos = load()
    return protos.test_pb2_grpc.TestServiceStub(channel).EmptyCall(protos.empty_pb2.Empty(), timeout=TIMEOUT)


def test_mtls_accepts_trusted_client_certificate(mtls_server, certs):
    with mtls_server.channel(certs.client_pem, certs.client_key) as ch:
        assert _empty_call(ch).SerializeToString() == b""


@pytest.mark.parametrize("who", ["rogue-client-certificate", "no-client-certificate"])
def test_mtls_rejects_untrusted_client(mtls_server, certs, who):
    if who == "rogue-client-certificate":
        ch = mtls_server.channel(certs.rogue_client_pem, certs.rogue_client_key)
    else:
        ch = mtls_server.channel()
    with ch, pytest.raises(grpc.RpcError) as info:
        _empty_call(ch)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE, \
        f"status {info.value.code().name} ({info.value.details()!r}), expected UNAVAILABLE (handshake refused)"
    assert mtls_server.alive(), mtls_server.diagnostics()
