import Domain
import Foundation
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit
import Testing

/// Issue 8, item 5: every string, bytes and repeated field of every request of the four services
/// has a named limit (``RequestLimits``), and the RPC layer refuses a request over one before it is
/// decoded, with INVALID_ARGUMENT naming the field and the limit.
@Suite("request limits")
struct RequestLimitsTests {
    static let checker = RequestLimitChecker.shared

    // MARK: The table against the descriptors

    @Test("every string, bytes and repeated field of every request message has a limit of the right unit")
    func everyFieldHasALimit() {
        let fields = Self.checker.requestFields
        #expect(fields.count > 300, "the descriptors list \(fields.count) limited fields")
        for (field, limit) in fields {
            guard let limit else {
                Issue.record("\(field.name) has no limit: add it to RequestLimits.fields (Shared/Domain/RequestLimits.swift)")
                continue
            }
            if field.repeated {
                #expect(limit.items?.unit == .items, "\(field.name) is repeated: it needs a limit on its items")
            } else {
                #expect(limit.items == nil, "\(field.name) is not repeated")
            }
            if field.isString { #expect(limit.element?.unit == .characters, "\(field.name) is a string: a limit in characters") }
            if field.isBytes { #expect(limit.element?.unit == .bytes, "\(field.name) is bytes: a limit in bytes") }
            if !field.isString && !field.isBytes { #expect(limit.element == nil, "\(field.name) has no string or bytes to bound") }
        }
    }

    @Test("every entry of the table names a field of a request (no stale or misspelt entries)")
    func noStaleEntries() {
        let named = Set(Self.checker.requestFields.map(\.field.name))
        #expect(Set(RequestLimits.fields.keys).subtracting(named).sorted() == [])
    }

    @Test("the methods of all four services are checked")
    func everyServiceChecked() {
        let paths = Self.checker.requestTypes.keys
        for service in ["RegistryService", "IssuanceService", "TransferService", "ReportingService"] {
            let methods = paths.filter { $0.contains(".\(service)/") }
            #expect(methods.count > 5, "\(service) has \(methods.count) checked methods")
            for path in methods {
                let parts = path.split(separator: "/")
                let method = MethodDescriptor(service: String(parts[0]), method: String(parts[1]), kind: .unary)
                #expect(Self.checker.check(for: method) != nil, "\(path) is not checked")
            }
        }
    }

    @Test("documented limits are the ones used (docs/API.md, Limits), and every limit has its own name")
    func documentedLimits() {
        #expect(RequestLimits.requestIDCharactersMax.value == 128)
        #expect(RequestLimits.mctNotesCharactersMax.value == 50)
        #expect(RequestLimits.reasonDetailsCharactersMax.value == 500)
        #expect(RequestLimits.uploadBytesMax.value == 8 * 1_024 * 1_024)
        #expect(RequestLimits.transferItemsPerRequestMax.value == Limits.mctLinesMax)
        for (name, limit) in RequestLimits.fields {
            if name.hasSuffix(".request_id") { #expect(limit.element == RequestLimits.requestIDCharactersMax, "\(name)") }
            if name.hasSuffix(".content") { #expect(limit.element == RequestLimits.uploadBytesMax, "\(name)") }
            if name.hasSuffix(".details") { #expect(limit.element == RequestLimits.reasonDetailsCharactersMax, "\(name)") }
        }
        #expect(RequestLimits.fields["recs.transfer.v1.RequestInterAccountTransferRequest.notes"]?.element == RequestLimits.mctNotesCharactersMax)
        #expect(Set(RequestLimits.all.map(\.name)).count == RequestLimits.all.count)
        let used = Set(RequestLimits.fields.values.flatMap { [$0.element, $0.items].compactMap { $0 } })
        #expect(used.subtracting(RequestLimits.all).isEmpty, "a limit used in the table is missing from RequestLimits.all")
    }

    // MARK: One over the limit, and exactly at it

    /// A request over a limit (made by `over`) and the same at the limit (`at`), for one field.
    struct Sample: Sendable, CustomStringConvertible {
        var method: String
        var field: String
        var code: RuleViolation.Code = .valueTooLong
        var at: @Sendable () -> [UInt8]
        var over: @Sendable () -> [UInt8]
        var description: String { "\(method) \(field)" }
    }

    static func text(_ count: Int) -> String { String(repeating: "é", count: count) }

    static func organization(_ edit: (inout Recs_Registry_V1_CreateOrganizationRequest) -> Void) -> [UInt8] {
        var request = Recs_Registry_V1_CreateOrganizationRequest()
        request.requestId = "create-1"
        request.name = "Sunny Acres"
        var contact = Recs_Common_V1_ContactInformation()
        contact.contactName = "Pat"
        contact.email = "pat@example.org"
        var address = Recs_Common_V1_PostalAddress()
        address.lines = ["1 Main St", "Suite 2", "Building C"]
        contact.address = address
        request.contact = contact
        edit(&request)
        return request.protobufBytes()
    }

    static let samples: [Sample] = [
        Sample(
            method: "/recs.registry.v1.RegistryService/CreateOrganization", field: "contact.address.lines[2]",
            at: { organization { $0.contact!.address!.lines[2] = text(100) } },
            over: { organization { $0.contact!.address!.lines[2] = text(101) } }),
        Sample(
            method: "/recs.registry.v1.RegistryService/CreateOrganization", field: "contact.address.lines",
            at: { organization { $0.contact!.address!.lines = Array(repeating: "x", count: 6) } },
            over: { organization { $0.contact!.address!.lines = Array(repeating: "x", count: 7) } }),
        Sample(
            method: "/recs.registry.v1.RegistryService/CreateOrganization", field: "contact.email",
            at: { organization { $0.contact!.email = String(repeating: "e", count: 254) } },
            over: { organization { $0.contact!.email = String(repeating: "e", count: 255) } }),
        Sample(
            method: "/recs.registry.v1.RegistryService/CreateOrganization", field: "contact.website",
            at: { organization { $0.contact!.website = String(repeating: "w", count: 2_048) } },
            over: { organization { $0.contact!.website = String(repeating: "w", count: 3 * 1_024 * 1_024) } }),
        Sample(
            method: "/recs.registry.v1.RegistryService/CreateOrganization", field: "request_id",
            at: { organization { $0.requestId = String(repeating: "r", count: 128) } },
            over: { organization { $0.requestId = String(repeating: "r", count: 129) } }),
        Sample(
            method: "/recs.issuance.v1.IssuanceService/DisputeGeneration", field: "reason",
            at: { var r = Recs_Issuance_V1_DisputeGenerationRequest(); r.reason = text(500); return r.protobufBytes() },
            over: { var r = Recs_Issuance_V1_DisputeGenerationRequest(); r.reason = text(501); return r.protobufBytes() }),
        Sample(
            method: "/recs.issuance.v1.IssuanceService/UploadGenerationFile", field: "content", code: .fileTooLarge,
            at: { var r = Recs_Issuance_V1_UploadGenerationFileRequest(); r.content = [UInt8](repeating: 1, count: Limits.uploadBytesMax); return r.protobufBytes() },
            over: { var r = Recs_Issuance_V1_UploadGenerationFileRequest(); r.content = [UInt8](repeating: 1, count: Limits.uploadBytesMax + 1); return r.protobufBytes() }),
        Sample(
            method: "/recs.transfer.v1.TransferService/RequestInterAccountTransfer", field: "notes", code: .notesTooLong,
            at: { var r = Recs_Transfer_V1_RequestInterAccountTransferRequest(); r.notes = text(50); return r.protobufBytes() },
            over: { var r = Recs_Transfer_V1_RequestInterAccountTransferRequest(); r.notes = text(51); return r.protobufBytes() }),
        Sample(
            method: "/recs.transfer.v1.TransferService/RequestInterAccountTransfer", field: "items",
            at: { var r = Recs_Transfer_V1_RequestInterAccountTransferRequest(); r.items = Array(repeating: Recs_Transfer_V1_TransferItem(), count: 1_000); return r.protobufBytes() },
            over: { var r = Recs_Transfer_V1_RequestInterAccountTransferRequest(); r.items = Array(repeating: Recs_Transfer_V1_TransferItem(), count: 1_001); return r.protobufBytes() }),
        Sample(
            method: "/recs.reporting.v1.ReportingService/GetGenerationReport", field: "generating_unit_ids",
            at: { var r = Recs_Reporting_V1_GetGenerationReportRequest(); r.generatingUnitIds = Array(repeating: "W1", count: 1_000); return r.protobufBytes() },
            over: { var r = Recs_Reporting_V1_GetGenerationReportRequest(); r.generatingUnitIds = Array(repeating: "W1", count: 1_001); return r.protobufBytes() }),
        Sample(
            method: "/recs.reporting.v1.ReportingService/GetGenerationReport", field: "generating_unit_ids[3]",
            at: { var r = Recs_Reporting_V1_GetGenerationReportRequest(); r.generatingUnitIds = ["a", "b", "c", text(128)]; return r.protobufBytes() },
            over: { var r = Recs_Reporting_V1_GetGenerationReportRequest(); r.generatingUnitIds = ["a", "b", "c", text(129)]; return r.protobufBytes() }),
    ]

    static func check(_ method: String, _ bytes: [UInt8]) throws {
        let parts = method.split(separator: "/")
        let descriptor = MethodDescriptor(service: String(parts[0]), method: String(parts[1]), kind: .unary)
        guard let check = checker.check(for: descriptor) else { throw CheckMissing(method: method) }
        try check(bytes)
    }

    struct CheckMissing: Error { var method: String }

    @Test("one over the limit is INVALID_ARGUMENT naming the field and the limit; exactly at it passes", arguments: samples)
    func overAndAt(sample: Sample) throws {
        try Self.check(sample.method, sample.at())
        do {
            try Self.check(sample.method, sample.over())
            Issue.record("\(sample) over its limit was not refused")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("\(sample.field): "), "\(error.message)")
            #expect(error.message.contains("Max = "), "the message names the limit: \(error.message)")
            let details = error.metadata.binary(ServiceErrors.detailsKey).flatMap { try? Recs_Common_V1_ErrorDetails(protobufBytes: $0) }
            #expect(details?.violations.first?.field == sample.field)
            #expect(details?.violations.first?.code == UInt32(sample.code.rawValue))
        }
    }

    @Test("bytes that do not parse are left to the decoder, which refuses them")
    func malformedLeftToTheDecoder() throws {
        try Self.check("/recs.registry.v1.RegistryService/CreateOrganization", [0x0A, 0xFF, 0xFF, 0xFF])
        try Self.check("/recs.registry.v1.RegistryService/CreateOrganization", [0x0F])
    }

    @Test("a singular message sent twice (merged by the decoder) is refused")
    func singularMessageTwice() throws {
        let once = Self.organization { _ in }
        var contact = Recs_Registry_V1_CreateOrganizationRequest()
        contact.contact = Recs_Common_V1_ContactInformation()
        contact.contact!.email = "x@example.org"
        #expect(throws: RPCError.self) { try Self.check("/recs.registry.v1.RegistryService/CreateOrganization", once + contact.protobufBytes()) }
    }

    @Test("several violations are all listed, the first in the message")
    func severalViolations() {
        let bytes = Self.organization {
            $0.name = Self.text(201)
            $0.contact!.address!.lines = Array(repeating: Self.text(101), count: 7)
        }
        let violations = Self.checker.violations(in: bytes, messageName: "recs.registry.v1.CreateOrganizationRequest")
        #expect(violations.compactMap(\.field) == ["name"] + (0..<7).map { "contact.address.lines[\($0)]" } + ["contact.address.lines"])
    }

    /// The cost on the hot path: a typical request, checked many times.
    @Test("checking a typical request costs microseconds at most")
    func cost() throws {
        let bytes = Self.organization { _ in }
        let parts = ("recs.registry.v1.RegistryService", "CreateOrganization")
        let check = try #require(Self.checker.check(for: MethodDescriptor(service: parts.0, method: parts.1, kind: .unary)))
        var transfer = Recs_Transfer_V1_RequestInterAccountTransferRequest()
        transfer.requestId = "t-1"
        transfer.items = Array(repeating: Recs_Transfer_V1_TransferItem.with { $0.serialRange = Recs_Common_V1_SerialRange.with { $0.text = "99999-AA-123456-1-100" } }, count: 100)
        let transferBytes = transfer.protobufBytes()
        let transferCheck = try #require(
            Self.checker.check(for: MethodDescriptor(service: "recs.transfer.v1.TransferService", method: "RequestInterAccountTransfer", kind: .unary)))
        let rounds = 20_000
        let clock = ContinuousClock()
        try check(bytes)
        let small = try clock.measure { for _ in 0..<rounds { try check(bytes) } }
        let large = try clock.measure { for _ in 0..<rounds { try transferCheck(transferBytes) } }
        let decode = try clock.measure { for _ in 0..<rounds { _ = try Recs_Registry_V1_CreateOrganizationRequest(protobufBytes: bytes) } }
        func perCall(_ duration: Duration) -> Double { Double(duration.components.attoseconds / 1_000_000_000 + duration.components.seconds * 1_000_000_000) / Double(rounds) }
        print(
            "request limits: CreateOrganization (\(bytes.count) bytes) \(perCall(small)) ns per check, decoding it \(perCall(decode)) ns; "
                + "RequestInterAccountTransfer with 100 items (\(transferBytes.count) bytes) \(perCall(large)) ns per check")
        #expect(perCall(small) < 50_000)
    }
}
