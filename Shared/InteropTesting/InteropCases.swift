import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

/// The client side of grpc/grpc doc/interop-test-descriptions.md, for the cases this stack
/// implements. Each case throws `InteropFailure` with what it saw when an assertion fails.
public enum InteropCase: String, CaseIterable, Sendable {
    case emptyUnary = "empty_unary"
    case largeUnary = "large_unary"
    case clientStreaming = "client_streaming"
    case serverStreaming = "server_streaming"
    case pingPong = "ping_pong"
    case emptyStream = "empty_stream"
    case customMetadata = "custom_metadata"
    case statusCodeAndMessage = "status_code_and_message"
    case specialStatusMessage = "special_status_message"
    case unimplementedMethod = "unimplemented_method"
    case unimplementedService = "unimplemented_service"
    case cancelAfterBegin = "cancel_after_begin"
    case cancelAfterFirstResponse = "cancel_after_first_response"
    case timeoutOnSleepingServer = "timeout_on_sleeping_server"

    public func run(on client: RPCClient) async throws {
        let test = Grpc_Testing_TestServiceClient(client)
        switch self {
        case .emptyUnary:
            let response = try await test.emptyCall(Grpc_Testing_Empty())
            try expect(response == Grpc_Testing_Empty(), "response is not empty")
        case .largeUnary:
            let response = try await test.unaryCall(Self.simpleRequest(responseSize: 314_159, payloadSize: 271_828))
            try expectZeros(response.payload, 314_159)
        case .clientStreaming:
            let call = test.streamingInputCall()
            for size in [27_182, 8, 1_828, 45_904] {
                var request = Grpc_Testing_StreamingInputCallRequest()
                request.payload = Self.payload(size)
                try await call.send(request)
            }
            let response = try await call.finish()
            try expect(response.aggregatedPayloadSize == 74_922, "aggregated size \(response.aggregatedPayloadSize) != 74922")
        case .serverStreaming:
            let sizes: [Int32] = [31_415, 9, 2_653, 58_979]
            var request = Grpc_Testing_StreamingOutputCallRequest()
            request.responseParameters = sizes.map { Self.parameters(size: $0) }
            let call = test.streamingOutputCall(request)
            var received: [Int] = []
            for try await response in call.responses {
                try expectZeros(response.payload, Int(sizes[min(received.count, sizes.count - 1)]))
                received.append(response.payload?.body.count ?? 0)
            }
            try expect(received == sizes.map(Int.init), "received sizes \(received)")
            let status = await call.status()
            try expect(status.code == .ok, "status \(status.code)")
        case .pingPong:
            let call = test.fullDuplexCall()
            var iterator = call.responses.makeAsyncIterator()
            for (responseSize, payloadSize) in [(31_415, 27_182), (9, 8), (2_653, 1_828), (58_979, 45_904)] {
                try await call.send(Self.streamingRequest(responseSize: Int32(responseSize), payloadSize: payloadSize))
                guard let response = try await iterator.next() else { throw InteropFailure("stream ended early") }
                try expectZeros(response.payload, responseSize)
            }
            try await call.closeSend()
            let end = try await iterator.next()
            try expect(end == nil, "unexpected extra response")
        case .emptyStream:
            let call = test.fullDuplexCall()
            try await call.closeSend()
            var count = 0
            for try await _ in call.responses { count += 1 }
            try expect(count == 0, "received \(count) responses")
        case .customMetadata:
            try await customMetadata(client, test)
        case .statusCodeAndMessage:
            try await statusEcho(test, message: "test status message")
        case .specialStatusMessage:
            try await statusEcho(
                test, message: "\t\ntest with whitespace\r\nand Unicode BMP \u{263A} and non-BMP \u{1F608}\t\n",
                unaryOnly: true)
        case .unimplementedMethod:
            try await expectStatus(.unimplemented) { _ = try await test.unimplementedCall(Grpc_Testing_Empty()) }
        case .unimplementedService:
            let other = Grpc_Testing_UnimplementedServiceClient(client)
            try await expectStatus(.unimplemented) { _ = try await other.unimplementedCall(Grpc_Testing_Empty()) }
        case .cancelAfterBegin:
            let call = test.streamingInputCall()
            call.cancel()
            let status = await call.status()
            try expect(status.code == .cancelled, "status \(status.code): \(status.message)")
        case .cancelAfterFirstResponse:
            let call = test.fullDuplexCall()
            var iterator = call.responses.makeAsyncIterator()
            try await call.send(Self.streamingRequest(responseSize: 31_415, payloadSize: 27_182))
            guard let first = try await iterator.next() else { throw InteropFailure("no first response") }
            try expectZeros(first.payload, 31_415)
            call.cancel()
            let status = await call.status()
            try expect(status.code == .cancelled, "status \(status.code): \(status.message)")
        case .timeoutOnSleepingServer:
            let call = test.fullDuplexCall(options: CallOptions(timeout: .milliseconds(1)))
            // The send may fail already: the deadline is that short.
            try? await call.send(Self.streamingRequest(responseSize: 0, payloadSize: 27_182))
            let status = await call.status()
            try expect(status.code == .deadlineExceeded, "status \(status.code): \(status.message)")
        }
    }

    private func customMetadata(_ client: RPCClient, _ test: Grpc_Testing_TestServiceClient) async throws {
        let initialValue = "test_initial_metadata_value"
        let trailingValue: [UInt8] = [0xAB, 0xAB, 0xAB]
        var metadata = Metadata()
        metadata.add("x-grpc-test-echo-initial", initialValue)
        metadata.add("x-grpc-test-echo-trailing-bin", binary: trailingValue)
        let options = CallOptions(metadata: metadata)

        let unary = try await client.unary(
            Grpc_Testing_TestService.Method.unaryCall, request: Self.simpleRequest(responseSize: 314_159, payloadSize: 271_828),
            responseType: Grpc_Testing_SimpleResponse.self, options: options)
        try expectZeros(unary.message.payload, 314_159)
        try expect(unary.initialMetadata["x-grpc-test-echo-initial"] == initialValue, "unary initial metadata \(unary.initialMetadata)")
        try expect(unary.trailingMetadata.binary("x-grpc-test-echo-trailing-bin") == trailingValue, "unary trailing metadata \(unary.trailingMetadata)")

        let call = test.fullDuplexCall(options: options)
        try await call.send(Self.streamingRequest(responseSize: 314_159, payloadSize: 271_828))
        try await call.closeSend()
        var count = 0
        for try await response in call.responses {
            try expectZeros(response.payload, 314_159)
            count += 1
        }
        try expect(count == 1, "received \(count) responses")
        let initial = try await call.initialMetadata()
        let status = await call.status()
        try expect(initial["x-grpc-test-echo-initial"] == initialValue, "stream initial metadata \(initial)")
        try expect(status.trailingMetadata.binary("x-grpc-test-echo-trailing-bin") == trailingValue, "stream trailing metadata")
    }

    private func statusEcho(_ test: Grpc_Testing_TestServiceClient, message: String, unaryOnly: Bool = false) async throws {
        var echo = Grpc_Testing_EchoStatus()
        echo.code = 2
        echo.message = message
        var request = Grpc_Testing_SimpleRequest()
        request.responseStatus = echo
        do {
            _ = try await test.unaryCall(request)
            throw InteropFailure("unary call succeeded")
        } catch let error as RPCError {
            try expect(error.code == .unknown, "unary status \(error.code)")
            try expect(error.message == message, "unary message \(error.message.debugDescription)")
        }
        if unaryOnly { return }
        var streaming = Grpc_Testing_StreamingOutputCallRequest()
        streaming.responseStatus = echo
        let call = test.fullDuplexCall()
        try await call.send(streaming)
        try await call.closeSend()
        let status = await call.status()
        try expect(status.code == .unknown, "stream status \(status.code)")
        try expect(status.message == message, "stream message \(status.message.debugDescription)")
    }

    // MARK: - Building requests

    static func payload(_ size: Int) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.body = [UInt8](repeating: 0, count: size)
        return payload
    }

    static func simpleRequest(responseSize: Int32, payloadSize: Int) -> Grpc_Testing_SimpleRequest {
        var request = Grpc_Testing_SimpleRequest()
        request.responseSize = responseSize
        request.payload = payload(payloadSize)
        return request
    }

    static func parameters(size: Int32) -> Grpc_Testing_ResponseParameters {
        var parameters = Grpc_Testing_ResponseParameters()
        parameters.size = size
        return parameters
    }

    static func streamingRequest(responseSize: Int32, payloadSize: Int) -> Grpc_Testing_StreamingOutputCallRequest {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseParameters = [parameters(size: responseSize)]
        request.payload = payload(payloadSize)
        return request
    }
}

public struct InteropFailure: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw InteropFailure(message()) }
}

private func expectZeros(_ payload: Grpc_Testing_Payload?, _ size: Int) throws {
    let body = payload?.body ?? []
    try expect(body.count == size, "payload of \(body.count) bytes, expected \(size)")
    try expect(body.allSatisfy { $0 == 0 }, "payload is not all zeros")
}

private func expectStatus(_ code: StatusCode, _ body: () async throws -> Void) async throws {
    do {
        try await body()
        throw InteropFailure("call succeeded, expected \(code)")
    } catch let error as RPCError {
        try expect(error.code == code, "status \(error.code): \(error.message)")
    }
}
