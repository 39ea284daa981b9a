"""A small client for grpc.reflection.v1.ServerReflection.

grpcio-reflection's ProtoReflectionDescriptorDatabase (1.85) speaks only grpc.reflection.v1alpha, so this
client is built from the repository's Protos/grpc/reflection/v1/reflection.proto instead.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool

import interop_protos

P = interop_protos.load()
reflection_pb2 = P.reflection_pb2

TIMEOUT = 10.0


class ReflectionError(Exception):
    def __init__(self, error):
        super().__init__(f"error_response {error.error_code}: {error.error_message!r}")
        self.error_code = error.error_code
        self.error_message = error.error_message


class ReflectionV1Client:
    def __init__(self, channel, host: str = ""):
        self.stub = P.reflection_pb2_grpc.ServerReflectionStub(channel)
        self.host = host

    def ask_many(self, requests):
        """Sends the requests on one ServerReflectionInfo stream; returns the responses (one per request)."""
        requests = list(requests)
        for request in requests:
            request.host = self.host
        return list(self.stub.ServerReflectionInfo(iter(requests), timeout=TIMEOUT))

    def ask(self, **fields):
        responses = self.ask_many([reflection_pb2.ServerReflectionRequest(**fields)])
        if len(responses) != 1:
            raise AssertionError(f"{len(responses)} responses to one request, expected 1")
        return responses[0]

    def list_services(self) -> list[str]:
        response = self.ask(list_services="")
        kind = response.WhichOneof("message_response")
        if kind == "error_response":
            raise ReflectionError(response.error_response)
        if kind != "list_services_response":
            raise AssertionError(f"list_services answered with {kind}")
        return [service.name for service in response.list_services_response.service]

    def _files(self, response) -> list[descriptor_pb2.FileDescriptorProto]:
        kind = response.WhichOneof("message_response")
        if kind == "error_response":
            raise ReflectionError(response.error_response)
        if kind != "file_descriptor_response":
            raise AssertionError(f"expected a file_descriptor_response, got {kind}")
        files = []
        for serialized in response.file_descriptor_response.file_descriptor_proto:
            files.append(descriptor_pb2.FileDescriptorProto.FromString(serialized))
        if not files:
            raise AssertionError("file_descriptor_response holds no file")
        return files

    def file_containing_symbol(self, symbol: str) -> list[descriptor_pb2.FileDescriptorProto]:
        return self._files(self.ask(file_containing_symbol=symbol))

    def file_by_filename(self, name: str) -> list[descriptor_pb2.FileDescriptorProto]:
        return self._files(self.ask(file_by_filename=name))

    def pool_for_symbol(self, symbol: str) -> descriptor_pool.DescriptorPool:
        """A fresh DescriptorPool holding the file that defines `symbol` and all its dependencies (those the
        server did not send along are fetched with file_by_filename)."""
        files = {f.name: f for f in self.file_containing_symbol(symbol)}
        pending = [dep for f in files.values() for dep in f.dependency]
        while pending:
            name = pending.pop()
            if name in files:
                continue
            for f in self.file_by_filename(name):
                if f.name not in files:
                    files[f.name] = f
                    pending.extend(f.dependency)
            if name not in files:
                raise AssertionError(f"file_by_filename {name!r} did not return that file")
        pool = descriptor_pool.DescriptorPool()
        added: set[str] = set()

        def add(name: str, stack: tuple[str, ...] = ()):
            if name in added:
                return
            if name in stack:
                raise AssertionError(f"import cycle: {' -> '.join(stack + (name,))}")
            for dep in files[name].dependency:
                add(dep, stack + (name,))
            pool.Add(files[name])
            added.add(name)

        for name in files:
            add(name)
        return pool
