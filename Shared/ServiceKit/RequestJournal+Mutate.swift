import Domain
import Foundation
import GRPCWire
import ProtoMessages

extension Recs_Common_V1_Actor {
    /// Whose request ids these are (docs/API.md, idempotency rule 2): the organization a user acts
    /// for, or the service or partner system itself. Part of every request's fingerprint, so an id
    /// another caller used is REQUEST_ID_REUSED to this one: nobody reads another caller's outcome.
    public var requestScope: String {
        switch kind {
        case .user, .registryAdministrator: "organization:\(organizationId)"
        case .service: "service:\(id)"
        case .partnerSystem: "partner:\(id)"
        default: "\(kind):\(id)"
        }
    }
}

extension RequestJournal {
    /// docs/API.md, idempotency rule 1.
    public static let requestIDCharactersMax = Limits.requestIDCharactersMax

    /// docs/API.md, idempotency rule 1: 1 to 128 printable ASCII characters; INVALID_ARGUMENT
    /// naming `request_id` otherwise.
    public static func checkRequestID(_ requestID: String) throws {
        let section = "docs/API.md, Idempotency: request_id"
        if requestID.isEmpty {
            throw ServiceErrors.status(
                .invalidArgument, "request_id: is required for every mutating request (\(section))", reason: "REQUEST_ID_MISSING",
                violations: [RuleViolation(.valueMissing, "is required", section: section, field: "request_id")])
        }
        guard requestID.utf8.count <= requestIDCharactersMax, requestID.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw ServiceErrors.status(
                .invalidArgument, "request_id: must be 1 to 128 printable ASCII characters (\(section))",
                reason: "REQUEST_ID_MALFORMED",
                violations: [RuleViolation(.valueTooLong, "must be 1 to 128 printable ASCII characters", section: section, field: "request_id")])
        }
    }

    /// A mutating RPC: checks the request id, then runs `body` once per request id (``perform``)
    /// with the request, minus what `clearing` removes (its request id), as the fingerprint. Domain
    /// violations thrown by `body` become statuses by their category; the response is the one
    /// computed now or the one recorded for a retry.
    ///
    /// `actor` is who asks: its events carry it, and request ids are scoped to it (docs/API.md,
    /// idempotency rule 2; ``Recs_Common_V1_Actor/requestScope``).
    public func mutate<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, requestID: String, now: Date? = nil, actor: Recs_Common_V1_Actor,
        clearing: (inout Request) -> Void,
        _ body: @escaping @Sendable (inout JournalTransaction) throws -> Response
    ) async throws -> Response {
        try Self.checkRequestID(requestID)
        var stripped = request
        clearing(&stripped)
        let bytes = try await perform(
            method: method, requestID: requestID, fingerprintInput: Array(actor.requestScope.utf8) + [0] + stripped.protobufBytes(),
            now: now, actor: actor
        ) {
            transaction in
            do {
                return try body(&transaction).protobufBytes()
            } catch let violation as RuleViolation {
                throw ServiceErrors.status(violation)
            }
        }
        do {
            return try Response(protobufBytes: bytes)
        } catch {
            throw RPCError(.internal, "the recorded response of request_id \"\(requestID)\" cannot be read")
        }
    }
}
