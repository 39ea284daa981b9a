import Domain
import Foundation
import Storage

/// The one error shape of the ledger. Rule failures carry the domain's ``RuleViolation`` (with its
/// section of the rules); storage failures carry the ``StorageError`` as cause, never in the message.
public struct LedgerError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Ordered by precedence for a caller; values are never renumbered. The RPC layer maps them:
    /// ruleViolated by the violation's category, notFound to NOT_FOUND, alreadyExists and
    /// requestIDReused to ALREADY_EXISTS, conflict to ABORTED, unavailable to UNAVAILABLE.
    public enum Code: UInt16, Sendable, Hashable {
        /// The request is malformed (bad request id, empty selection, too many selections).
        case invalidRequest = 1
        /// A rule of the registry forbids the change; see ``LedgerError/violation``.
        case ruleViolated = 2
        /// A batch, subaccount or hold named by the request does not exist.
        case notFound = 3
        /// The batch, subaccount or hold already exists (with other content).
        case alreadyExists = 4
        /// The request id was used before for a different request.
        case requestIDReused = 5
        /// Concurrent changes kept conflicting; the request had no effect and can be retried.
        case conflict = 6
        /// The database cannot be reached or failed; the outcome is unknown, so retry with the same id.
        case unavailable = 7
        /// The ledger's invariant does not hold: a bug or tampering; see the message.
        case conservationBroken = 8
        /// Anything else: a bug. The cause says more.
        case internalFailure = 9
    }

    public var code: Code
    public var message: String
    public var violation: RuleViolation?
    public var cause: StorageError?

    public init(_ code: Code, _ message: String, violation: RuleViolation? = nil, cause: StorageError? = nil) {
        self.code = code
        self.message = message
        self.violation = violation
        self.cause = cause
    }

    init(_ violation: RuleViolation) {
        self.init(.ruleViolated, violation.description, violation: violation)
    }

    /// Any error out of a ledger transaction, in the ledger's shape.
    init(wrapping error: any Error) {
        switch error {
        case let error as LedgerError:
            self = error
        case let violation as RuleViolation:
            self.init(violation)
        case let storage as StorageError:
            switch storage.code {
            case .serializationFailure:
                self.init(.conflict, "the ledger was busy with conflicting changes; nothing changed, retry the request", cause: storage)
            case .connectionFailed, .storageFailed, .timedOut:
                self.init(.unavailable, "the ledger's database is unavailable; retry the request with the same id", cause: storage)
            default:
                self.init(.internalFailure, "the ledger failed to record the change; nothing changed", cause: storage)
            }
        default:
            self.init(.internalFailure, "the ledger failed: \(error)")
        }
    }

    public var description: String { message }

    public var debugDescription: String {
        var text = "LedgerError.\(code): \(message)"
        if let cause { text += " [\(cause.debugDescription)]" }
        return text
    }
}

/// Every limit of the ledger, each named with its unit last.
public enum LedgerLimits {
    /// Client-supplied ids (request ids, hold ids).
    public static let idCharactersMax = 100
    /// Selections in one request: as many as lines in a Mass Certificate Transfer file (MCT).
    public static let selectionsPerRequestMax = Limits.mctLinesMax
    /// Holdings one listing returns.
    public static let holdingsPerListingMax = 100_000
    /// Holdings read at a time while picking a quantity out of a subaccount's holdings of a batch.
    public static let holdingsPerPickPage = 64
}

/// A client-supplied id that makes a request idempotent (TigerBeetle-style): the same id with the
/// same request returns the first outcome, the same id with another request is refused.
public struct RequestID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let description: String

    public init(_ text: String) throws(LedgerError) {
        try Self.check(text, what: "request id")
        description = text
    }

    static func check(_ text: String, what: String) throws(LedgerError) {
        let printable = text.utf8.allSatisfy { (0x21...0x7e).contains($0) }
        guard printable, !text.isEmpty, text.utf8.count <= LedgerLimits.idCharactersMax else {
            throw LedgerError(
                .invalidRequest, "a \(what) has 1 to \(LedgerLimits.idCharactersMax) printable ASCII characters without spaces")
        }
    }
}

/// The id of a hold that freezes certificates for a pending inter-account transfer (§15.2) or a
/// pending export (§17.1); chosen by the caller (the transfer's id).
public struct HoldID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let description: String

    public init(_ text: String) throws(LedgerError) {
        try RequestID.check(text, what: "hold id")
        description = text
    }
}

/// Which certificates of one batch a request names.
public enum CertificateSelection: Sendable, Hashable, Codable {
    /// The first `count` certificates of the batch that are available in the source subaccount,
    /// lowest numbers first (a transfer "of a quantity from a batch", §15.2, MCT).
    case quantity(batch: CertificateBatchIdentity, count: Int64)
    /// Exactly these serial numbers, which must all be in the source subaccount.
    case serials(CertificateSerialRange)

    public var batch: CertificateBatchIdentity {
        switch self {
        case .quantity(let batch, _): batch
        case .serials(let range): range.batch
        }
    }
}

/// A subaccount as the ledger knows it: the registry service owns subaccounts; the ledger keeps
/// what the flow rules need (§6, §15.1, §15.2 footnote 16).
public struct LedgerSubaccount: Sendable, Hashable, Codable {
    public let id: SubaccountID
    public let organization: OrganizationID
    public let kind: SubaccountKind

    public init(id: SubaccountID, organization: OrganizationID, kind: SubaccountKind) {
        self.id = id
        self.organization = organization
        self.kind = kind
    }
}

/// A contiguous range of certificates held in one subaccount with one status.
public struct Holding: Sendable, Hashable {
    public let serials: CertificateSerialRange
    public let subaccount: SubaccountID
    public let status: CertificateLifecycle.Kind
    /// When the status began; nil for active certificates, whose status carries no date.
    public let statusSince: Date?
    /// The hold that freezes them, for pendingTransfer and exportPending.
    public let hold: HoldID?
}

/// What a mutating operation did; stored with the request id and returned again on a retry.
public struct LedgerChange: Sendable, Hashable, Codable {
    public let requestID: RequestID
    /// The certificates the operation changed, in request order.
    public let serials: [CertificateSerialRange]
    /// Where they are now.
    public let subaccount: SubaccountID
    public let status: CertificateLifecycle.Kind
    public let hold: HoldID?
    /// Program administrators to tell about a withdrawal of retired certificates (§16.2).
    public let programsToNotify: [EligibilityProgram]
    public let at: Date

    public var quantity: Int64 { serials.reduce(0) { $0 + $1.quantity } }
}

/// What ``Ledger/checkConservation()`` verified.
public struct ConservationReport: Sendable, Hashable {
    public let batches: Int
    public let holdings: Int
    public let certificates: Int64
}

/// A change of the ledger prepared for a transaction: the owning service applies it inside its own
/// transaction (``apply(in:)``), together with its records, its event and its idempotency record,
/// so all commit or fail together. The ledger's own `deposit`, `retire`, ... run the same
/// operations in a transaction of their own with the ledger's idempotency record.
public struct LedgerOperation: Sendable {
    public let name: String
    public let requestID: RequestID
    /// SHA-256 of the operation's name and canonical request: what makes two requests the same.
    let fingerprint: [UInt8]
    let body: @Sendable (inout SQLTransaction) throws -> LedgerChange

    /// Applies the change in `transaction`. Throws a `RuleViolation` or `LedgerError` when the
    /// change is refused (the caller rolls its transaction back), or the storage's error.
    public func apply(in transaction: inout SQLTransaction) throws -> LedgerChange {
        try body(&transaction)
    }
}
