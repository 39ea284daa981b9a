/// An identifier written as text in the documents' formats: it is encoded as that text and decoded
/// by parsing it, so a stored or transmitted id is validated like one typed by a user.
public protocol TextIdentifier: Codable, CustomStringConvertible {
    init(parsing text: some StringProtocol) throws(RuleViolation)
}

extension TextIdentifier {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
