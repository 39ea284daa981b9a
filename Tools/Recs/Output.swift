import Foundation

/// A value `recs` prints. Commands build `Record`s from responses; the `Printer` decides whether
/// they become `key: value` lines or JSON, so both forms always carry the same fields.
indirect enum OutputValue {
    case string(String)
    case number(Int64)
    case bool(Bool)
    case list([OutputValue])
    case record(Record)

    static func int(_ value: some BinaryInteger) -> OutputValue { .number(Int64(value)) }
}

/// Named values in the order they are printed. Keys are the proto field names (snake_case).
struct Record: ExpressibleByDictionaryLiteral {
    private(set) var fields: [(key: String, value: OutputValue)] = []

    init() {}

    /// A nil value leaves the key out: the field is absent from the response.
    init(dictionaryLiteral elements: (String, OutputValue?)...) {
        for (key, value) in elements { self[key] = value }
    }

    subscript(key: String) -> OutputValue? {
        get { fields.first { $0.key == key }?.value }
        set {
            fields.removeAll { $0.key == key }
            if let newValue { fields.append((key, newValue)) }
        }
    }
}

/// Writes responses on stdout: one block of `key: value` lines per record (blocks separated by an
/// empty line), or with `--json` one JSON object per response on its own line.
struct Printer {
    let json: Bool

    func emit(_ record: Record) {
        print(json ? JSON.encode(.record(record)) : HumanText.block(record))
    }

    /// A list response: in JSON one object with the items under `key`, then the fields of `extra`;
    /// as text one block per item, then `extra` as a block of its own.
    func emit(list key: String, _ items: [Record], extra: Record = Record()) {
        if json {
            var object: Record = [key: .list(items.map(OutputValue.record))]
            for field in extra.fields { object[field.key] = field.value }
            print(JSON.encode(.record(object)))
            return
        }
        let blocks = items.map(HumanText.block) + (extra.fields.isEmpty ? [] : [HumanText.block(extra)])
        if !blocks.isEmpty { print(blocks.joined(separator: "\n\n")) }
    }
}

/// Lines to write on stderr (errors, the request id used).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The `key: value` form: a list repeats its key on one line per item; a nested record is written
/// on its line as `key=value` pairs.
enum HumanText {
    static func block(_ record: Record) -> String {
        record.fields.flatMap { field -> [String] in
            if case .list(let items) = field.value { return items.map { "\(field.key): \(inline($0))" } }
            return ["\(field.key): \(inline(field.value))"]
        }.joined(separator: "\n")
    }

    static func inline(_ value: OutputValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .list(let items): items.map(inline).joined(separator: ",")
        case .record(let record): record.fields.map { "\($0.key)=\(quotedIfNeeded($0.value))" }.joined(separator: " ")
        }
    }

    /// Inside a `k=v k=v` line a value with spaces (or an empty one) is quoted so the pairs stay
    /// separable.
    private static func quotedIfNeeded(_ value: OutputValue) -> String {
        let text = inline(value)
        if case .record = value { return "{\(text)}" }
        let needsQuotes = text.isEmpty || text.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
        return needsQuotes ? JSON.quoted(text) : text
    }
}

/// A minimal JSON encoder for `OutputValue` (the generated message types are not Codable).
enum JSON {
    static func encode(_ value: OutputValue) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .number(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .list(let items): "[" + items.map(encode).joined(separator: ",") + "]"
        case .record(let record):
            "{" + record.fields.map { quoted($0.key) + ":" + encode($0.value) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
