/// The statements that write a storage record kept as one row of columns (ADR 0010), made from
/// the record's column names, the key first, so a record's columns are listed once.
public enum RecordStatements {
    /// `INSERT ... ON CONFLICT (key) DO UPDATE` of every other column; columns not named keep
    /// their values on update.
    public static func upsert(_ table: String, _ names: [String]) -> String {
        precondition(!names.isEmpty, "the key is the first column")
        return insert(table, names) + " ON CONFLICT (\(names[0])) DO UPDATE SET "
            + names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    }

    /// `INSERT` of a new row (a record whose key must not exist yet).
    public static func insert(_ table: String, _ names: [String]) -> String {
        "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (" + names.indices.map { "$\($0 + 1)" }.joined(separator: ", ") + ")"
    }

    /// `UPDATE` of every column but the key, of the row that exists (a migration filling new columns).
    public static func update(_ table: String, _ names: [String]) -> String {
        precondition(!names.isEmpty, "the key is the first column")
        return "UPDATE \(table) SET " + names.enumerated().dropFirst().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")
            + " WHERE \(names[0]) = $1"
    }
}
