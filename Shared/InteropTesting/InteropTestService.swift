import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

/// `grpc.testing.TestService` as grpc/grpc doc/interop-test-descriptions.md describes the server.
public struct InteropTestService: Grpc_Testing_TestServiceProvider {
    /// Largest payload a request may ask for, so a test peer cannot make the server allocate
    /// without bound.
    public static let responsePayloadBytesMax = 4 * 1024 * 1024

    public init() {}

    public func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        echoMetadata(context)
        return Grpc_Testing_Empty()
    }

    public func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        echoMetadata(context)
        try Self.throwRequestedStatus(request.responseStatus)
        if request.expectCompressed?.value == true {
            throw RPCError(.invalidArgument, "expected a compressed request; this server supports identity only")
        }
        var response = Grpc_Testing_SimpleResponse()
        if request.responseSize > 0 || request.payload != nil {
            response.payload = try Self.payload(size: request.responseSize)
        }
        return response
    }

    public func cacheableUnaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws
        -> Grpc_Testing_SimpleResponse
    {
        try await unaryCall(request: request, context: context)
    }

    public func streamingOutputCall(
        request: Grpc_Testing_StreamingOutputCallRequest,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, context: ServerContext
    ) async throws {
        echoMetadata(context)
        try Self.throwRequestedStatus(request.responseStatus)
        try await respond(to: request, responses)
    }

    public func streamingInputCall(
        requests: RequestStream<Grpc_Testing_StreamingInputCallRequest>, context: ServerContext
    ) async throws -> Grpc_Testing_StreamingInputCallResponse {
        echoMetadata(context)
        var total = 0
        for try await request in requests {
            total += request.payload?.body.count ?? 0
        }
        var response = Grpc_Testing_StreamingInputCallResponse()
        response.aggregatedPayloadSize = Int32(clamping: total)
        return response
    }

    public func fullDuplexCall(
        requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, context: ServerContext
    ) async throws {
        echoMetadata(context)
        for try await request in requests {
            try Self.throwRequestedStatus(request.responseStatus)
            try await respond(to: request, responses)
        }
    }

    public func halfDuplexCall(
        requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>, context: ServerContext
    ) async throws {
        echoMetadata(context)
        var buffered: [Grpc_Testing_StreamingOutputCallRequest] = []
        for try await request in requests {
            guard buffered.count < 1000 else { throw RPCError(.resourceExhausted, "more than 1000 buffered requests") }
            buffered.append(request)
        }
        for request in buffered {
            try Self.throwRequestedStatus(request.responseStatus)
            try await respond(to: request, responses)
        }
    }

    public func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw RPCError(.unimplemented, "UnimplementedCall is not implemented, as the interop tests expect")
    }

    // MARK: - Helpers

    private func respond(
        to request: Grpc_Testing_StreamingOutputCallRequest, _ responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>
    ) async throws {
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int64(parameters.intervalUs)))
            }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload = try Self.payload(size: parameters.size)
            try await responses.write(response)
        }
    }

    /// Copies `x-grpc-test-echo-initial` into the initial metadata and
    /// `x-grpc-test-echo-trailing-bin` into the trailing metadata (custom_metadata case).
    private func echoMetadata(_ context: ServerContext) {
        if let initial = context.requestMetadata["x-grpc-test-echo-initial"] {
            var metadata = Metadata()
            metadata.add("x-grpc-test-echo-initial", initial)
            context.responseMetadata = metadata
        }
        if let trailing = context.requestMetadata.binary("x-grpc-test-echo-trailing-bin") {
            var metadata = Metadata()
            metadata.add("x-grpc-test-echo-trailing-bin", binary: trailing)
            context.trailingMetadata = metadata
        }
    }

    private static func throwRequestedStatus(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        let code = StatusCode(rawValue: Int(status.code)) ?? .unknown
        throw RPCError(code, status.message)
    }

    private static func payload(size: Int32) throws -> Grpc_Testing_Payload {
        guard size >= 0, Int(size) <= responsePayloadBytesMax else {
            throw RPCError(.invalidArgument, "response_size \(size) is outside 0…\(responsePayloadBytesMax)")
        }
        var payload = Grpc_Testing_Payload()
        payload.type = .compressable
        payload.body = [UInt8](repeating: 0, count: Int(size))
        return payload
    }
}
