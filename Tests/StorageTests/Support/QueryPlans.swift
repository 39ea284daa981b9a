import Foundation
import Storage

/// Asks the database how it would run statements that code ran, and reports every full scan of a
/// table (issue 8: "no ledger or look-up statement scans a table").
///
/// - SQLite: `EXPLAIN QUERY PLAN` with the statement's own parameters; a step reading `SCAN <table>`
///   (with or without an index: `SCAN t USING INDEX i` walks the whole index) is a scan, `SEARCH` is a
///   seek. Triggers do not show in a statement's plan, so the `WHEN` condition of every trigger on
///   the tables the statements write is explained too, with `NEW.`/`OLD.` columns as parameters.
/// - PostgreSQL: `EXPLAIN` with sequential scans switched off (`enable_seqscan = off`, so a tiny
///   test table does not make a scan look cheaper than the index); a `Seq Scan` left in the plan means
///   no index can serve the statement.
public enum QueryPlans {
    public struct Scan: Sendable, Hashable, CustomStringConvertible {
        public let sql: String
        public let plan: String
        public var description: String { "\(plan)\n    in: \(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))" }
    }

    /// The scans in the plans of `entries` (deduplicated by SQL text), and in the triggers of the
    /// tables they write (SQLite). Statements that are not queries (transaction control, DDL) are
    /// skipped.
    public static func scans(of entries: [StatementLog.Entry], in database: any Database) async throws -> [Scan] {
        var seen: Set<String> = []
        let statements = entries.filter { entry in
            let verb = entry.sql.drop(while: \.isWhitespace).prefix(while: { !$0.isWhitespace }).uppercased()
            return ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(verb) && seen.insert(entry.sql).inserted
        }
        let dialect = database.dialect
        return try await database.transaction { transaction in
            var scans: [Scan] = []
            switch dialect {
            case .sqlite:
                var written: Set<String> = []
                for statement in statements {
                    scans += try sqliteScans(statement.sql, statement.binds, &transaction)
                    if let table = writtenTable(statement.sql) { written.insert(table) }
                }
                for table in written.sorted() {
                    for trigger in try transaction.query(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1 ORDER BY name", .text(table))
                    {
                        guard let condition = whenCondition(try trigger.string("sql")) else { continue }
                        let (query, count) = parameterized("SELECT 1 WHERE \(condition)")
                        scans += try sqliteScans(query, Array(repeating: .int64(1), count: count), &transaction)
                            .map { Scan(sql: "trigger \(try trigger.string("name")): \($0.sql)", plan: $0.plan) }
                    }
                }
            case .postgres:
                try transaction.execute("SET LOCAL enable_seqscan = off")
                for statement in statements {
                    let lines = try transaction.query("EXPLAIN \(statement.sql)", binds: statement.binds)
                        .compactMap { try? $0.string("QUERY PLAN") }
                    scans += lines.filter { $0.contains("Seq Scan") }.map { Scan(sql: statement.sql, plan: $0.trimmingCharacters(in: .whitespaces)) }
                }
            }
            return scans
        }
    }

    static func sqliteScans(_ sql: String, _ binds: [SQLValue], _ transaction: inout SQLTransaction) throws -> [Scan] {
        try transaction.query("EXPLAIN QUERY PLAN \(sql)", binds: binds).compactMap { row in
            let detail = try row.string("detail")
            guard detail.hasPrefix("SCAN "), !detail.hasPrefix("SCAN CONSTANT ROW") else { return nil }
            return Scan(sql: sql, plan: detail)
        }
    }

    /// The table an INSERT, UPDATE or DELETE writes.
    static func writtenTable(_ sql: String) -> String? {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).map { $0.lowercased() }
        guard let verb = words.first else { return nil }
        let index: Int? =
            switch verb {
            case "insert": words.firstIndex(of: "into").map { $0 + 1 }
            case "delete": words.firstIndex(of: "from").map { $0 + 1 }
            case "update": 1
            default: nil
            }
        guard let index, index < words.count else { return nil }
        return words[index]
    }

    /// The condition between `WHEN` and `BEGIN` of a `CREATE TRIGGER` statement.
    static func whenCondition(_ sql: String) -> String? {
        guard let when = sql.range(of: "\\bWHEN\\b", options: [.regularExpression, .caseInsensitive]),
            let begin = sql.range(of: "\\bBEGIN\\b", options: [.regularExpression, .caseInsensitive, .backwards])
        else { return nil }
        return String(sql[when.upperBound..<begin.lowerBound])
    }

    /// `sql` with each `NEW.column` and `OLD.column` replaced by a parameter `$1`, `$2`, ….
    static func parameterized(_ sql: String) -> (String, Int) {
        let pattern = try! NSRegularExpression(pattern: "\\b(NEW|OLD)\\.[A-Za-z_]+", options: [.caseInsensitive])
        var result = ""
        var count = 0
        var cursor = sql.startIndex
        for match in pattern.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)) {
            guard let range = Range(match.range, in: sql) else { continue }
            count += 1
            result += sql[cursor..<range.lowerBound] + "$\(count)"
            cursor = range.upperBound
        }
        result += sql[cursor...]
        return (result, count)
    }
}
