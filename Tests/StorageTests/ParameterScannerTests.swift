@testable import Storage
import Testing

@Suite("PostgreSQL parameter scanning (the same $n contract as SQLite)")
struct ParameterScannerTests {
    @Test(
        "parameters are found outside literals, identifiers, comments and dollar quotes",
        arguments: [
            ("SELECT $1 + $2, $1", [1, 2]),
            ("SELECT '$1', \"$2\", $3", [3]),
            ("SELECT 1 -- $1\n + $2", [2]),
            ("SELECT /* $1 */ $2", [2]),
            ("CREATE FUNCTION f(bigint) RETURNS bigint AS $$ SELECT $1 $$ LANGUAGE sql", []),
            ("DO $body$ BEGIN PERFORM $1; END $body$", []),
            ("SELECT 'it''s $1', $4", [4]),
            ("SELECT price$1 FROM t WHERE id = $1", [1]),
            ("SELECT $10", [10]),
        ] as [(String, [Int])])
    func scan(sql: String, expected: [Int]) {
        #expect(ParameterScanner.parameterNumbers(in: sql) == Set(expected))
    }
}
