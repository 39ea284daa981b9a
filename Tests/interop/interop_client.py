#!/usr/bin/env python3
"""gRPC interop test client on grpcio, per grpc/grpc doc/interop-test-descriptions.md ("Client").

    interop_client.py --host H --port N [--tls [--ca ca.pem] [--server-host-override NAME]]
                      --test-case NAME[,NAME...]|all

Prints "PASS name" or "FAIL name: reason" per case, in the order given, and exits 1 if any case failed
(2 for bad arguments). Each case runs on a fresh channel and asserts everything its description says.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402

import interop_protos  # noqa: E402

P = interop_protos.load()
messages = P.messages_pb2
empty = P.empty_pb2

DEFAULT_RPC_TIMEOUT = 15.0  # seconds; every call has a deadline, so a wrong server fails a case, not hangs
RPC_TIMEOUT = DEFAULT_RPC_TIMEOUT

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_INITIAL_VALUE = "test_initial_metadata_value"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
ECHO_TRAILING_VALUE = b"\xab\xab\xab"


class CaseFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailure(message)


def check_zero_body(payload, size, what):
    body = payload.body
    check(len(body) == size, f"{what}: payload body is {len(body)} bytes, expected {size}")
    check(body == bytes(size), f"{what}: payload body is not all zeros")
    check(payload.type == messages.COMPRESSABLE, f"{what}: payload type {payload.type}, expected COMPRESSABLE")


def expect_error(fn, code, details=None, what="call"):
    """Runs fn, which must raise grpc.RpcError with `code` (and `details`, when given)."""
    try:
        result = fn()
    except grpc.RpcError as e:
        check(e.code() == code, f"{what}: status {e.code().name} ({e.details()!r}), expected {code.name}")
        if details is not None:
            check(e.details() == details, f"{what}: status message {e.details()!r}, expected {details!r}")
        return e
    raise CaseFailure(f"{what}: succeeded ({str(result)[:80]!r}), expected status {code.name}")


def metadata_values(metadata, key):
    return [value for k, value in (metadata or ()) if k == key]


class RequestQueue:
    """A request iterator the test feeds one message at a time; close() half-closes."""
    _END = object()

    def __init__(self):
        self._queue = queue.Queue()

    def put(self, message):
        self._queue.put(message)

    def close(self):
        self._queue.put(self._END)

    def __iter__(self):
        return self

    def __next__(self):
        message = self._queue.get()
        if message is self._END:
            raise StopIteration
        return message


def zeros(size):
    return messages.Payload(body=bytes(size))


def streaming_request(response_size=None, payload_size=None, status=None):
    request = messages.StreamingOutputCallRequest()
    if response_size is not None:
        request.response_parameters.add(size=response_size)
    if payload_size is not None:
        request.payload.CopyFrom(zeros(payload_size))
    if status is not None:
        request.response_status.CopyFrom(status)
    return request


def server_still_answers(ctx, after):
    """Cancellation and deadlines must leave the connection usable: a plain call on the same channel."""
    try:
        ctx.stub.EmptyCall(empty.Empty(), timeout=RPC_TIMEOUT)
    except grpc.RpcError as e:
        raise CaseFailure(f"EmptyCall after {after} failed: {e.code().name} ({e.details()!r})")


# ---- test cases ----------------------------------------------------------------------------------------

def empty_unary(ctx):
    response = ctx.stub.EmptyCall(empty.Empty(), timeout=RPC_TIMEOUT)
    check(response is not None, "response is null")
    check(isinstance(response, empty.Empty), f"response is a {type(response).__name__}, expected Empty")
    check(response.SerializeToString() == b"", "response is not the empty message (it carries fields)")


def large_unary(ctx):
    request = messages.SimpleRequest(response_size=314159, payload=zeros(271828))
    response = ctx.stub.UnaryCall(request, timeout=RPC_TIMEOUT)
    check_zero_body(response.payload, 314159, "response")


def client_streaming(ctx):
    sizes = [27182, 8, 1828, 45904]
    requests = (messages.StreamingInputCallRequest(payload=zeros(size)) for size in sizes)
    response = ctx.stub.StreamingInputCall(requests, timeout=RPC_TIMEOUT)
    check(response.aggregated_payload_size == 74922,
          f"aggregated_payload_size {response.aggregated_payload_size}, expected 74922")


def server_streaming(ctx):
    sizes = [31415, 9, 2653, 58979]
    request = messages.StreamingOutputCallRequest()
    for size in sizes:
        request.response_parameters.add(size=size)
    call = ctx.stub.StreamingOutputCall(request, timeout=RPC_TIMEOUT)
    responses = list(call)
    check(call.code() == grpc.StatusCode.OK, f"status {call.code().name}, expected OK")
    check(len(responses) == 4, f"{len(responses)} responses, expected exactly 4")
    for i, (response, size) in enumerate(zip(responses, sizes)):
        check_zero_body(response.payload, size, f"response {i}")


def ping_pong(ctx):
    response_sizes = [31415, 9, 2653, 58979]
    payload_sizes = [27182, 8, 1828, 45904]
    requests = RequestQueue()
    call = ctx.stub.FullDuplexCall(requests, timeout=RPC_TIMEOUT)
    try:
        for i, (response_size, payload_size) in enumerate(zip(response_sizes, payload_sizes)):
            requests.put(streaming_request(response_size, payload_size))
            try:
                response = next(call)
            except StopIteration:
                raise CaseFailure(f"stream ended after {i} responses, expected 4")
            check_zero_body(response.payload, response_size, f"response {i}")
        requests.close()
        rest = list(call)
        check(not rest, f"{len(rest)} responses after the 4th, expected none")
        check(call.code() == grpc.StatusCode.OK, f"status {call.code().name}, expected OK")
    finally:
        requests.close()
        call.cancel()


def empty_stream(ctx):
    call = ctx.stub.FullDuplexCall(iter(()), timeout=RPC_TIMEOUT)
    responses = list(call)
    check(call.code() == grpc.StatusCode.OK, f"status {call.code().name}, expected OK")
    check(not responses, f"{len(responses)} responses, expected exactly zero")


def custom_metadata(ctx):
    metadata = ((ECHO_INITIAL, ECHO_INITIAL_VALUE), (ECHO_TRAILING, ECHO_TRAILING_VALUE))

    def check_echo(call, what):
        initial = metadata_values(call.initial_metadata(), ECHO_INITIAL)
        check(initial == [ECHO_INITIAL_VALUE],
              f"{what}: initial metadata {ECHO_INITIAL} = {initial!r}, expected [{ECHO_INITIAL_VALUE!r}]")
        trailing = metadata_values(call.trailing_metadata(), ECHO_TRAILING)
        check(trailing == [ECHO_TRAILING_VALUE],
              f"{what}: trailing metadata {ECHO_TRAILING} = {trailing!r}, expected [{ECHO_TRAILING_VALUE!r}]")

    request = messages.SimpleRequest(response_size=314159, payload=zeros(271828))
    response, call = ctx.stub.UnaryCall.with_call(request, metadata=metadata, timeout=RPC_TIMEOUT)
    check_zero_body(response.payload, 314159, "UnaryCall response")
    check_echo(call, "UnaryCall")

    call = ctx.stub.FullDuplexCall(iter([streaming_request(314159, 271828)]), metadata=metadata,
                                   timeout=RPC_TIMEOUT)
    responses = list(call)
    check(call.code() == grpc.StatusCode.OK, f"FullDuplexCall: status {call.code().name}, expected OK")
    check(len(responses) == 1, f"FullDuplexCall: {len(responses)} responses, expected 1")
    check_zero_body(responses[0].payload, 314159, "FullDuplexCall response")
    check_echo(call, "FullDuplexCall")


def _echo_status_case(ctx, message, full_duplex):
    status = messages.EchoStatus(code=2, message=message)
    expect_error(lambda: ctx.stub.UnaryCall(messages.SimpleRequest(response_status=status), timeout=RPC_TIMEOUT),
                 grpc.StatusCode.UNKNOWN, message, "UnaryCall")
    if full_duplex:
        expect_error(lambda: list(ctx.stub.FullDuplexCall(iter([streaming_request(status=status)]),
                                                          timeout=RPC_TIMEOUT)),
                     grpc.StatusCode.UNKNOWN, message, "FullDuplexCall")


def status_code_and_message(ctx):
    _echo_status_case(ctx, "test status message", full_duplex=True)


def special_status_message(ctx):
    _echo_status_case(ctx, "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n",
                      full_duplex=False)


def _call_empty(ctx, method):
    call = ctx.channel.unary_unary(method, request_serializer=empty.Empty.SerializeToString,
                                   response_deserializer=empty.Empty.FromString)
    return call(empty.Empty(), timeout=RPC_TIMEOUT)


def unimplemented_method(ctx):
    expect_error(lambda: _call_empty(ctx, "/grpc.testing.TestService/UnimplementedCall"),
                 grpc.StatusCode.UNIMPLEMENTED, what="TestService/UnimplementedCall")


def unimplemented_service(ctx):
    expect_error(lambda: _call_empty(ctx, "/grpc.testing.UnimplementedService/UnimplementedCall"),
                 grpc.StatusCode.UNIMPLEMENTED, what="UnimplementedService/UnimplementedCall")


def cancel_after_begin(ctx):
    grpc.channel_ready_future(ctx.channel).result(timeout=RPC_TIMEOUT)
    requests = RequestQueue()
    future = ctx.stub.StreamingInputCall.future(requests, timeout=RPC_TIMEOUT)
    try:
        time.sleep(0.1)  # let the request headers go out first
        check(future.cancel(), f"call was already over before the cancel: {future.code().name} "
                               f"({future.details()!r})")
        check(future.code() == grpc.StatusCode.CANCELLED, f"status {future.code().name}, expected CANCELLED")
        check(future.cancelled(), "call is not marked cancelled")
    finally:
        requests.close()
    server_still_answers(ctx, "the cancelled call")


def cancel_after_first_response(ctx):
    requests = RequestQueue()
    call = ctx.stub.FullDuplexCall(requests, timeout=RPC_TIMEOUT)
    try:
        requests.put(streaming_request(31415, 27182))
        try:
            response = next(call)
        except StopIteration:
            raise CaseFailure("stream ended with no response, expected one")
        check_zero_body(response.payload, 31415, "first response")
        check(call.cancel(), f"call was already over before the cancel: {call.code().name}")
        expect_error(lambda: next(call), grpc.StatusCode.CANCELLED, what="reading after cancel")
        check(call.code() == grpc.StatusCode.CANCELLED, f"status {call.code().name}, expected CANCELLED")
    finally:
        requests.close()
    server_still_answers(ctx, "the cancelled call")


def timeout_on_sleeping_server(ctx):
    # Connected first, so that the call with the 1 ms deadline reaches the server rather than expiring while
    # the channel connects.
    grpc.channel_ready_future(ctx.channel).result(timeout=RPC_TIMEOUT)
    requests = RequestQueue()
    requests.put(streaming_request(payload_size=27182))
    call = ctx.stub.FullDuplexCall(requests, timeout=0.001)
    try:
        expect_error(lambda: list(call), grpc.StatusCode.DEADLINE_EXCEEDED, what="FullDuplexCall")
        check(call.code() == grpc.StatusCode.DEADLINE_EXCEEDED,
              f"status {call.code().name}, expected DEADLINE_EXCEEDED")
    finally:
        requests.close()
    server_still_answers(ctx, "the timed-out call")


CASES = {case.__name__: case for case in [
    empty_unary, large_unary, client_streaming, server_streaming, ping_pong, empty_stream, custom_metadata,
    status_code_and_message, special_status_message, unimplemented_method, unimplemented_service,
    cancel_after_begin, cancel_after_first_response, timeout_on_sleeping_server,
]}


# ---- driver --------------------------------------------------------------------------------------------

class Context:
    def __init__(self, channel):
        self.channel = channel
        self.stub = P.test_pb2_grpc.TestServiceStub(channel)


def make_channel(args):
    host = f"[{args.host}]" if ":" in args.host and not args.host.startswith("[") else args.host
    target = f"{host}:{args.port}"
    if not args.tls:
        return grpc.insecure_channel(target)
    root = open(args.ca, "rb").read() if args.ca else None
    key = open(args.client_key, "rb").read() if args.client_key else None
    chain = open(args.client_cert, "rb").read() if args.client_cert else None
    credentials = grpc.ssl_channel_credentials(root_certificates=root, private_key=key, certificate_chain=chain)
    options = []
    if args.server_host_override:
        options = [("grpc.ssl_target_name_override", args.server_host_override),
                   ("grpc.default_authority", args.server_host_override)]
    return grpc.secure_channel(target, credentials, options=options)


def describe(error):
    if isinstance(error, CaseFailure):
        return str(error)
    if isinstance(error, grpc.RpcError) and hasattr(error, "code"):
        return f"unexpected status {error.code().name} ({error.details()!r})"
    if isinstance(error, grpc.FutureTimeoutError):
        return "timed out waiting for the channel to connect"
    return f"{type(error).__name__}: {error}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="server host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="server port")
    parser.add_argument("--tls", action="store_true", help="connect with TLS")
    parser.add_argument("--ca", help="PEM CA bundle that signs the server certificate (default: system roots)")
    parser.add_argument("--server-host-override", help="name to verify the server certificate against and "
                                                        "to send as :authority")
    parser.add_argument("--client-cert", help="PEM client certificate chain to present (mutual TLS)")
    parser.add_argument("--client-key", help="PEM private key of --client-cert")
    parser.add_argument("--rpc-timeout", type=float, default=DEFAULT_RPC_TIMEOUT,
                        help=f"deadline of each call in seconds (default {DEFAULT_RPC_TIMEOUT:g})")
    parser.add_argument("--test-case", required=True,
                        help=f"comma-separated case names, or all: {', '.join(CASES)}")
    args = parser.parse_args(argv)
    names = list(CASES) if args.test_case == "all" else [n.strip() for n in args.test_case.split(",") if n.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown or not names:
        parser.error(f"unknown test case(s): {', '.join(unknown) or '(none given)'}")
    if bool(args.client_cert) != bool(args.client_key):
        parser.error("--client-cert and --client-key go together")

    global RPC_TIMEOUT
    RPC_TIMEOUT = args.rpc_timeout

    failed = 0
    for name in names:
        channel = make_channel(args)
        try:
            CASES[name](Context(channel))
        except Exception as error:  # noqa: BLE001 - every failure is reported per case
            failed += 1
            print(f"FAIL {name}: {describe(error)}", flush=True)
        else:
            print(f"PASS {name}", flush=True)
        finally:
            channel.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
