import GRPCWire
import ProtoMessages
import Testing

private func roundTrip<M: ProtoMessage>(_ message: M) throws -> M {
    try M(protobufBytes: message.protobufBytes())
}

@Suite struct RoundTripTests {
    @Test func defaultMessagesEncodeToNothing() throws {
        let empties: [any ProtoMessage] = [
            Grpc_Testing_Empty(), Grpc_Testing_BoolValue(), Grpc_Testing_Payload(), Grpc_Testing_EchoStatus(),
            Grpc_Testing_SimpleRequest(), Grpc_Testing_SimpleResponse(), Grpc_Testing_StreamingInputCallRequest(),
            Grpc_Testing_StreamingInputCallResponse(), Grpc_Testing_ResponseParameters(),
            Grpc_Testing_StreamingOutputCallRequest(), Grpc_Testing_StreamingOutputCallResponse(),
            Grpc_Health_V1_HealthCheckRequest(), Grpc_Health_V1_HealthCheckResponse(),
            Grpc_Reflection_V1_ServerReflectionRequest(), Grpc_Reflection_V1_ServerReflectionResponse(),
            Grpc_Reflection_V1_FileDescriptorResponse(), Grpc_Reflection_V1_ExtensionRequest(),
            Grpc_Reflection_V1_ExtensionNumberResponse(), Grpc_Reflection_V1_ListServiceResponse(),
            Grpc_Reflection_V1_ServiceResponse(), Grpc_Reflection_V1_ErrorResponse(),
            Recs_Testing_V1_FieldKinds(), Recs_Testing_V1_FieldKinds.Inner(), Recs_Testing_V1_FieldKinds.Inner.Leaf(),
        ]
        for message in empties {
            #expect(message.protobufBytes() == [], "\(type(of: message))")
        }
        #expect(try Recs_Testing_V1_FieldKinds(protobufBytes: []) == Recs_Testing_V1_FieldKinds())
        #expect(try Grpc_Testing_Empty(protobufBytes: []) == Grpc_Testing_Empty())
    }

    @Test func everyFieldKindRoundTrips() throws {
        let m = CrossCheckTests.fieldKinds
        #expect(try roundTrip(m) == m)
    }

    @Test func extremeScalarsRoundTrip() throws {
        for sign in [false, true] {
            var m = Recs_Testing_V1_FieldKinds()
            m.fInt32 = sign ? .min : .max
            m.fInt64 = sign ? .min : .max
            m.fSint32 = sign ? .min : .max
            m.fSint64 = sign ? .min : .max
            m.fSfixed32 = sign ? .min : .max
            m.fSfixed64 = sign ? .min : .max
            m.fUint32 = sign ? 1 : .max
            m.fUint64 = sign ? 1 : .max
            m.fFixed32 = sign ? 1 : .max
            m.fFixed64 = sign ? 1 : .max
            m.fFloat = sign ? -.greatestFiniteMagnitude : .infinity
            m.fDouble = sign ? -.leastNonzeroMagnitude : .pi
            m.rInt64 = [.min, 0, .max]
            m.rUint32 = [0, .max]
            m.rUint64 = [0, .max]
            m.rSint32 = [.min, -1, 0, 1, .max]
            m.rFixed32 = [0, .max]
            m.rFixed64 = [0, .max]
            m.rSfixed32 = [.min, .max]
            m.rSfixed64 = [.min, .max]
            m.rFloat = [0, -1.25, .infinity]
            #expect(try roundTrip(m) == m)
        }
        var nan = Recs_Testing_V1_FieldKinds()
        nan.fDouble = .nan
        #expect(try roundTrip(nan).fDouble.isNaN)
    }

    @Test func nestedAndRepeatedMessages() throws {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseType = .compressable
        request.responseParameters = (0..<50).map { i in
            .with {
                $0.size = Int32(i * 1000)
                $0.intervalUs = Int32(i)
                if i.isMultiple(of: 3) { $0.compressed = .with { $0.value = i.isMultiple(of: 2) } }
            }
        }
        request.payload = .with { $0.body = Array(repeating: 7, count: 100) }
        request.responseStatus = .with { $0.code = 13 }
        let decoded = try roundTrip(request)
        #expect(decoded == request)
        #expect(decoded.responseParameters[3].compressed == Grpc_Testing_BoolValue())
        #expect(decoded.responseParameters[1].compressed == nil)

        // Nested types encode on their own too (protoc-c has no per-type functions for them).
        let leaf = Recs_Testing_V1_FieldKinds.Inner.Leaf.with {
            $0.label = "ü"
            $0.values = [.min, .max]
        }
        #expect(try roundTrip(leaf) == leaf)
        let inner = Recs_Testing_V1_FieldKinds.Inner.with {
            $0.leaf = leaf
            $0.leaves = [leaf, .init(), leaf]
        }
        #expect(try roundTrip(inner) == inner)
        #expect(Recs_Testing_V1_FieldKinds.Inner.Leaf.protoMessageName == "recs.testing.v1.FieldKinds.Inner.Leaf")
    }

    @Test func bytesWithNULsAndNonASCIIStrings() throws {
        var response = Grpc_Testing_SimpleResponse()
        response.payload = .with { $0.body = [0, 0, 0, 1, 0, 255, 0] }
        response.username = "Zoë 🌍 日本語 \u{10FFFF}"
        response.oauthScope = String(repeating: "é", count: 3000)
        response.serverId = "\u{7F}\u{80}"
        response.hostname = "x"
        response.grpclbRouteType = .backend
        let decoded = try roundTrip(response)
        #expect(decoded == response)
        #expect(decoded.payload?.body == [0, 0, 0, 1, 0, 255, 0])

        var kinds = Recs_Testing_V1_FieldKinds()
        kinds.rBytes = [[0], [], [0, 0, 0]]
        kinds.mUint32Bytes = [0: [0, 0], 1: []]
        kinds.cBytes = [0]
        #expect(try roundTrip(kinds) == kinds)
    }

    @Test func stringsAreCutAtNUL() throws {
        // protobuf-c strings are NUL-terminated C strings: a documented limitation.
        let request = Grpc_Health_V1_HealthCheckRequest.with { $0.service = "a\u{0}b" }
        #expect(try roundTrip(request).service == "a")
        let wire: [UInt8] = [0x0a, 0x03, 0x61, 0x00, 0x62]
        #expect(try Grpc_Health_V1_HealthCheckRequest(protobufBytes: wire).service == "a")
    }

    @Test func largeMessages() throws {
        var payload = Grpc_Testing_Payload()
        payload.body = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try roundTrip(payload) == payload)

        var kinds = Recs_Testing_V1_FieldKinds()
        kinds.rString = (0..<2000).map { "string number \($0)" }
        kinds.rInt64 = Array(0..<10_000)
        kinds.mInt64String = Dictionary(uniqueKeysWithValues: (0..<500).map { (Int64($0), "v\($0)") })
        #expect(try roundTrip(kinds) == kinds)
    }

    @Test func mapsRoundTripAndEncodeInKeyOrder() throws {
        var m = Recs_Testing_V1_FieldKinds()
        m.mStringInt32 = ["z": 26, "a": 1, "": 0, "m": -13]
        m.mInt64String = [.min: "min", .max: "max", 0: ""]
        m.mStringInner = ["k": .with { $0.id = 1 }, "empty": .init()]
        m.mBoolColour = [true: .unrecognized(99), false: .negative]
        m.mUint32Bytes = [.max: [1, 2]]
        #expect(try roundTrip(m) == m)
        // Deterministic: the same map always gives the same bytes.
        var again = Recs_Testing_V1_FieldKinds()
        again.mStringInt32 = ["m": -13, "": 0, "a": 1, "z": 26]
        again.mInt64String = m.mInt64String
        again.mStringInner = m.mStringInner
        again.mBoolColour = [false: .negative, true: .unrecognized(99)]
        again.mUint32Bytes = m.mUint32Bytes
        #expect(again.protobufBytes() == m.protobufBytes())
    }

    @Test func hashable() {
        let a = Grpc_Testing_SimpleRequest.with { $0.responseSize = 1 }
        let b = Grpc_Testing_SimpleRequest.with { $0.responseSize = 2 }
        #expect(Set([a, b, a]).count == 2)
    }
}

@Suite struct OneofTests {
    @Test func everyCaseRoundTrips() throws {
        let cases: [Recs_Testing_V1_FieldKinds.OneOf_Choice] = [
            .cString(""), .cString("héllo"), .cBytes([]), .cBytes([0, 1]), .cInt32(0), .cInt32(-7),
            .cColour(.unspecified), .cColour(.unrecognized(1234)), .cInner(.init()), .cInner(.with { $0.id = 5 }),
            .cBool(false), .cBool(true), .cDouble(0), .cDouble(-0.5),
        ]
        for choice in cases {
            var m = Recs_Testing_V1_FieldKinds()
            m.choice = choice
            // A set member is encoded even when its value is the default.
            #expect(!m.protobufBytes().isEmpty, "\(choice)")
            #expect(try roundTrip(m).choice == choice, "\(choice)")
        }
        var none = Recs_Testing_V1_FieldKinds()
        none.choice = nil
        #expect(try roundTrip(none).choice == nil)
    }

    @Test func accessors() {
        var m = Recs_Testing_V1_FieldKinds()
        #expect(m.cString == "" && m.cInner == .init() && m.choice == nil)
        m.cInt32 = 3
        #expect(m.choice == .cInt32(3))
        m.cString = "x"
        #expect(m.choice == .cString("x") && m.cInt32 == 0)
    }

    @Test func lastMemberOnTheWireWins() throws {
        // file_by_filename "a" then list_services "b": proto semantics keep the last one.
        let wire: [UInt8] = [0x1a, 0x01, 0x61, 0x3a, 0x01, 0x62]
        let request = try Grpc_Reflection_V1_ServerReflectionRequest(protobufBytes: wire)
        #expect(request.messageRequest == .listServices("b"))
    }

    @Test func reflectionMessages() throws {
        var response = Grpc_Reflection_V1_ServerReflectionResponse()
        response.validHost = "localhost"
        response.originalRequest = .with { $0.fileContainingSymbol = "grpc.testing.TestService" }
        response.fileDescriptorResponse = .with { $0.fileDescriptorProto = [[0x0a, 0x00], [], [0, 0]] }
        #expect(try roundTrip(response) == response)
        response.listServicesResponse = .with { $0.service = [.with { $0.name = "a.B" }, .init()] }
        #expect(try roundTrip(response) == response)
        response.errorResponse = .with {
            $0.errorCode = 5
            $0.errorMessage = "not found"
        }
        #expect(try roundTrip(response) == response)
        response.allExtensionNumbersResponse = .with {
            $0.baseTypeName = "a.B"
            $0.extensionNumber = [100, 200]
        }
        #expect(try roundTrip(response) == response)
        let request = Grpc_Reflection_V1_ServerReflectionRequest.with {
            $0.fileContainingExtension = .with {
                $0.containingType = "a.B"
                $0.extensionNumber = 42
            }
        }
        #expect(try roundTrip(request) == request)
    }
}

@Suite struct EnumTests {
    @Test func namesAndNumbers() {
        #expect(Grpc_Health_V1_HealthCheckResponse.ServingStatus.allCases == [.unknown, .serving, .notServing, .serviceUnknown])
        #expect(Grpc_Health_V1_HealthCheckResponse.ServingStatus.serviceUnknown.rawValue == 3)
        #expect(Grpc_Testing_GrpclbRouteType.allCases == [.unknown, .fallback, .backend])
        #expect(Recs_Testing_V1_Colour.darkGreen.rawValue == 2)
        #expect(Recs_Testing_V1_Colour(rawValue: -3) == .negative)
        #expect(Recs_Testing_V1_Colour(rawValue: 77) == .unrecognized(77))
        #expect(Recs_Testing_V1_Colour.unrecognized(1) == .red)
        #expect(Set([Recs_Testing_V1_Colour.unrecognized(1), .red]).count == 1)
        #expect(Grpc_Testing_PayloadType() == .compressable)
    }

    @Test func unknownValuesSurviveARoundTrip() throws {
        var m = Recs_Testing_V1_FieldKinds()
        m.fColour = .unrecognized(1000)
        m.fMood = .unrecognized(-1)
        m.rColour = [.unrecognized(.max), .unrecognized(.min), .red]
        m.mBoolColour = [true: .unrecognized(5)]
        let decoded = try roundTrip(m)
        #expect(decoded == m)
        #expect(decoded.fColour == .unrecognized(1000))
        #expect(decoded.fMood.rawValue == -1)

        // A status from a newer server: field 1 = 9.
        let health = try Grpc_Health_V1_HealthCheckResponse(protobufBytes: [0x08, 0x09])
        #expect(health.status == .unrecognized(9))
        #expect(health.protobufBytes() == [0x08, 0x09])
    }
}

@Suite struct EncodingTests {
    @Test func headroomIsZeroedAndPrecedesTheMessage() {
        let message = Grpc_Testing_SimpleResponse.with { $0.username = "u" }
        let plain = message.protobufBytes()
        #expect(plain == [0x12, 0x01, 0x75])
        for headroom in [0, 1, 5, 64] {
            let bytes = message.protobufBytes(headroom: headroom)
            #expect(bytes.count == headroom + plain.count)
            #expect(bytes.prefix(headroom).allSatisfy { $0 == 0 })
            #expect(Array(bytes.dropFirst(headroom)) == plain)
        }
        #expect(Grpc_Testing_Empty().protobufBytes(headroom: 5) == [0, 0, 0, 0, 0])
    }

    @Test func decodesFromASlice() throws {
        let bytes: [UInt8] = [0xff, 0xff, 0x12, 0x01, 0x75]
        let message = try bytes.withUnsafeBytes { raw in
            try Grpc_Testing_SimpleResponse(protobufBytes: UnsafeRawBufferPointer(rebasing: raw[2...]))
        }
        #expect(message.username == "u")
    }
}

@Suite struct MalformedInputTests {
    static let malformed: [(String, [UInt8])] = [
        ("truncated varint", [0x10, 0xff]),
        ("length past the end", [0x12, 0x05, 0x61]),
        ("wrong wire type for a string", [0x15, 0x00, 0x00, 0x00, 0x00]),
        ("field number 0", [0x00, 0x01]),
        ("invalid UTF-8 in a string", [0x12, 0x02, 0xff, 0xfe]),
        ("overlong UTF-8 in a string", [0x12, 0x02, 0xc0, 0x80]),
        ("UTF-16 surrogate in a string", [0x12, 0x03, 0xed, 0xa0, 0x80]),
        ("truncated sub-message", [0x0a, 0x04, 0x12, 0x05, 0x00, 0x00]),
        ("end-group without start", [0x0c]),
        ("varint longer than 10 bytes", [0x08] + Array(repeating: 0xff, count: 11) + [0x01]),
    ]

    @Test(arguments: malformed)
    func throwsDecodingError(_ item: (String, [UInt8])) {
        let (name, bytes) = item
        #expect(throws: ProtoDecodingError(messageName: "grpc.testing.SimpleResponse", byteCount: bytes.count), "\(name)") {
            try Grpc_Testing_SimpleResponse(protobufBytes: bytes)
        }
    }

    @Test func invalidUTF8DeepInsideThrowsForTheOuterMessage() {
        // StreamingOutputCallRequest.response_status (7) = EchoStatus { message (2) = 0xff }
        let bytes: [UInt8] = [0x3a, 0x03, 0x12, 0x01, 0xff]
        #expect(throws: ProtoDecodingError(messageName: "grpc.testing.StreamingOutputCallRequest", byteCount: 5)) {
            try Grpc_Testing_StreamingOutputCallRequest(protobufBytes: bytes)
        }
        let inMap: [UInt8] = [0x92, 0x03, 0x03, 0x0a, 0x01, 0xff]  // m_string_int32 key
        #expect(throws: ProtoDecodingError.self) { try Recs_Testing_V1_FieldKinds(protobufBytes: inMap) }
        let inRepeated: [UInt8] = [0x92, 0x02, 0x01, 0x80]  // r_string
        #expect(throws: ProtoDecodingError.self) { try Recs_Testing_V1_FieldKinds(protobufBytes: inRepeated) }
        let inOneof: [UInt8] = [0xc2, 0x02, 0x01, 0xff]  // c_string
        #expect(throws: ProtoDecodingError.self) { try Recs_Testing_V1_FieldKinds(protobufBytes: inOneof) }
    }

    @Test func unknownFieldsAreSkipped() throws {
        // Field 99 (varint) and field 100 (length-delimited) are not in SimpleResponse.
        let bytes: [UInt8] = [0x98, 0x06, 0x01, 0xa2, 0x06, 0x01, 0x00, 0x12, 0x01, 0x75]
        #expect(try Grpc_Testing_SimpleResponse(protobufBytes: bytes).username == "u")
    }
}

@Suite struct DescriptorTests {
    @Test func filesAndDependencies() throws {
        let files = ProtoDescriptors.fileDescriptorProtos
        for name in [
            "grpc/testing/empty.proto", "grpc/testing/messages.proto", "grpc/testing/test.proto",
            "grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto",
        ] {
            let bytes = try #require(files[name])
            // FileDescriptorProto field 1 (name) comes first.
            #expect(Array(bytes.prefix(2 + name.utf8.count)) == [0x0a, UInt8(name.utf8.count)] + Array(name.utf8))
        }
        #expect(ProtoDescriptors.fileDependencies["grpc/testing/test.proto"] == ["grpc/testing/empty.proto", "grpc/testing/messages.proto"])
        #expect(ProtoDescriptors.fileWithDependencies("grpc/testing/test.proto") == [
            "grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto",
        ])
        #expect(ProtoDescriptors.fileWithDependencies("grpc/health/v1/health.proto") == ["grpc/health/v1/health.proto"])
        #expect(ProtoDescriptors.fileWithDependencies("nope.proto") == nil)
    }

    @Test func servicesAndSymbols() {
        #expect(ProtoDescriptors.serviceNames == [
            "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.testing.TestService",
            "grpc.testing.UnimplementedService", "recs.issuance.v1.IssuanceService",
            "recs.registry.v1.RegistryService", "recs.reporting.v1.ReportingService", "recs.testing.v1.TestClock",
            "recs.transfer.v1.TransferService",
        ])
        let symbols = ProtoDescriptors.symbolFiles
        #expect(symbols["grpc.testing.TestService"] == "grpc/testing/test.proto")
        #expect(symbols["grpc.testing.TestService.FullDuplexCall"] == "grpc/testing/test.proto")
        #expect(symbols["grpc.testing.SimpleRequest"] == "grpc/testing/messages.proto")
        #expect(symbols["grpc.testing.Empty"] == "grpc/testing/empty.proto")
        #expect(symbols["grpc.testing.PayloadType"] == "grpc/testing/messages.proto")
        #expect(symbols["grpc.health.v1.HealthCheckResponse.ServingStatus"] == "grpc/health/v1/health.proto")
        #expect(symbols["grpc.health.v1.HealthCheckResponse.SERVING"] == "grpc/health/v1/health.proto")
        #expect(symbols["grpc.reflection.v1.ServerReflectionRequest.message_request"] == "grpc/reflection/v1/reflection.proto")
        #expect(symbols["recs.testing.v1.FieldKinds.Inner.Leaf"] == "recs/testing/v1/field_kinds.proto")
        #expect(symbols["grpc.testing.Nope"] == nil)
    }
}
