import Domain
import Foundation
import GRPCWire
import IssuanceCore
import Logging
import ProtoMessages
import ProtoServices
import RPC
import RegistryCore
import ReportingCore
import ServiceKit
import ServiceTestSupport
import StandardServices
import Storage
import StorageTestSupport
import Synchronization
import Testing
import TransferCore

/// The four services as the matrix serves them.
enum ServiceUnderTest: String, CaseIterable, Sendable, CustomStringConvertible {
    case registry, issuance, transfer, reporting

    var description: String { rawValue }

    /// The fully qualified proto name.
    var qualifiedName: String {
        switch self {
        case .registry: Recs_Registry_V1_RegistryService.name
        case .issuance: Recs_Issuance_V1_IssuanceService.name
        case .transfer: Recs_Transfer_V1_TransferService.name
        case .reporting: Recs_Reporting_V1_ReportingService.name
        }
    }

    /// The method descriptors the generator emitted for the service's clients.
    var generatedMethods: [MethodDescriptor] {
        switch self {
        case .registry: Recs_Registry_V1_RegistryService.Method.all
        case .issuance: Recs_Issuance_V1_IssuanceService.Method.all
        case .transfer: Recs_Transfer_V1_TransferService.Method.all
        case .reporting: Recs_Reporting_V1_ReportingService.Method.all
        }
    }
}

/// Any message. The matrix sends an empty request: an empty message of any type is zero bytes on
/// the wire, which the server decodes as the method's own request type (``DeclaredMethod/inputType``).
/// Responses are taken as bytes, whatever their type.
struct AnyMessage: ProtoMessage {
    var bytes: [UInt8] = []

    init() {}

    init(bytes: [UInt8]) { self.bytes = bytes }

    init(protobufBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError) {
        self.bytes = Array(bytes)
    }

    func protobufBytes(headroom: Int) -> [UInt8] { [UInt8](repeating: 0, count: headroom) + bytes }

    static var protoMessageName: String { "recs.authorization_matrix.AnyMessage" }
}

/// Wraps the service's real ``AccessControl`` and records, per call, whether it admitted the call
/// and whom it authenticated: the matrix's proof that a call got past the interception point (or
/// was refused there, not by the handler).
final class AdmissionRecorder: ServerInterceptor {
    /// The request header naming a call's cell.
    static let cellHeader = "x-matrix-cell"

    struct Admission: Sendable {
        var path: String
        var admitted: Bool
        /// Whom the interceptor authenticated (nil when a presented credential was rejected).
        var caller: Caller?
    }

    let inner: AccessControl
    private let admissions = Mutex<[String: Admission]>([:])

    init(_ inner: AccessControl) {
        self.inner = inner
    }

    func intercept(_ context: ServerContext, request: (any ProtoMessage)?) async throws {
        do {
            try await inner.intercept(context, request: request)
        } catch {
            record(context, admitted: false)
            throw error
        }
        record(context, admitted: true)
    }

    private func record(_ context: ServerContext, admitted: Bool) {
        guard let cell = context.requestMetadata[Self.cellHeader] else { return }
        let admission = Admission(path: context.method.path, admitted: admitted, caller: context.authenticated as? Caller)
        admissions.withLock { $0[cell] = admission }
    }

    func admission(_ cell: String) -> Admission? { admissions.withLock { $0[cell] } }
}

/// How one call ended, and what the interception point did with it.
struct Observation: Sendable, CustomStringConvertible {
    /// The method called.
    var path: String
    var code: StatusCode
    var message: String
    /// The rule codes of `recs-error-details-bin`.
    var violations: [UInt32]
    var admission: AdmissionRecorder.Admission?

    var description: String {
        let codes = violations.isEmpty ? "" : " \(violations.map(String.init).joined(separator: ","))"
        let layer =
            switch admission?.admitted {
            case true?: "admitted by the interceptor"
            case false?: "refused by the interceptor"
            case nil: "never reached the interceptor"
            }
        return "\(code)\(codes) (\(layer)): \(message)"
    }
}

/// Issuance's depositor for the matrix: no cycle runs, so nothing is ever deposited.
struct NoDepositor: CertificateDepositor {
    func deposit(_ request: Recs_Transfer_V1_DepositCertificatesRequest) async throws {
        throw RPCError(.unavailable, "the authorization matrix deposits nothing")
    }
}

/// One service served in process with access control on, over TLS, with a client per credential.
struct MatrixServer: Sendable {
    let service: ServiceUnderTest
    /// The methods the served service registered (its generated `serviceDefinition`).
    let served: [MethodDescriptor]
    let recorder: AdmissionRecorder
    /// By TLS identity: `user` (no certificate: users and anonymous), `partner`, and the services.
    private let clients: [String: RPCClient]

    init(service: ServiceUnderTest, served: [MethodDescriptor], recorder: AdmissionRecorder, clients: [String: RPCClient]) {
        self.service = service
        self.served = served
        self.recorder = recorder
        self.clients = clients
    }

    static func clientIdentity(_ kind: CallerKind) -> String {
        if let peer = kind.peer { return peer.rawValue }
        return kind == .partner ? "partner" : "user"
    }

    /// Calls `method` as `kind` with `request` (empty by default), tagged as `cell`.
    func call(_ method: MethodDescriptor, as kind: CallerKind, cell: String, request: [UInt8] = []) async -> Observation {
        var metadata = Metadata()
        metadata.add(AdmissionRecorder.cellHeader, cell)
        if let login = MatrixCallers.login(kind) { metadata.add("authorization", "Bearer \(login.key.token)") }
        guard let client = clients[Self.clientIdentity(kind)] else {
            return Observation(path: method.path, code: .internal, message: "no client for \(kind.name)", violations: [], admission: nil)
        }
        let status = await Self.status(of: method, request: AnyMessage(bytes: request), client: client, metadata: metadata)
        return Observation(
            path: method.path, code: status.code, message: status.message, violations: Self.violations(status.metadata),
            admission: recorder.admission(cell))
    }

    /// Runs the call to its end (or, for a stream that stays open, to its first response or a short
    /// deadline: admission is known long before) and returns its status.
    private static func status(of method: MethodDescriptor, request: AnyMessage, client: RPCClient, metadata: Metadata) async -> CallEnd {
        let ok = CallEnd(code: .ok, message: "", metadata: Metadata())
        do {
            switch method.kind {
            case .unary:
                _ = try await client.unary(
                    method, request: request, responseType: AnyMessage.self, options: CallOptions(metadata: metadata, timeout: .seconds(20)))
                return ok
            case .serverStreaming:
                let call = client.serverStreaming(
                    method, request: request, responseType: AnyMessage.self, options: CallOptions(metadata: metadata, timeout: .seconds(3)))
                var responses = call.responses.makeAsyncIterator()
                _ = try await responses.next()
                call.cancel()
                return ok
            case .clientStreaming:
                let call = client.clientStreaming(
                    method, requestType: AnyMessage.self, responseType: AnyMessage.self,
                    options: CallOptions(metadata: metadata, timeout: .seconds(3)))
                try await call.send(request)
                _ = try await call.finish()
                return ok
            case .bidirectionalStreaming:
                let call = client.bidirectionalStreaming(
                    method, requestType: AnyMessage.self, responseType: AnyMessage.self,
                    options: CallOptions(metadata: metadata, timeout: .seconds(3)))
                try await call.send(request)
                try await call.closeSend()
                var responses = call.responses.makeAsyncIterator()
                _ = try await responses.next()
                call.cancel()
                return ok
            }
        } catch let error as RPCError {
            return CallEnd(code: error.code, message: error.message, metadata: error.metadata)
        } catch {
            return CallEnd(code: .unknown, message: "\(error)", metadata: Metadata())
        }
    }

    /// How a call ended (an `RPCError` cannot carry OK).
    struct CallEnd: Sendable {
        var code: StatusCode
        var message: String
        var metadata: Metadata
    }

    static func violations(_ metadata: Metadata) -> [UInt32] {
        guard let bytes = metadata.binary(ServiceErrors.detailsKey), let details = try? Recs_Common_V1_ErrorDetails(protobufBytes: bytes)
        else { return [] }
        return details.violations.map(\.code)
    }

    /// Runs `calls` with at most `width` in flight; results by cell.
    func run(_ calls: [(cell: String, method: MethodDescriptor, kind: CallerKind, request: [UInt8])], width: Int = 24) async -> [String: Observation] {
        await withTaskGroup(of: (String, Observation).self) { group in
            var results: [String: Observation] = [:]
            var pending = calls[...]
            func startNext() {
                guard let next = pending.popFirst() else { return }
                group.addTask { (next.cell, await self.call(next.method, as: next.kind, cell: next.cell, request: next.request)) }
            }
            for _ in 0..<width { startNext() }
            while let (cell, observation) = await group.next() {
                results[cell] = observation
                startNext()
            }
            return results
        }
    }
}

/// Serves `service` with its real use cases on a fresh SQLite database, the matrix's callers in its
/// principal tables, ``AccessControl`` (wrapped by ``AdmissionRecorder``) as its interceptor, and TLS
/// with optional client certificates, as the executables serve it with `--tls-dir`.
///
/// The service's application is built as the executables build it (migrations, directory, feeds
/// that here read nothing); its server is replaced by one whose interceptor is the recorder around
/// the same `ServiceAccess.interceptor` the application installs.
func withMatrixServer(_ service: ServiceUnderTest, _ body: (MatrixServer) async throws -> Void) async throws {
    var logger = Logger(label: "authorization-matrix")
    logger.logLevel = .critical
    let access = ServiceAccess.enforced(certificates: MatrixCallers.certificates)
    let unstarted = ServerConfiguration(port: 0)
    let noEvents: @Sendable (Int64, Int32) async throws -> (events: [Recs_Registry_V1_Event], lastSequence: Int64) = { _, _ in ([], 0) }
    try await withTestDatabase(.sqlite) { testDatabase in
        let database = testDatabase.database
        let provider: any RPCService
        let directory: PrincipalDirectory
        let rules: AccessRules
        let close: @Sendable () async -> Void
        switch service {
        case .registry:
            let application = try await RegistryApplication.build(
                database: database, server: unstarted, access: RegistryApplication.Access(keyDirectory: nil, checks: access),
                logger: logger)
            directory = PrincipalDirectory()
            provider = RegistryService(repository: application.repository, directory: directory, logger: logger)
            rules = RegistryService.accessRules
            close = { await application.shutdown() }
        case .issuance:
            let application = try await IssuanceApplication.build(
                database: database, server: unstarted, registry: noEvents, transfer: NoDepositor(), access: access, logger: logger)
            provider = application.service
            directory = application.directory
            rules = IssuanceService.accessRules
            close = { await application.shutdown() }
        case .transfer:
            let application = try await TransferApplication.build(database: database, server: unstarted, access: access, logger: logger)
            provider = application.service
            directory = application.directory
            rules = TransferService.accessRules
            close = { await application.shutdown() }
        case .reporting:
            let feeds = ReportingFeeds(registry: noEvents, issuance: { _, _ in ([], 0) }, transfer: { _, _ in ([], 0) })
            let application = try await ReportingApplication.build(
                database: database, server: unstarted, feeds: feeds, access: access, logger: logger)
            provider = ReportingService(store: application.store, followers: application.followers, logger: logger)
            directory = application.directory
            rules = ReportingService.accessRules
            close = { await application.shutdown() }
        }
        do {
            try await MatrixCallers.install(in: database, directory: directory)
            guard let control = access.interceptor(directory: directory, rules: [rules]) else {
                throw TestFailure("ServiceAccess.enforced made no interceptor")
            }
            let recorder = AdmissionRecorder(control)
            let server = StandardServer(
                configuration: ServerConfiguration(port: 0, tls: MatrixTLS.server(service.rawValue)), services: [RequestLimitChecker.limiting(provider)],
                interceptor: recorder, logger: logger)
            let port = try await server.server.start()
            var clients: [String: RPCClient] = [:]
            do {
                for kind in CallerKind.allCases where clients[MatrixServer.clientIdentity(kind)] == nil {
                    clients[MatrixServer.clientIdentity(kind)] = try RPCClient(
                        configuration: ClientConfiguration(host: "127.0.0.1", port: port, tls: MatrixTLS.client(kind)))
                }
                try await body(
                    MatrixServer(
                        service: service, served: provider.serviceDefinition.methods.map(\.descriptor), recorder: recorder,
                        clients: clients))
            } catch {
                for client in clients.values { await client.close() }
                await server.shutdown()
                throw error
            }
            for client in clients.values { await client.close() }
            await server.shutdown()
        } catch {
            await close()
            throw error
        }
        await close()
    }
}
