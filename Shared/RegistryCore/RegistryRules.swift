import Domain
import Foundation
import GRPCWire
import ProtoMessages
import ServiceKit

/// The registry's checks of request fields that several use cases share (names, logins,
/// identifiers), and its small conversions; the static data of a unit is Units/UnitStaticData.swift.
enum RegistryRules {
    /// Logins: 1 to 100 printable ASCII characters without spaces (our limit; §7 sets none).
    static func checkLogin(_ login: String, field: String) throws {
        guard !login.isEmpty else { throw RegistryErrors.invalid(field, "is required", section: "Operating Rules §7.1") }
        guard login.utf8.count <= 100, login.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw RegistryErrors.invalid(
                field, "must be 1 to 100 printable ASCII characters without spaces", section: "Operating Rules §7.1",
                code: .valueTooLong)
        }
    }

    static func parse<T>(field: String, _ parse: () throws(RuleViolation) -> T) throws -> T {
        do {
            return try parse()
        } catch {
            throw RegistryErrors.status(error, field: field)
        }
    }

    static func checkName(_ name: String, field: String, section: String) throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RegistryErrors.invalid(field, "is required", section: section)
        }
        if name.count > RegistryService.nameCharactersMax {
            throw RegistryErrors.invalid(
                field, "has more than \(RegistryService.nameCharactersMax) characters", section: section, code: .valueTooLong)
        }
    }

    /// A new subaccount id in the `DDDDLLLL-DDLL` shape (§6, MCT `1234ABCD-55ZZ`); uniqueness is the
    /// primary key's (a collision fails the insert, and the transaction runs again).
    static func newSubaccountID() -> String {
        let digits = Array("0123456789")
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var text = ""
        for _ in 0..<4 { text.append(digits.randomElement()!) }
        for _ in 0..<4 { text.append(letters.randomElement()!) }
        text.append("-")
        for _ in 0..<2 { text.append(digits.randomElement()!) }
        for _ in 0..<2 { text.append(letters.randomElement()!) }
        return text
    }

    static func utcDate(_ date: Date) -> Recs_Common_V1_Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        var result = Recs_Common_V1_Date()
        result.year = Int32(parts.year ?? 1970)
        result.month = Int32(parts.month ?? 1)
        result.day = Int32(parts.day ?? 1)
        return result
    }

    static func isAfter(_ lhs: Recs_Common_V1_Date, _ rhs: Recs_Common_V1_Date) -> Bool {
        (lhs.year, lhs.month, lhs.day) > (rhs.year, rhs.month, rhs.day)
    }

    static func isValid(_ date: Recs_Common_V1_Date) -> Bool {
        guard (1...9999).contains(date.year), (1...12).contains(date.month), date.day >= 1 else { return false }
        let days: [Int32] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0
        let max = date.month == 2 && leap ? 29 : days[Int(date.month) - 1]
        return date.day <= max
    }
}
