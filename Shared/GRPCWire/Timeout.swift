/// `grpc-timeout`: at most 8 ASCII digits and a unit (H, M, S, m, u, n), PROTOCOL-HTTP2.md.
public enum GRPCTimeout {
    /// Nanoseconds, or nil when the value is malformed.
    public static func parse(_ value: String) -> Int64? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 2, bytes.count <= 9 else { return nil }
        var amount: Int64 = 0
        for byte in bytes.dropLast() {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            amount = amount * 10 + Int64(byte - 0x30)
        }
        let nanosecondsPerUnit: Int64
        switch bytes.last! {
        case UInt8(ascii: "H"): nanosecondsPerUnit = 3_600_000_000_000
        case UInt8(ascii: "M"): nanosecondsPerUnit = 60_000_000_000
        case UInt8(ascii: "S"): nanosecondsPerUnit = 1_000_000_000
        case UInt8(ascii: "m"): nanosecondsPerUnit = 1_000_000
        case UInt8(ascii: "u"): nanosecondsPerUnit = 1_000
        case UInt8(ascii: "n"): nanosecondsPerUnit = 1
        default: return nil
        }
        let (product, overflow) = amount.multipliedReportingOverflow(by: nanosecondsPerUnit)
        return overflow ? Int64.max : product
    }

    /// The shortest exact-enough encoding with at most 8 digits, rounding up so a deadline is
    /// never shortened.
    public static func encode(nanoseconds: Int64) -> String {
        let value = max(nanoseconds, 0)
        let units: [(Int64, Character)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
            (3_600_000_000_000, "H"),
        ]
        for (size, unit) in units {
            let amount = value / size + (value % size == 0 ? 0 : 1)
            if amount <= 99_999_999 { return "\(amount)\(unit)" }
        }
        return "99999999H"
    }
}
