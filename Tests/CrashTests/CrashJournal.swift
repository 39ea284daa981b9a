import Foundation
import GRPCWire
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import Synchronization

/// One mutating request of the workload, as the client sent it (every retry sends the same).
enum CrashOperation: Sendable {
    case request(Recs_Transfer_V1_RequestInterAccountTransferRequest)
    case accept(Recs_Transfer_V1_AcceptTransferRequest)
    case reject(Recs_Transfer_V1_RejectTransferRequest)
    case retire(Recs_Transfer_V1_RetireCertificatesRequest)

    var method: String {
        switch self {
        case .request: "RequestInterAccountTransfer"
        case .accept: "AcceptTransfer"
        case .reject: "RejectTransfer"
        case .retire: "RetireCertificates"
        }
    }

    var requestID: String {
        switch self {
        case .request(let request): request.requestId
        case .accept(let request): request.requestId
        case .reject(let request): request.requestId
        case .retire(let request): request.requestId
        }
    }

    /// Sends it once; the response's encoding, or the status it failed with.
    func send(_ client: Recs_Transfer_V1_TransferServiceClient, options: CallOptions) async throws -> [UInt8] {
        switch self {
        case .request(let request): try await client.requestInterAccountTransfer(request, options: options).protobufBytes()
        case .accept(let request): try await client.acceptTransfer(request, options: options).protobufBytes()
        case .reject(let request): try await client.rejectTransfer(request, options: options).protobufBytes()
        case .retire(let request): try await client.retireCertificates(request, options: options).protobufBytes()
        }
    }
}

/// The final answer to a request: a response, or a completed refusal (docs/API.md, idempotency
/// rule 3: both are recorded and answered again to a retry).
struct CrashOutcome: Sendable, Equatable, CustomStringConvertible {
    var code: StatusCode
    var message: String
    var response: [UInt8]

    var isSuccess: Bool { code == .ok }
    var description: String { isSuccess ? "OK (\(response.count) bytes)" : "\(code): \(message)" }

    /// Statuses of an attempt that did not complete (idempotency rule 4): the client sends the same
    /// request again under the same id.
    static func isRetryable(_ code: StatusCode) -> Bool {
        [.unavailable, .deadlineExceeded, .cancelled, .aborted, .resourceExhausted, .internal, .unknown].contains(code)
    }
}

/// An entry of the client-side journal: what was sent under a request id, by whom, and its answer.
struct CrashJournalEntry: Sendable {
    let operation: CrashOperation
    let holder: Holder
    let outcome: CrashOutcome
    /// Attempts it took (retries after a kill or a lost connection).
    let attempts: Int
}

/// Sends `operation` until it is answered: the same request id and body after every UNAVAILABLE,
/// lost connection or timeout, as a client must (docs/API.md, idempotency rule 4). Nil when it was
/// never answered within `patience`.
func sendUntilAnswered(
    _ operation: CrashOperation, client: Recs_Transfer_V1_TransferServiceClient, options: CallOptions,
    patience: Duration = .seconds(90)
) async -> (outcome: CrashOutcome, attempts: Int)? {
    let deadline = ContinuousClock.now + patience
    var attempts = 0
    while ContinuousClock.now < deadline {
        attempts += 1
        do {
            let bytes = try await operation.send(client, options: options)
            return (CrashOutcome(code: .ok, message: "", response: bytes), attempts)
        } catch let error as RPCError where !CrashOutcome.isRetryable(error.code) {
            return (CrashOutcome(code: error.code, message: error.message, response: []), attempts)
        } catch {
            try? await Task.sleep(for: .milliseconds(Int.random(in: 20...80)))
        }
    }
    return nil
}

/// What the clients know of who holds what, shared by all of them: ranges an organization probably
/// holds (the batches it was issued, certificates it received), and the transfers waiting for each
/// organization's answer. Concurrent clients pick overlapping ranges and answer the same transfer:
/// those are refused, which the test wants as much as the successes.
final class CrashWorld: Sendable {
    private struct State {
        var candidates: [String: [Recs_Common_V1_SerialRange]] = [:]
        var pending: [String: [Recs_Transfer_V1_Transfer]] = [:]
        var journal: [CrashJournalEntry] = []
        var unanswered: [String] = []
    }

    private let state = Mutex(State())

    init(batches: [(organization: String, range: Recs_Common_V1_SerialRange)]) {
        state.withLock { state in
            for (organization, range) in batches { state.candidates[organization, default: []].append(range) }
        }
    }

    var journal: [CrashJournalEntry] { state.withLock { $0.journal } }
    var unanswered: [String] { state.withLock { $0.unanswered } }

    /// Up to `quantityMax` certificates from the start of a random part of a range `organization`
    /// probably holds; the part is no longer offered to its other clients.
    func takeRange<G: RandomNumberGenerator>(of organization: String, quantityMax: Int64, using random: inout G)
        -> Recs_Common_V1_SerialRange?
    {
        state.withLock { state in
            guard var ranges = state.candidates[organization], !ranges.isEmpty else { return nil }
            let index = Int.random(in: 0..<ranges.count, using: &random)
            var range = ranges[index]
            let quantity = min(Int64.random(in: 1...quantityMax, using: &random), range.last - range.first + 1)
            var taken = range
            taken.text = ""
            taken.last = range.first + quantity - 1
            range.first += quantity
            if range.first > range.last { ranges.remove(at: index) } else { ranges[index] = range }
            state.candidates[organization] = ranges
            return taken
        }
    }

    /// A range back to `organization`'s candidates (a refused request, a rejected transfer, an
    /// accepted one for its recipient).
    func give(_ range: Recs_Common_V1_SerialRange, to organization: String) {
        state.withLock { $0.candidates[organization, default: []].append(range) }
    }

    func addPending(_ transfer: Recs_Transfer_V1_Transfer) {
        state.withLock { $0.pending[transfer.toOrganizationId, default: []].append(transfer) }
    }

    /// A transfer waiting for `organization`'s answer; it stays listed with probability `keep`, so
    /// two clients sometimes answer the same transfer.
    func pendingTransfer<G: RandomNumberGenerator>(for organization: String, keep: Double, using random: inout G)
        -> Recs_Transfer_V1_Transfer?
    {
        state.withLock { state in
            guard var list = state.pending[organization], !list.isEmpty else { return nil }
            let index = Int.random(in: 0..<list.count, using: &random)
            let transfer = list[index]
            if Double.random(in: 0..<1, using: &random) >= keep { list.remove(at: index) }
            state.pending[organization] = list
            return transfer
        }
    }

    func record(_ entry: CrashJournalEntry) { state.withLock { $0.journal.append(entry) } }
    func recordUnanswered(_ requestID: String) { state.withLock { $0.unanswered.append(requestID) } }
}

/// A small seeded generator (SplitMix64) so a client's choices follow from the run's seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
