import Domain
import GRPCWire
import ServiceKit

/// The registry's statuses are every service's (ServiceKit's ``ServiceErrors``: the message cites
/// the rule, `recs-error-details-bin` carries `recs.common.v1.ErrorDetails`).
public typealias RegistryErrors = ServiceErrors

extension ServiceErrors {
    /// A missing or malformed field as a rule violation of `section`.
    static func invalid(_ field: String, _ message: String, section: String, code: RuleViolation.Code = .valueMissing)
        -> RPCError
    {
        status(RuleViolation(code, message, section: section, field: field))
    }
}
