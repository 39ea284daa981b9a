import Domain
import GRPCWire
import ProtoMessages

/// The gRPC statuses every service answers with (docs/API.md, Errors): the message names the field
/// or rule, and trailing metadata `recs-error-details-bin` carries `recs.common.v1.ErrorDetails`
/// (stable rule codes, lines, fields) for programs.
public enum ServiceErrors {
    public static let detailsKey = "recs-error-details-bin"

    /// A domain violation as a status by its category; `field` names the request field when the
    /// violation does not already.
    public static func status(_ violation: RuleViolation, field: String? = nil) -> RPCError {
        var violation = violation
        if violation.field == nil, let field { violation.field = field }
        return status(code(of: violation), violation.description, reason: "", violations: [violation])
    }

    /// Several violations at once (an upload rejected as a whole lists every bad line).
    public static func status(_ violations: [RuleViolation], summary: String) -> RPCError {
        let code = violations.first.map(code(of:)) ?? .invalidArgument
        return status(code, summary, reason: "", violations: violations)
    }

    /// The status of a domain violation, by its category.
    public static func code(of violation: RuleViolation) -> StatusCode {
        switch violation.category {
        case .invalidArgument: .invalidArgument
        case .failedPrecondition: .failedPrecondition
        case .permissionDenied: .permissionDenied
        case .unauthenticated: .unauthenticated
        }
    }

    /// The most bytes of `recs-error-details-bin` a status carries (before base64): default gRPC
    /// clients refuse trailers over 8 KiB, so an upload with hundreds of bad lines still answers.
    public static let detailsBytesMax = 4_096
    /// The most characters of a status message (it travels percent-encoded in `grpc-message`).
    public static let messageCharactersMax = 1_024

    /// A status that is not a domain violation; `reason` is the stable reason of ErrorDetails.
    /// Violations beyond ``detailsBytesMax`` are left out and the details say so (`truncated`,
    /// `violation_count`); a message beyond ``messageCharactersMax`` is cut.
    /// `reportID` names the stored report that holds every violation (``RequestJournal/RefusalWithReport``).
    public static func status(
        _ code: StatusCode, _ message: String, reason: String, violations: [RuleViolation] = [], reportID: String = ""
    ) -> RPCError {
        var details = Recs_Common_V1_ErrorDetails()
        details.reason = reason
        details.reportId = reportID
        details.violationCount = Int32(clamping: violations.count)
        var size = details.protobufBytes().count
        for violation in violations {
            var proto = Recs_Common_V1_RuleViolation()
            proto.code = UInt32(violation.code.rawValue)
            proto.message = violation.message
            proto.section = violation.section
            proto.line = Int32(clamping: violation.line ?? 0)
            proto.field = violation.field ?? ""
            // The entry's bytes, its tag and length prefix, and the truncated flag should it be needed.
            let entry = proto.protobufBytes().count + 6
            guard size + entry + 2 <= detailsBytesMax else {
                details.truncated = true
                break
            }
            details.violations.append(proto)
            size += entry
        }
        var metadata = Metadata()
        metadata.add(detailsKey, binary: details.protobufBytes())
        let shown = message.count > messageCharactersMax ? String(message.prefix(messageCharactersMax - 1)) + "…" : message
        return RPCError(code, shown, metadata: metadata)
    }

    /// INVALID_ARGUMENT about one request field that is not a domain rule (syntax, range, presence).
    public static func invalid(_ field: String, _ message: String) -> RPCError {
        status(.invalidArgument, "\(field): \(message)", reason: "INVALID_FIELD")
    }

    public static func notFound(_ what: String, field: String) -> RPCError {
        status(.notFound, "\(field): \(what) does not exist", reason: "NOT_FOUND")
    }

    public static func failedPrecondition(_ message: String, reason: String) -> RPCError {
        status(.failedPrecondition, message, reason: reason)
    }

    public static func unimplemented(_ method: String) -> RPCError {
        RPCError(.unimplemented, "\(method) is not implemented yet")
    }

    /// Outcomes recorded for a request id (docs/API.md, idempotency rule 3); others may be retried.
    public static func isRecordable(_ code: StatusCode) -> Bool {
        switch code {
        case .invalidArgument, .failedPrecondition, .notFound, .permissionDenied, .alreadyExists: true
        default: false
        }
    }
}
