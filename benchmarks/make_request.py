#!/usr/bin/env python3
"""Writes the gRPC request body that benchmarks/run.sh sends with `h2load -d`.

The request is grpc.testing.SimpleRequest{response_size: 16, payload: {body: 16 zero bytes}}
(response_type and the rest left at their defaults), hand-encoded in protobuf wire format:

    10 10                  field 2 (response_size), varint       = 16
    1a 12                  field 3 (payload), length-delimited, 18 bytes:
       12 10 00 x 16         Payload field 2 (body), length-delimited, 16 zero bytes

That is 22 bytes of protobuf, behind gRPC's 5-byte message prefix (0 = not compressed, then the
length as a big-endian uint32): 00 00 00 00 16. 27 bytes in all.

The expected response is SimpleResponse{payload: {body: 16 zero bytes}}: 0a 12 12 10 00 x 16,
20 bytes, 25 with its prefix (a server may also set payload.type = COMPRESSABLE, which is 0 and so
not encoded). `--check` also builds the same message with the protobuf runtime from
Protos/grpc/testing/messages.proto (needs grpcio-tools, as in the repo's .venv) and compares.

usage: make_request.py [OUT] [--check]     (OUT defaults to benchmarks/request.bin)
"""
import os
import struct
import sys

RESPONSE_SIZE = 16
BODY_SIZE = 16


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def length_delimited(number: int, data: bytes) -> bytes:
    return field(number, 2) + varint(len(data)) + data


def simple_request() -> bytes:
    payload = length_delimited(2, bytes(BODY_SIZE))          # Payload.body
    return field(2, 0) + varint(RESPONSE_SIZE) + length_delimited(3, payload)


def expected_response() -> bytes:
    return length_delimited(1, length_delimited(2, bytes(RESPONSE_SIZE)))


def grpc_frame(message: bytes) -> bytes:
    return struct.pack(">BI", 0, len(message)) + message


def check_with_protobuf(encoded: bytes) -> None:
    import importlib.util
    import tempfile
    from grpc_tools import protoc

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        rc = protoc.main(["protoc", f"-I{repo}/Protos", f"--python_out={tmp}", "grpc/testing/messages.proto"])
        if rc != 0:
            sys.exit("protoc failed")
        spec = importlib.util.spec_from_file_location("messages_pb2", f"{tmp}/grpc/testing/messages_pb2.py")
        messages = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(messages)
    request = messages.SimpleRequest(response_size=RESPONSE_SIZE, payload=messages.Payload(body=bytes(BODY_SIZE)))
    if request.SerializeToString() != encoded:
        sys.exit(f"mismatch: protobuf gives {request.SerializeToString().hex()}, hand-encoded {encoded.hex()}")
    response = messages.SimpleResponse(payload=messages.Payload(body=bytes(RESPONSE_SIZE)))
    if response.SerializeToString() != expected_response():
        sys.exit("expected response mismatch")
    print("checked against the protobuf runtime: identical", file=sys.stderr)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--check"]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "request.bin")
    message = simple_request()
    if "--check" in sys.argv:
        check_with_protobuf(message)
    with open(out, "wb") as f:
        f.write(grpc_frame(message))
    print(f"wrote {out}: {grpc_frame(message).hex()}", file=sys.stderr)


if __name__ == "__main__":
    main()
