/// Reads the fixed-width numeric fields of `MM/YYYY` and `MM/DD/YYYY`.
enum DigitFields {
    /// Splits `text` on "/" and returns the numbers if there are exactly `widths.count` parts and
    /// each has exactly its width in digits; nil otherwise.
    static func parse(_ text: some StringProtocol, widths: [Int]) -> [Int]? {
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == widths.count else { return nil }
        var numbers: [Int] = []
        for (part, width) in zip(parts, widths) {
            guard part.count == width, part.allSatisfy(ASCII.isDigit) else { return nil }
            numbers.append(part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
        }
        return numbers
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func fourDigits(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
