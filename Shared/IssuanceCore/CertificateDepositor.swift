import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

/// Where new batches go: transfer's `DepositCertificates` (§14.2). A protocol so tests can stand in
/// a depositor that records calls and fails on demand; the executable uses ``TransferDepositor``.
public protocol CertificateDepositor: Sendable {
    /// Deposits one batch; returns when transfer has it. Must be safe to repeat: transfer takes a
    /// batch number once, whatever the request id (docs/API.md, idempotency rule 8).
    func deposit(_ request: Recs_Transfer_V1_DepositCertificatesRequest) async throws
}

/// The transfer service over a client connection.
public struct TransferDepositor: CertificateDepositor {
    let transfer: Recs_Transfer_V1_TransferServiceClient
    /// A deposit is small; a slow one is retried later rather than holding up the cycle.
    public static let callTimeout: Duration = .seconds(10)

    public init(client: RPCClient) {
        self.transfer = Recs_Transfer_V1_TransferServiceClient(client)
    }

    public func deposit(_ request: Recs_Transfer_V1_DepositCertificatesRequest) async throws {
        _ = try await transfer.depositCertificates(request, options: CallOptions(timeout: Self.callTimeout))
    }
}
