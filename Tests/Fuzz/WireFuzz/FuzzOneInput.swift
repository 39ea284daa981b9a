// One fuzz input through the decoding paths of GRPCWire (see Entry.swift for how it is run).
//
// The same bytes are used several ways:
// - as what a client sends, after the client preface and an empty SETTINGS frame this target
//   prepends, into `GRPCServerSession` (once answering every call, once silent, whole and split);
// - as what a server sends, after an empty SETTINGS frame, into a `GRPCClientSession` that has
//   started calls on streams 1 and 3;
// - as the contents of a call between a real client and server session (request and response
//   payload, status code and message, binary trailer), which must arrive unchanged;
// - directly into `MessageDeframer` in chunks whose sizes come from the input;
// - in slices (split at '\n') as text for `PercentEncoding`, `Base64` and `GRPCTimeout`.
//
// Every gRPC message that comes out is decoded as several generated request types; a message
// that decodes is re-encoded and decoded again, and must come back equal. Any `precondition`
// failure, trap or sanitizer report is a finding.

#if FUZZING
@testable import GRPCWire
#else
import GRPCWire
#endif
import FuzzSupport
import ProtoMessages

enum WireFuzz {
    /// The HTTP/2 client connection preface (RFC 9113 §3.4).
    static let clientPreface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    /// A SETTINGS frame with no parameters, on stream 0.
    static let emptySettings: [UInt8] = [0, 0, 0, 0x04, 0, 0, 0, 0, 0]

    /// Limits under which nothing is rate limited, so two runs over the same bytes do not depend
    /// on how much time passed between frames.
    static let unhurriedLimits: WireLimits = {
        var limits = WireLimits()
        limits.pingBurstCount = 1 << 30
        limits.settingsBurstCount = 1 << 30
        limits.resetBurstCount = 1 << 20
        return limits
    }()

    /// `verbose` prints what the silent server and the client saw (replay tool only).
    static func run(_ data: UnsafeRawBufferPointer, verbose: Bool = false) {
        let input = Array(data)
        let split = splitPoint(input)

        // The server, answering calls, with output drained between the two halves.
        _ = serve(input, split: split, respond: true, limits: WireLimits())
        // The server, silent: fed whole and fed in two halves, it must see the same calls.
        let whole = serve(input, split: nil, respond: false, limits: unhurriedLimits)
        let halves = serve(input, split: split, respond: false, limits: unhurriedLimits)
        precondition(
            whole == halves,
            "server events depend on where the input was split (at \(split)):\n\(whole)\nversus\n\(halves)")

        // The client, reading the input as a server's response.
        let clientWhole = callAndRead(input, split: nil)
        let clientHalves = callAndRead(input, split: split)
        if verbose {
            print("  split at \(split)")
            for line in whole { print("  server: \(line.prefix(200))") }
            for line in clientWhole { print("  client: \(line.prefix(200))") }
        }
        precondition(
            clientWhole == clientHalves,
            "client events depend on where the input was split (at \(split)):\n\(clientWhole)\nversus\n\(clientHalves)")

        callEndToEnd(input)
        #if FUZZING
        deframeDirectly(input)
        #endif
        checkTextCodecs(input)
    }

    /// A split point taken from the input's last two bytes, anywhere in the byte stream.
    static func splitPoint(_ input: [UInt8]) -> Int {
        guard input.count >= 2 else { return input.count }
        let selector = Int(input[input.count - 2]) << 8 | Int(input[input.count - 1])
        return selector % (input.count + 1)
    }

    // MARK: - Server session

    /// Feeds the preface and `input` to a server session; returns a log of its events.
    static func serve(_ input: [UInt8], split: Int?, respond: Bool, limits: WireLimits) -> [String] {
        let server = GRPCServerSession(limits: limits)
        var log: [String] = []
        let stream = clientPreface + emptySettings + input
        let cut = split.map { min(clientPreface.count + emptySettings.count + $0, stream.count) }
        let pieces: [ArraySlice<UInt8>] =
            if let cut { [stream[..<cut], stream[cut...]] } else { [stream[...]] }
        for piece in pieces {
            var ok = true
            do throws(HTTP2ConnectionError) {
                try receive(server, piece)
            } catch {
                log.append("connection error")
                ok = false
            }
            for event in server.takeEvents() {
                log.append(describe(event))
                if case .message(_, let bytes) = event { checkMessage(bytes) }
                if respond { answer(event, server) }
            }
            if respond { drain(server) }
            if !ok { break }
        }
        if respond {
            // Whatever the handlers queued goes out; nothing may crash on the way.
            drain(server)
            for event in server.takeEvents() { _ = describe(event) }
            _ = server.activeCallCount
            _ = server.isAlive
        }
        return log
    }

    /// What a simple echo handler would do.
    static func answer(_ event: ServerEvent, _ server: GRPCServerSession) {
        switch event {
        case .callStarted(let start):
            if start.path.hasSuffix("/Fail") {
                server.sendStatus(start.streamID, .invalidArgument, "failed: \(start.path) ☺\t\n")
            } else if !start.metadata.isEmpty {
                server.sendInitialMetadata(start.streamID, start.metadata)
            }
        case .message(let streamID, let bytes):
            server.sendMessage(streamID, framed(bytes))
            _ = server.mustWaitForWritable(streamID)
        case .requestEnded(let streamID):
            var trailers = Metadata()
            trailers.add("x-trailer", "done")
            trailers.add("x-trailer-bin", binary: [0, 1, 0xFE, 0xFF])
            server.sendStatus(streamID, .ok, "", trailers: trailers)
        case .callCancelled, .writable:
            break
        }
    }

    /// `session.receive` over the bytes of `piece`.
    static func receive(_ session: HTTP2Session, _ piece: ArraySlice<UInt8>) throws(HTTP2ConnectionError) {
        let failure: HTTP2ConnectionError? = piece.withUnsafeBytes { bytes in
            do throws(HTTP2ConnectionError) {
                try session.receive(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    static func drain(_ session: HTTP2Session) {
        do throws(HTTP2ConnectionError) {
            try session.produceOutput { _ in }
        } catch {
            // The session gave up; that is an answer too.
        }
    }

    static func describe(_ event: ServerEvent) -> String {
        switch event {
        case .callStarted(let start):
            "start \(start.streamID) \(start.path) \(start.authority ?? "-") \(describe(start.metadata)) \(start.timeoutNanoseconds.map(String.init) ?? "-")"
        case .message(let streamID, let bytes): "message \(streamID) \(bytes)"
        case .requestEnded(let streamID): "end \(streamID)"
        case .callCancelled(let streamID, let error): "cancelled \(streamID) \(error)"
        case .writable(let streamID): "writable \(streamID)"
        }
    }

    static func describe(_ metadata: Metadata) -> String {
        metadata.map { entry in
            switch entry.value {
            case .string(let text): "\(entry.key)=\(text)"
            case .binary(let bytes): "\(entry.key)=\(bytes)"
            }
        }.joined(separator: ",")
    }

    // MARK: - Client session

    /// Starts two calls on a client session, then feeds it an empty SETTINGS frame and `input` as
    /// the server's bytes; returns a log of its events.
    static func callAndRead(_ input: [UInt8], split: Int?) -> [String] {
        let client = GRPCClientSession(limits: unhurriedLimits)
        var request = [UInt8](repeating: 0, count: 5) + [0x0A, 0x01, 0x61]
        GRPCFraming.writePrefix(&request)
        _ = client.startCall(
            path: "/grpc.testing.TestService/UnaryCall", authority: "localhost", scheme: "http",
            metadata: ["x-fuzz": "1"], timeoutNanoseconds: 1_000_000_000, firstMessage: request, endOfRequest: true)
        _ = client.startCall(
            path: "/grpc.testing.TestService/FullDuplexCall", authority: "localhost", scheme: "http",
            metadata: Metadata(), timeoutNanoseconds: nil)
        drain(client)

        var log: [String] = []
        let stream = emptySettings + input
        let cut = split.map { min(emptySettings.count + $0, stream.count) }
        let pieces: [ArraySlice<UInt8>] =
            if let cut { [stream[..<cut], stream[cut...]] } else { [stream[...]] }
        for piece in pieces {
            var ok = true
            do throws(HTTP2ConnectionError) {
                try receive(client, piece)
            } catch {
                log.append("connection error")
                ok = false
            }
            if !ok { break }
        }
        for event in client.takeEvents() {
            switch event {
            case .initialMetadata(let streamID, let metadata): log.append("headers \(streamID) \(describe(metadata))")
            case .message(let streamID, let bytes):
                log.append("message \(streamID) \(bytes)")
                checkMessage(bytes)
            case .finished(let streamID, let code, let message, let trailers):
                log.append("finished \(streamID) \(code) \(message) \(describe(trailers))")
            case .writable(let streamID): log.append("writable \(streamID)")
            case .goAway(let lastStreamID, let errorCode): log.append("goaway \(lastStreamID) \(errorCode)")
            }
        }
        // After the log is taken: sending (and failing what is left) must not crash either.
        drain(client)
        client.failAll(.unavailable, "fuzz input ended")
        _ = client.takeEvents()
        return log
    }

    // MARK: - A whole call

    /// Set to false once Shared/GRPCWire/PercentEncoding.swift escapes a leading or trailing space:
    /// until then such a grpc-message makes the client's nghttp2 reset the stream (RFC 9113 §8.2.1),
    /// see GRPCWireTests `statusMessageWithEdgeSpaces`.
    static let avoidEdgeSpacesInStatusMessages = false

    /// A unary call whose payloads, status and binary trailer come from the input: what the server
    /// sends is what the client must get.
    static func callEndToEnd(_ input: [UInt8]) {
        guard input.count >= 3 else { return }
        let third = input.count / 3
        let payload = Array(input[..<third])
        let binary = Array(input[(2 * third)...])
        let code = StatusCode(rawValue: Int(input[input.count - 1]) % 17)!
        var message = String(decoding: input[third..<(2 * third)], as: UTF8.self)
        if avoidEdgeSpacesInStatusMessages {
            while message.first == " " { message.removeFirst() }
            while message.last == " " { message.removeLast() }
        }
        var trailers = Metadata()
        trailers.add("x-fuzz-bin", binary: binary)

        let client = GRPCClientSession()
        let server = GRPCServerSession()
        guard let id = client.startCall(
            path: "/grpc.testing.TestService/UnaryCall", authority: "localhost", scheme: "http",
            metadata: ["x-fuzz": "1"], timeoutNanoseconds: Int64(third) * 1_000_000,
            firstMessage: framed(payload), endOfRequest: true)
        else { preconditionFailure("a new client session refused a call") }

        var requests: [[UInt8]] = []
        var clientEvents: [ClientEvent] = []
        for round in 0... {
            precondition(round < 1000, "the sessions never went quiet")
            var toServer: [UInt8] = []
            var toClient: [UInt8] = []
            do throws(HTTP2ConnectionError) {
                try client.produceOutput { toServer.append(contentsOf: $0) }
                try receive(server, toServer[...])
                let events = server.takeEvents()
                for event in events {
                    switch event {
                    case .message(_, let bytes): requests.append(bytes)
                    case .requestEnded(let streamID):
                        server.sendMessage(streamID, framed(payload))
                        server.sendStatus(streamID, code, message, trailers: trailers)
                    default: break
                    }
                }
                try server.produceOutput { toClient.append(contentsOf: $0) }
                try receive(client, toClient[...])
            } catch {
                preconditionFailure("a well-formed call broke the connection: \(error)")
            }
            let newEvents = client.takeEvents()
            clientEvents += newEvents
            if toServer.isEmpty, toClient.isEmpty, newEvents.isEmpty { break }
        }
        precondition(requests == [payload], "the server did not get the request payload")
        var responses: [[UInt8]] = []
        var finished: [(StatusCode, String, Metadata)] = []
        for event in clientEvents {
            switch event {
            case .message(id, let bytes): responses.append(bytes)
            case .finished(id, let code, let message, let trailers): finished.append((code, message, trailers))
            default: break
            }
        }
        precondition(responses == [payload], "the client did not get the response payload")
        precondition(finished.count == 1, "the call finished \(finished.count) times")
        precondition(finished[0].0 == code, "status \(code) arrived as \(finished[0].0) \(finished[0].1)")
        precondition(finished[0].1 == message, "the status message changed on the way")
        precondition(finished[0].2.binary("x-fuzz-bin") == binary, "the binary trailer changed on the way")
    }

    static func framed(_ payload: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: GRPCFraming.prefixBytes) + payload
        GRPCFraming.writePrefix(&bytes)
        return bytes
    }

    // MARK: - Messages

    /// A message that decodes as one of these must survive `MessageRoundTrip.check`.
    static func checkMessage(_ bytes: [UInt8]) {
        MessageRoundTrip.check(Grpc_Testing_SimpleRequest.self, bytes)
        MessageRoundTrip.check(Grpc_Testing_StreamingOutputCallRequest.self, bytes)
        MessageRoundTrip.check(Grpc_Reflection_V1_ServerReflectionRequest.self, bytes)
        MessageRoundTrip.check(Grpc_Health_V1_HealthCheckRequest.self, bytes)
    }

    // MARK: - MessageDeframer (internal: only in the fuzzing build, which has -enable-testing)

    #if FUZZING
    static func deframeDirectly(_ input: [UInt8]) {
        guard let first = input.first else { return }
        // A limit from the first byte, from tiny to the default, so both outcomes are common.
        let limit = first < 0x80 ? Int(first) : WireLimits().receiveMessageBytesMax
        let expected = referenceDeframe(input, limit: limit)

        var whole = MessageDeframer(limitBytes: limit)
        var wholeMessages: [[UInt8]] = []
        var wholeError: MessageDeframer.Failure? = nil
        input.withUnsafeBytes { bytes in
            do throws(MessageDeframer.Failure) {
                try whole.feed(bytes) { wholeMessages.append($0) }
            } catch {
                wholeError = error
            }
        }

        // The same bytes in chunks of 1...16 bytes, sizes taken from the input itself.
        var chunked = MessageDeframer(limitBytes: limit)
        var chunkedMessages: [[UInt8]] = []
        var chunkedError: MessageDeframer.Failure? = nil
        var offset = 0
        var sizeIndex = 0
        input.withUnsafeBytes { bytes in
            while offset < bytes.count, chunkedError == nil {
                let size = min(Int(input[sizeIndex % input.count] & 0x0F) + 1, bytes.count - offset)
                sizeIndex += 1
                do throws(MessageDeframer.Failure) {
                    try chunked.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)])) {
                        chunkedMessages.append($0)
                    }
                } catch {
                    chunkedError = error
                }
                offset += size
            }
        }

        precondition(wholeMessages == expected.messages && wholeError == expected.error, "deframer disagrees with the reference")
        precondition(chunkedMessages == expected.messages && chunkedError == expected.error, "chunked deframer disagrees")
        if expected.error == nil {
            precondition(whole.hasPartialMessage == expected.partial, "hasPartialMessage (whole)")
            precondition(chunked.hasPartialMessage == expected.partial, "hasPartialMessage (chunked)")
        }
    }

    /// The gRPC length-prefixed framing, read the obvious way.
    static func referenceDeframe(_ input: [UInt8], limit: Int)
        -> (messages: [[UInt8]], error: MessageDeframer.Failure?, partial: Bool)
    {
        var messages: [[UInt8]] = []
        var index = 0
        while input.count - index >= 5 {
            let flags = input[index]
            let length = Int(input[index + 1]) << 24 | Int(input[index + 2]) << 16 | Int(input[index + 3]) << 8 | Int(input[index + 4])
            switch flags {
            case 0: break
            case 1: return (messages, .compressed, true)
            default: return (messages, .invalidFlags(flags), true)
            }
            if length > limit { return (messages, .tooLarge(declaredBytes: length, limitBytes: limit), true) }
            guard input.count - index - 5 >= length else { return (messages, nil, true) }
            messages.append(Array(input[(index + 5)..<(index + 5 + length)]))
            index += 5 + length
        }
        return (messages, nil, index < input.count)
    }
    #endif

    // MARK: - Text codecs

    static func checkTextCodecs(_ input: [UInt8]) {
        var start = 0
        var slices = 0
        for index in 0...input.count where index == input.count || input[index] == 0x0A {
            checkText(input[start..<index])
            start = index + 1
            slices += 1
            if slices == 64 { break }
        }
        // Timeouts from 8 input bytes: encoding never shortens a deadline and always parses.
        for offset in stride(from: 0, to: input.count - 7, by: 8).prefix(16) {
            var raw: UInt64 = 0
            for byte in input[offset..<(offset + 8)] { raw = raw << 8 | UInt64(byte) }
            // Values within one hour of Int64.max are left out: `GRPCTimeout.encode` overflows on
            // them (see GRPCWireTests, TimeoutTests.encodeNearInt64Max).
            let nanoseconds = Int64(raw % UInt64(Int64.max - 3_600_000_000_000))
            let text = GRPCTimeout.encode(nanoseconds: nanoseconds)
            precondition(text.utf8.count >= 2 && text.utf8.count <= 9, "timeout \(text) is too long")
            guard let parsed = GRPCTimeout.parse(text) else { preconditionFailure("encoded timeout \(text) does not parse") }
            precondition(parsed >= nanoseconds, "timeout \(nanoseconds) encoded as \(text) got shorter")
        }
    }

    static func checkText(_ bytes: ArraySlice<UInt8>) {
        let text = String(decoding: bytes, as: UTF8.self)

        // PercentEncoding: decoding anything is fine; encoding is printable ASCII and round trips.
        let decoded = PercentEncoding.decode(text)
        for string in [text, decoded] {
            let encoded = PercentEncoding.encode(string)
            precondition(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "percent encoding left a byte unescaped")
            precondition(PercentEncoding.decode(encoded) == string, "percent encoding does not round trip")
        }

        // Base64: any bytes round trip, padded or not; a decodable text re-encodes to the same bytes.
        let raw = Array(bytes)
        let encoded = Base64.encode(raw)
        precondition(encoded.utf8.count == (raw.count + 2) / 3 * 4, "base64 length")
        precondition(Base64.decode(encoded) == raw, "base64 does not round trip")
        let unpadded = String(decoding: encoded.utf8.prefix { $0 != 0x3D }, as: UTF8.self)
        precondition(Base64.decode(unpadded) == raw, "unpadded base64 does not round trip")
        if let value = Base64.decode(text) {
            precondition(Base64.decode(Base64.encode(value)) == value, "decoded base64 does not round trip")
        }

        // GRPCTimeout: at most 8 digits and a unit, never negative.
        if let nanoseconds = GRPCTimeout.parse(text) {
            precondition(nanoseconds >= 0, "negative timeout from \(text)")
            precondition(bytes.count >= 2 && bytes.count <= 9, "timeout \(text) accepted with a bad length")
            precondition(bytes.dropLast().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "timeout \(text) accepted with non-digits")
        }
    }
}
