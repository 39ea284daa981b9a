// `wire-fuzz --write-corpus DIR`: the seed corpus, made by real sessions talking to each other.
//
// Each seed is one connection's bytes in one direction: what a `GRPCClientSession` sent (without
// the 24-byte client preface, which the fuzz target prepends) or what a `GRPCServerSession` sent.
// `WireFuzz.run` feeds every input both ways, so either kind helps both sessions.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FuzzSupport
import GRPCWire
import ProtoMessages

struct SeedCorpusError: Error, CustomStringConvertible {
    var description: String
}

enum SeedCorpus {
    /// Writes every seed into `directory` (created if missing); returns how many.
    static func write(to directory: String) throws(SeedCorpusError) -> Int {
        if mkdir(directory, 0o755) != 0, errno != EEXIST {
            throw SeedCorpusError(description: "cannot create \(directory)")
        }
        let seeds = try makeSeeds()
        for (name, bytes) in seeds {
            guard bytes.count <= 4096 else { throw SeedCorpusError(description: "seed \(name) has \(bytes.count) bytes") }
            guard FileIO.write(bytes, to: "\(directory)/\(name)") else {
                throw SeedCorpusError(description: "cannot write \(directory)/\(name)")
            }
        }
        return seeds.count
    }

    static func framed<M: ProtoMessage>(_ message: M, flags: UInt8 = 0) -> [UInt8] {
        var bytes = message.protobufBytes(headroom: GRPCFraming.prefixBytes)
        GRPCFraming.writePrefix(&bytes)
        bytes[0] = flags
        return bytes
    }

    static func makeSeeds() throws(SeedCorpusError) -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        let path = "/grpc.testing.TestService/"

        // A unary call with metadata, a binary header and a deadline.
        var unary = Grpc_Testing_SimpleRequest()
        unary.responseSize = 16
        unary.payload = Grpc_Testing_Payload.with { $0.body = Array(0..<32) }
        unary.fillUsername = true
        unary.responseStatus = Grpc_Testing_EchoStatus.with {
            $0.code = 0
            $0.message = "ok"
        }
        var unaryMetadata: Metadata = ["x-user": "fuzz", "x-request-id": "1234"]
        unaryMetadata.add("trace-bin", binary: [0, 1, 2, 0xFF])
        let unaryRun = try exchange { client in
            _ = client.startCall(
                path: path + "UnaryCall", authority: "localhost:8080", scheme: "http", metadata: unaryMetadata,
                timeoutNanoseconds: 5_000_000_000, firstMessage: framed(unary), endOfRequest: true)
        } server: { event, server in
            echo(event, server)
        }
        seeds.append(("request-unary", unaryRun.request))
        seeds.append(("response-unary", unaryRun.response))

        // Server streaming: one request asking for three responses.
        let streaming = Grpc_Testing_StreamingOutputCallRequest.with {
            $0.responseParameters = [10, 20, 30].map { size in Grpc_Testing_ResponseParameters.with { $0.size = Int32(size) } }
            $0.payload = Grpc_Testing_Payload.with { $0.body = Array("stream".utf8) }
        }
        let streamingRun = try exchange { client in
            _ = client.startCall(
                path: path + "StreamingOutputCall", authority: "localhost", scheme: "http", metadata: Metadata(),
                timeoutNanoseconds: nil, firstMessage: framed(streaming), endOfRequest: true)
        } server: { event, server in
            switch event {
            case .requestEnded(let streamID):
                for size in [10, 20, 30] {
                    server.sendMessage(streamID, framed(Grpc_Testing_Payload.with { $0.body = Array(repeating: 0x61, count: size) }))
                }
                server.sendStatus(streamID, .ok, "")
            default: break
            }
        }
        seeds.append(("request-server-streaming", streamingRun.request))
        seeds.append(("response-server-streaming", streamingRun.response))

        // Reflection and health on one connection, two streams.
        let reflection = Grpc_Reflection_V1_ServerReflectionRequest.with {
            $0.host = "localhost"
            $0.fileContainingSymbol = "grpc.testing.TestService"
        }
        let health = Grpc_Health_V1_HealthCheckRequest.with { $0.service = "grpc.testing.TestService" }
        let twoRun = try exchange { client in
            let id = client.startCall(
                path: "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", authority: "localhost",
                scheme: "http", metadata: Metadata(), timeoutNanoseconds: nil, firstMessage: framed(reflection))
            _ = client.startCall(
                path: "/grpc.health.v1.Health/Check", authority: "localhost", scheme: "http", metadata: Metadata(),
                timeoutNanoseconds: 250_000_000, firstMessage: framed(health), endOfRequest: true)
            if let id { client.closeSend(id) }
        } server: { event, server in
            echo(event, server)
        }
        seeds.append(("request-reflection-and-health", twoRun.request))
        seeds.append(("response-reflection-and-health", twoRun.response))

        // Client streaming: many small messages in one DATA frame, then the end of the request.
        let manyRun = try exchange { client in
            guard let id = client.startCall(
                path: path + "StreamingInputCall", authority: "localhost", scheme: "http", metadata: Metadata(),
                timeoutNanoseconds: 60_000_000_000)
            else { return }
            var batch: [UInt8] = []
            for index in 0..<20 {
                batch += framed(Grpc_Testing_SimpleRequest.with { $0.responseSize = Int32(index) })
            }
            batch += framed(Grpc_Testing_SimpleRequest())  // an empty message
            client.sendMessage(id, batch)
            client.closeSend(id)
        } server: { event, server in
            if case .requestEnded(let streamID) = event {
                server.sendMessage(streamID, framed(Grpc_Testing_Payload.with { $0.body = [1, 2, 3] }))
                server.sendStatus(streamID, .ok, "")
            }
        }
        seeds.append(("request-client-streaming", manyRun.request))

        // A call the server fails, with a percent-encoded message (Trailers-Only), and a PING.
        let failRun = try exchange { client in
            client.sendPing()
            _ = client.startCall(
                path: path + "Fail", authority: "localhost", scheme: "http", metadata: ["x-fail": "yes"],
                timeoutNanoseconds: nil, firstMessage: framed(unary), endOfRequest: true)
        } server: { event, server in
            if case .callStarted(let start) = event {
                server.sendStatus(start.streamID, .invalidArgument, "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n")
            }
        }
        seeds.append(("request-ping-and-failing-call", failRun.request))
        seeds.append(("response-trailers-only-error", failRun.response))

        // A call the client cancels after its first message.
        var cancelID: Int32?
        let cancelRun = try exchange { client in
            cancelID = client.startCall(
                path: path + "FullDuplexCall", authority: "localhost", scheme: "http", metadata: Metadata(),
                timeoutNanoseconds: nil, firstMessage: framed(streaming))
        } server: { _, _ in
        } then: { client in
            if let cancelID { client.cancel(cancelID) }
        }
        seeds.append(("request-cancelled", cancelRun.request))

        // Requests the server rejects by itself: gzip, a malformed timeout, a compressed message.
        let rejectedRun = try exchange { client in
            let base: [(String, String)] = [
                (":method", "POST"), (":scheme", "http"), (":path", path + "UnaryCall"), (":authority", "localhost"),
                ("content-type", "application/grpc+proto"), ("te", "trailers"),
            ]
            _ = client.startRawRequest(headers: base + [("grpc-encoding", "gzip")], body: framed(unary, flags: 1), endOfRequest: true)
            _ = client.startRawRequest(headers: base + [("grpc-timeout", "12345678901S")], body: framed(unary), endOfRequest: true)
            _ = client.startRawRequest(headers: base, body: framed(unary, flags: 1), endOfRequest: true)
        } server: { event, server in
            echo(event, server)
        }
        seeds.append(("request-rejected", rejectedRun.request))
        seeds.append(("response-rejected", rejectedRun.response))
        return seeds
    }

    /// Echoes messages back and ends with OK and trailing metadata once the request ended.
    static func echo(_ event: ServerEvent, _ server: GRPCServerSession) {
        switch event {
        case .callStarted(let start):
            server.sendInitialMetadata(start.streamID, ["x-served-by": "seed"])
        case .message(let streamID, let bytes):
            var framed = [UInt8](repeating: 0, count: GRPCFraming.prefixBytes) + bytes
            GRPCFraming.writePrefix(&framed)
            server.sendMessage(streamID, framed)
        case .requestEnded(let streamID):
            var trailers: Metadata = ["x-trailer": "done"]
            trailers.add("x-checksum-bin", binary: [0xDE, 0xAD, 0xBE, 0xEF])
            server.sendStatus(streamID, .ok, "", trailers: trailers)
        case .callCancelled, .writable:
            break
        }
    }

    /// Runs a client and a server session against each other in memory until both are quiet;
    /// returns the bytes each side sent (the client's without its preface).
    static func exchange(
        client start: (GRPCClientSession) -> Void,
        server handle: (ServerEvent, GRPCServerSession) -> Void,
        then afterFirstRound: (GRPCClientSession) -> Void = { _ in }
    ) throws(SeedCorpusError) -> (request: [UInt8], response: [UInt8]) {
        let client = GRPCClientSession()
        let server = GRPCServerSession()
        start(client)
        var request: [UInt8] = []
        var response: [UInt8] = []
        for round in 0..<100 {
            if round == 1 { afterFirstRound(client) }
            var toServer: [UInt8] = []
            var toClient: [UInt8] = []
            do throws(HTTP2ConnectionError) {
                try client.produceOutput { toServer.append(contentsOf: $0) }
                try WireFuzz.receive(server, toServer[...])
                let events = server.takeEvents()
                for event in events { handle(event, server) }
                try server.produceOutput { toClient.append(contentsOf: $0) }
                try WireFuzz.receive(client, toClient[...])
                _ = client.takeEvents()
                request += toServer
                response += toClient
                if round > 0, toServer.isEmpty, toClient.isEmpty, events.isEmpty { break }
            } catch {
                throw SeedCorpusError(description: "seed exchange failed: \(error)")
            }
        }
        return (Array(request.dropFirst(WireFuzz.clientPreface.count)), response)
    }
}
