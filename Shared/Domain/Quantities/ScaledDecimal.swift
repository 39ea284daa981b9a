/// Parses decimal text such as `125`, `-3.5` or `0.001` into an integer count of `10^-scale` units,
/// so that quantities are exact: no binary floating point ever touches an amount of energy.
enum ScaledDecimal {
    enum Failure: Error, Equatable {
        case empty
        case notANumber
        case tooManyFractionDigits
        case tooLarge
    }

    /// Accepts an optional leading "-", digits, and optionally "." followed by digits. Fraction digits
    /// beyond `scale` are accepted only if they are zeros ("125.5000" with scale 3 is 125.500).
    /// Exponents, thousands separators, "+" and bare "." are refused: none of the formats use them
    /// and guessing would risk a wrong quantity.
    static func parse(_ text: some StringProtocol, scale: Int, magnitudeMax: Int64) -> Result<Int64, Failure> {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { return .failure(.empty) }
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        let integerPart = bytes.prefix { $0 != UInt8(ascii: ".") }
        var fractionPart = bytes.dropFirst(integerPart.count)
        if !fractionPart.isEmpty {
            fractionPart = fractionPart.dropFirst()  // the "."
            guard !fractionPart.isEmpty else { return .failure(.notANumber) }
        }
        guard !integerPart.isEmpty, integerPart.allSatisfy(ASCII.isDigit), fractionPart.allSatisfy(ASCII.isDigit) else {
            return .failure(.notANumber)
        }
        guard fractionPart.dropFirst(scale).allSatisfy({ $0 == UInt8(ascii: "0") }) else {
            return .failure(.tooManyFractionDigits)
        }
        var value: Int64 = 0
        let digits = Array(integerPart) + Array(fractionPart.prefix(scale))
            + Array(repeating: UInt8(ascii: "0"), count: scale - min(scale, fractionPart.count))
        for digit in digits {
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflowShift, !overflowAdd, sum <= magnitudeMax else { return .failure(.tooLarge) }
            value = sum
        }
        return .success(negative ? -value : value)
    }

    /// Formats `value` units of `10^-scale` with trailing fraction zeros removed: 125500 at scale 3
    /// is "125.5", 125000 is "125".
    static func format(_ value: Int64, scale: Int) -> String {
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / UInt64(divisor)
        var fraction = magnitude % UInt64(divisor)
        var text = (value < 0 ? "-" : "") + String(whole)
        guard fraction != 0 else { return text }
        var fractionDigits = scale
        while fraction % 10 == 0 {
            fraction /= 10
            fractionDigits -= 1
        }
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: fractionDigits - digits.count) + digits
        return text
    }
}
