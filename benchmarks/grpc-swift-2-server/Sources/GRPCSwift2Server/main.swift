// grpc-swift-2-server: grpc.testing.TestService on grpc-swift-2 with the NIO posix HTTP/2 transport
// (plaintext, default configuration), for benchmarks/run.sh to compare against.
//
//   grpc-swift-2-server [--port N] [--host 127.0.0.1]
//
// Prints "listening on PORT" once bound (--port 0 picks a free port).
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import SwiftProtobuf

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct TestService: Grpc_Testing_TestService.SimpleServiceProtocol {
    /// `response_size` zero bytes, as the interop tests ask for.
    private static func payload(size: Int32) throws -> Grpc_Testing_Payload {
        guard size >= 0 else { throw RPCError(code: .invalidArgument, message: "negative size \(size)") }
        var payload = Grpc_Testing_Payload()
        payload.type = .compressable
        payload.body = Data(count: Int(size))
        return payload
    }

    /// Fails with the requested status if the request carries a non-zero `response_status`.
    private static func echoStatus(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        let code = Status.Code(rawValue: Int(status.code)).flatMap { RPCError.Code($0) } ?? .unknown
        throw RPCError(code: code, message: status.message)
    }

    func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        Grpc_Testing_Empty()
    }

    func unaryCall(
        request: Grpc_Testing_SimpleRequest, context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        try Self.echoStatus(request.hasResponseStatus ? request.responseStatus : nil)
        var response = Grpc_Testing_SimpleResponse()
        if request.responseSize > 0 {
            response.payload = try Self.payload(size: request.responseSize)
        }
        return response
    }

    func cacheableUnaryCall(
        request: Grpc_Testing_SimpleRequest, context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        try await self.unaryCall(request: request, context: context)
    }

    private static func answer(
        _ request: Grpc_Testing_StreamingOutputCallRequest,
        into writer: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>
    ) async throws {
        try echoStatus(request.hasResponseStatus ? request.responseStatus : nil)
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int(parameters.intervalUs)))
            }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload = try payload(size: parameters.size)
            try await writer.write(response)
        }
    }

    func streamingOutputCall(
        request: Grpc_Testing_StreamingOutputCallRequest,
        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        try await Self.answer(request, into: response)
    }

    func streamingInputCall(
        request: RPCAsyncSequence<Grpc_Testing_StreamingInputCallRequest, any Error>,
        context: ServerContext
    ) async throws -> Grpc_Testing_StreamingInputCallResponse {
        var total = 0
        for try await message in request { total += message.payload.body.count }
        var response = Grpc_Testing_StreamingInputCallResponse()
        response.aggregatedPayloadSize = Int32(clamping: total)
        return response
    }

    func fullDuplexCall(
        request: RPCAsyncSequence<Grpc_Testing_StreamingOutputCallRequest, any Error>,
        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        for try await message in request { try await Self.answer(message, into: response) }
    }

    func halfDuplexCall(
        request: RPCAsyncSequence<Grpc_Testing_StreamingOutputCallRequest, any Error>,
        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        var all: [Grpc_Testing_StreamingOutputCallRequest] = []
        for try await message in request { all.append(message) }
        for message in all { try await Self.answer(message, into: response) }
    }

    func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw RPCError(code: .unimplemented, message: "UnimplementedCall is not implemented")
    }
}

/// Unbuffered, so the line reaches a pipe at once (and no C `stdout`/`stderr` globals under Swift 6).
func writeLine(_ fd: Int32, _ line: String) {
    var line = line + "\n"
    line.withUTF8 { bytes in _ = write(fd, bytes.baseAddress, bytes.count) }
}

func usage() -> Never {
    writeLine(2, "usage: grpc-swift-2-server [--port N] [--host ADDRESS]")
    exit(2)
}

var port = 50051
var host = "127.0.0.1"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--port": guard let value = arguments.popFirst().flatMap({ Int($0) }) else { usage() }; port = value
    case "--host": guard let value = arguments.popFirst() else { usage() }; host = value
    default: usage()
    }
}

let server = GRPCServer(
    transport: .http2NIOPosix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext),
    services: [TestService()]
)
try await withThrowingDiscardingTaskGroup { group in
    group.addTask { try await server.serve() }
    guard let address = try await server.listeningAddress?.ipv4 else {
        writeLine(2, "grpc-swift-2-server: not listening on an IPv4 address")
        exit(1)
    }
    writeLine(1, "listening on \(address.port)")
}
