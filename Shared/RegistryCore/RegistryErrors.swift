import Domain
import GRPCWire
import ProtoMessages

/// Builds the gRPC statuses of the registry (docs/API.md, Errors): the message cites the rule, and
/// `recs-error-details-bin` carries `recs.common.v1.ErrorDetails` for programs.
public enum RegistryErrors {
    public static let detailsKey = "recs-error-details-bin"

    /// A domain violation as a status by its category; `field` names the request field when the
    /// violation does not already.
    public static func status(_ violation: RuleViolation, field: String? = nil) -> RPCError {
        var violation = violation
        if violation.field == nil, let field { violation.field = field }
        let code: StatusCode =
            switch violation.category {
            case .invalidArgument: .invalidArgument
            case .failedPrecondition: .failedPrecondition
            case .permissionDenied: .permissionDenied
            }
        return status(code, violation.description, reason: "", violations: [violation])
    }

    /// A status that is not a domain violation; `reason` is the stable reason of ErrorDetails.
    public static func status(
        _ code: StatusCode, _ message: String, reason: String, violations: [RuleViolation] = []
    ) -> RPCError {
        var details = Recs_Common_V1_ErrorDetails()
        details.reason = reason
        details.violations = violations.map { violation in
            var proto = Recs_Common_V1_RuleViolation()
            proto.code = UInt32(violation.code.rawValue)
            proto.message = violation.message
            proto.section = violation.section
            proto.line = Int32(clamping: violation.line ?? 0)
            proto.field = violation.field ?? ""
            return proto
        }
        var metadata = Metadata()
        metadata.add(detailsKey, binary: details.protobufBytes())
        return RPCError(code, message, metadata: metadata)
    }

    static func invalid(_ field: String, _ message: String, section: String, code: RuleViolation.Code = .valueMissing)
        -> RPCError
    {
        status(RuleViolation(code, message, section: section, field: field))
    }

    static func failedPrecondition(_ message: String, reason: String) -> RPCError {
        status(.failedPrecondition, message, reason: reason)
    }

    static func notFound(_ what: String, field: String) -> RPCError {
        status(.notFound, "\(field): \(what) does not exist", reason: "NOT_FOUND")
    }

    static func unimplemented(_ method: String) -> RPCError {
        RPCError(.unimplemented, "\(method) is not implemented yet")
    }

    /// Outcomes recorded for a request id (docs/API.md, idempotency rule 3); others may be retried.
    static func isRecordable(_ code: StatusCode) -> Bool {
        switch code {
        case .invalidArgument, .failedPrecondition, .notFound, .permissionDenied, .alreadyExists: true
        default: false
        }
    }
}
