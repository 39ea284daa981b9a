import ProtoMessages

/// A calendar date as a storage record keeps it (ADR 0010): the three numbers another service
/// sent, unchecked, so a record reads back exactly as it arrived. Stored as `YYYY-MM-DD` text, which
/// sorts as the dates do on both databases.
public struct StoredDate: Sendable, Hashable {
    public var year: Int32
    public var month: Int32
    public var day: Int32

    public init(year: Int32, month: Int32, day: Int32) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(_ date: Recs_Common_V1_Date) {
        self.init(year: date.year, month: date.month, day: date.day)
    }

    /// The API's form, made at the edge.
    public var proto: Recs_Common_V1_Date {
        var date = Recs_Common_V1_Date()
        date.year = year
        date.month = month
        date.day = day
        return date
    }

    /// `YYYY-MM-DD`, zero-padded.
    public var column: String {
        func padded(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    /// The date of a `column` text; nil for the empty text or NULL that stand for "absent".
    public init?(column text: String?) {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).compactMap { Int32($0) }
        guard parts.count == 3 else { return nil }
        self.init(year: parts[0], month: parts[1], day: parts[2])
    }
}

/// Short lists kept in one text column (ADR 0010): codes the registry validated (fuel source codes,
/// which never hold a comma) and protobuf enum numbers, which the API's compatibility rule never
/// renumbers. Longer or free-text lists get a table of their own.
public enum StoredList {
    public static func column(_ codes: [String]) -> String { codes.joined(separator: ",") }

    public static func codes(_ column: String) -> [String] {
        column.isEmpty ? [] : column.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    public static func column(numbers: [Int32]) -> String { numbers.map(String.init).joined(separator: ",") }

    public static func numbers(_ column: String) -> [Int32] { codes(column).compactMap { Int32($0) } }
}
