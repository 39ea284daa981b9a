#!/usr/bin/env python3
"""grpc.testing.TestService server on grpcio, per grpc/grpc doc/interop-test-descriptions.md ("Server").

    interop_server.py --port N [--tls --cert server.pem --key server.key [--client-ca ca.pem]]

Prints "listening on PORT" on stdout once it accepts connections (--port 0 picks a free port and prints
it). Also serves grpc.health.v1.Health ("" and grpc.testing.TestService: SERVING) and server reflection
as grpc.reflection.v1.ServerReflection, so the Python peer offers what the Swift interop-server offers.
It doubles as a benchmark peer: UnaryCall does no more than the descriptions require.
Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from concurrent import futures

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from grpc_health.v1 import health, health_pb2, health_pb2_grpc  # noqa: E402
from grpc_reflection.v1alpha import reflection as reflection_v1alpha  # noqa: E402
from grpc_reflection.v1alpha import reflection_pb2 as reflection_v1alpha_pb2  # noqa: E402

import interop_protos  # noqa: E402

P = interop_protos.load()
messages = P.messages_pb2
empty = P.empty_pb2

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
_CODES = {code.value[0]: code for code in grpc.StatusCode}


def _echo_metadata(context, extra_initial=()) -> None:
    """Echo Metadata: x-grpc-test-echo-initial back as initial metadata, x-grpc-test-echo-trailing-bin back
    as trailing metadata. extra_initial: further initial metadata to send along."""
    initial = trailing = None
    for key, value in context.invocation_metadata():
        if key == ECHO_INITIAL:
            initial = value
        elif key == ECHO_TRAILING:
            trailing = value
    if initial is not None or extra_initial:
        context.send_initial_metadata(
            tuple(extra_initial) + (((ECHO_INITIAL, initial),) if initial is not None else ()))
    if trailing is not None:
        context.set_trailing_metadata(((ECHO_TRAILING, trailing),))


def _echo_status(status, context) -> None:
    """Echo Status: a non-OK response_status ends the call with that code and message."""
    if status.code != 0:
        context.abort(_CODES.get(status.code, grpc.StatusCode.UNKNOWN), status.message)


def _check_type(response_type, context) -> None:
    if response_type != messages.COMPRESSABLE:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unsupported response_type {response_type}")


def _streamed(request, context):
    """The responses one StreamingOutputCallRequest asks for (Observe ResponseParameters.interval_us)."""
    _echo_status(request.response_status, context)
    _check_type(request.response_type, context)
    for params in request.response_parameters:
        if params.interval_us > 0:
            time.sleep(params.interval_us / 1e6)
        if params.compressed.value:
            context.set_compression(grpc.Compression.Gzip)
        elif params.HasField("compressed"):
            context.disable_next_message_compression()
        yield messages.StreamingOutputCallResponse(payload=messages.Payload(body=bytes(params.size)))


class TestService(P.test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        _echo_metadata(context)
        return empty.Empty()

    def UnaryCall(self, request, context):
        _echo_metadata(context)
        if request.response_status.code:
            _echo_status(request.response_status, context)
        if request.response_type:
            _check_type(request.response_type, context)
        if request.response_compressed.value:
            context.set_compression(grpc.Compression.Gzip)
        if request.response_size > 0:
            return messages.SimpleResponse(payload=messages.Payload(body=bytes(request.response_size)))
        return messages.SimpleResponse()

    def CacheableUnaryCall(self, request, context):
        _echo_metadata(context, extra_initial=(("cache-control", "max-age=60, public"),))
        return messages.SimpleResponse(payload=messages.Payload(body=str(time.time_ns()).encode()))

    def StreamingOutputCall(self, request, context):
        _echo_metadata(context)
        yield from _streamed(request, context)

    def StreamingInputCall(self, request_iterator, context):
        _echo_metadata(context)
        total = 0
        for request in request_iterator:
            total += len(request.payload.body)
        return messages.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        _echo_metadata(context)
        for request in request_iterator:
            yield from _streamed(request, context)

    def HalfDuplexCall(self, request_iterator, context):
        _echo_metadata(context)
        requests = list(request_iterator)
        for request in requests:
            yield from _streamed(request, context)

    def UnimplementedCall(self, request, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "UnimplementedCall is not implemented")


class FaultyTestService(TestService):
    """A deliberately wrong server, one fault at a time (--fault NAME), so the harness can prove that each
    client case fails on a server that breaks what the case checks (see FAULT_CASES)."""

    def __init__(self, fault):
        self.fault = fault

    def EmptyCall(self, request, context):
        if self.fault == "empty-call-fails":
            context.abort(grpc.StatusCode.INTERNAL, "fault: empty-call-fails")
        if self.fault == "empty-not-empty":
            return empty.Empty.FromString(b"\x08\x01")  # an unknown field survives serialization
        return super().EmptyCall(request, context)

    def UnaryCall(self, request, context):
        if self.fault == "short-unary-body" and request.response_size > 0:
            return messages.SimpleResponse(payload=messages.Payload(body=bytes(request.response_size - 1)))
        status = request.response_status
        if status.code and self.fault == "wrong-status-code":
            context.abort(grpc.StatusCode.INTERNAL, status.message)
        if status.code and self.fault == "trimmed-status-message":
            context.abort(_CODES[status.code], status.message.strip())
        return super().UnaryCall(request, context)

    def StreamingOutputCall(self, request, context):
        responses = list(super().StreamingOutputCall(request, context))
        if self.fault == "missing-stream-response":
            responses = responses[:-1]
        for response in responses:
            if self.fault == "nonzero-stream-body":
                response.payload.body = b"\x01" * len(response.payload.body)
            yield response

    def StreamingInputCall(self, request_iterator, context):
        if self.fault == "eager-streaming-input":
            return messages.StreamingInputCallResponse()
        response = super().StreamingInputCall(request_iterator, context)
        if self.fault == "aggregate-off-by-one":
            response.aggregated_payload_size += 1
        return response

    def FullDuplexCall(self, request_iterator, context):
        if self.fault == "half-duplex":
            yield from super().HalfDuplexCall(request_iterator, context)
            return
        _echo_metadata(context)
        if self.fault == "no-trailing-echo":
            context.set_trailing_metadata(())
        for request in request_iterator:
            if self.fault == "wrong-status-code" and request.response_status.code:
                context.abort(grpc.StatusCode.INTERNAL, request.response_status.message)
            if self.fault == "duplex-aborts":
                context.abort(grpc.StatusCode.INTERNAL, "fault: duplex-aborts")
            for response in _streamed(request, context):
                if self.fault == "duplex-short-body":
                    response.payload.body = response.payload.body[:-1]
                yield response
        if self.fault == "extra-response":
            yield messages.StreamingOutputCallResponse()

    def UnimplementedCall(self, request, context):
        if self.fault == "implements-unimplemented":
            return empty.Empty()
        return super().UnimplementedCall(request, context)


# (fault, the client case that must fail against it, whether $INTEROP_CLIENT is held to it too).
# interop_client.py is held to all. The others check beyond the descriptions (an EmptyCall response of zero
# bytes, all-zero payload bodies, a 100 ms wait before cancelling) or only fail a client with short deadlines
# slowly (half-duplex). cancel_after_begin, cancel_after_first_response and timeout_on_sleeping_server assert
# a status the client produces itself; the faults below that break the first two make the server answer
# differently, and none can break the third reliably (see the comment at the end).
FAULT_CASES = [
    ("empty-call-fails", "empty_unary", True),
    ("empty-not-empty", "empty_unary", False),
    ("short-unary-body", "large_unary", True),
    ("aggregate-off-by-one", "client_streaming", True),
    ("missing-stream-response", "server_streaming", True),
    ("nonzero-stream-body", "server_streaming", False),
    ("duplex-short-body", "ping_pong", True),
    ("half-duplex", "ping_pong", False),
    ("extra-response", "empty_stream", True),
    ("no-trailing-echo", "custom_metadata", True),
    ("wrong-status-code", "status_code_and_message", True),
    ("trimmed-status-message", "special_status_message", True),
    ("implements-unimplemented", "unimplemented_method", True),
    ("serves-unimplemented-service", "unimplemented_service", True),
    ("eager-streaming-input", "cancel_after_begin", False),
    # There is no die-on-cancel fault (the process exiting when a call is cancelled): whether grpcio
    # runs a handler's completion before or after the cancellation callback is a race, and such a
    # fault failed this harness for both clients now and then. eager-streaming-input and
    # duplex-aborts cover the two cancel cases.
    ("duplex-aborts", "cancel_after_first_response", True),
    # There is no die-on-short-deadline fault either: timeout_on_sleeping_server sets a 1 ms deadline,
    # so whether the call reaches a handler at all (and the process exits) before the client's own
    # timer answers DEADLINE_EXCEEDED depends on scheduling; on a loaded machine the client passed
    # against the dying server now and then. No server fault can decide that case reliably.
]
FAULTS = sorted({fault for fault, _, _ in FAULT_CASES})


def _unimplemented_service_handler():
    return grpc.method_handlers_generic_handler("grpc.testing.UnimplementedService", {
        "UnimplementedCall": grpc.unary_unary_rpc_method_handler(
            lambda request, context: empty.Empty(),
            request_deserializer=empty.Empty.FromString,
            response_serializer=empty.Empty.SerializeToString),
    })


def _reflection_v1_handler(service_names):
    """grpcio-reflection serves only v1alpha; v1 is the same protocol under another package, so its
    servicer is mounted under grpc.reflection.v1 (the messages are wire-identical)."""
    servicer = reflection_v1alpha.ReflectionServicer(service_names)
    return grpc.method_handlers_generic_handler("grpc.reflection.v1.ServerReflection", {
        "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
            servicer.ServerReflectionInfo,
            request_deserializer=reflection_v1alpha_pb2.ServerReflectionRequest.FromString,
            response_serializer=lambda message: message.SerializeToString()),
    })


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="[::]", help="address to bind (default [::], all addresses)")
    parser.add_argument("--tls", action="store_true", help="serve TLS (needs --cert and --key)")
    parser.add_argument("--cert", help="PEM certificate chain of the server")
    parser.add_argument("--key", help="PEM private key of the server")
    parser.add_argument("--client-ca", help="PEM CA bundle: require client certificates signed by it")
    parser.add_argument("--workers", type=int, default=64, help="handler threads (default 64)")
    parser.add_argument("--fault", choices=FAULTS, help=argparse.SUPPRESS)  # harness self-tests only
    args = parser.parse_args(argv)
    if args.tls and not (args.cert and args.key):
        parser.error("--tls needs --cert and --key")
    if args.client_ca and not args.tls:
        parser.error("--client-ca needs --tls")

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.workers),
                         options=[("grpc.so_reuseport", 0)])
    servicer = FaultyTestService(args.fault) if args.fault else TestService()
    P.test_pb2_grpc.add_TestServiceServicer_to_server(servicer, server)
    if args.fault == "serves-unimplemented-service":
        server.add_generic_rpc_handlers((_unimplemented_service_handler(),))

    health_servicer = health.HealthServicer(experimental_non_blocking=True,
                                            experimental_thread_pool=futures.ThreadPoolExecutor(2))
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_servicer.set("grpc.testing.TestService", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)

    server.add_generic_rpc_handlers((_reflection_v1_handler([
        "grpc.testing.TestService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"]),))

    address = f"{args.host}:{args.port}"
    if args.tls:
        with open(args.key, "rb") as f:
            key = f.read()
        with open(args.cert, "rb") as f:
            cert = f.read()
        client_ca = None
        if args.client_ca:
            with open(args.client_ca, "rb") as f:
                client_ca = f.read()
        credentials = grpc.ssl_server_credentials(
            [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None)
        port = server.add_secure_port(address, credentials)
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        print(f"interop_server.py: cannot listen on {address}", file=sys.stderr)
        return 1

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    print(f"listening on {port}", flush=True)
    while not stop.wait(3600):
        pass
    server.stop(grace=0.5).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
