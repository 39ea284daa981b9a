import ArgumentParser
import ProtoMessages

// Arguments checked before any call, so a typo is a usage error (exit 64) with a message saying
// what is expected rather than a round trip. The services check them again (and more): these
// checks only look at the syntax.

/// Parsers for `@Argument(transform:)` / `@Option(transform:)`: a thrown `ValidationError`
/// becomes a usage error naming the argument, with this message.
enum Parse {
    /// A serial range `unit-state-batch-first-last` (ADR 0002), e.g. `99999-CA-12-1-100`; a single
    /// certificate is `n-n`. The proto message carries `text` only: the service parses it and fills
    /// in the components.
    static func serialRange(_ text: String) throws -> Recs_Common_V1_SerialRange {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let usage = "serial range \"\(text)\" is not unit-state-batch-first-last, e.g. 99999-CA-12-1-100"
        guard parts.count == 5 else { throw ValidationError(usage) }
        let (unit, state) = (parts[0], parts[1])
        let unitLetters = unit.prefix { $0.isASCII && $0.isLetter }
        let unitDigits = unit.dropFirst(unitLetters.count)
        guard unitLetters.count <= 3, (1...9).contains(unitDigits.count), unitDigits.allSatisfy(\.isASCIIDigit),
            state.count == 2, state.allSatisfy({ $0.isASCII && $0.isLetter }),
            let batch = positive(parts[2]), let first = positive(parts[3]), let last = positive(parts[4])
        else { throw ValidationError(usage) }
        guard first <= last else {
            throw ValidationError("serial range \"\(text)\": the first certificate \(first) is after the last \(last)")
        }
        var range = Recs_Common_V1_SerialRange()
        range.text = "\(unit.uppercased())-\(state.uppercased())-\(batch)-\(first)-\(last)"
        return range
    }

    /// A vintage month written `MM/YYYY` as in generation files (Appendix D Table 25).
    static func vintage(_ text: String) throws -> Recs_Common_V1_Vintage {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 4,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let month = Int32(parts[0]), let year = Int32(parts[1]), (1...12).contains(month), year >= 1000
        else { throw ValidationError("vintage \"\(text)\" is not MM/YYYY, e.g. 03/2026") }
        var vintage = Recs_Common_V1_Vintage()
        (vintage.month, vintage.year) = (month, year)
        return vintage
    }

    /// A calendar day written `YYYY-MM-DD`.
    static func date(_ text: String) throws -> Recs_Common_V1_Date {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int32(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
            year >= 1000, (1...12).contains(month), (1...days(inMonth: month, year: year)).contains(day)
        else { throw ValidationError("date \"\(text)\" is not a day written YYYY-MM-DD") }
        var date = Recs_Common_V1_Date()
        (date.year, date.month, date.day) = (year, month, day)
        return date
    }

    private static func days(inMonth month: Int32, year: Int32) -> Int32 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func positive(_ text: String) -> Int64? {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = Int64(text), value >= 1 else { return nil }
        return value
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// `--type` of `recs org create`.
enum OrganizationTypeArgument: String, CaseIterable, ExpressibleByArgument {
    case accountHolder = "account-holder"
    case qre
    case programAdministrator = "program-administrator"
    case registryAdministrator = "registry-administrator"

    var proto: Recs_Common_V1_OrganizationType {
        switch self {
        case .accountHolder: .accountHolder
        case .qre: .qualifiedReportingEntity
        case .programAdministrator: .programAdministrator
        case .registryAdministrator: .registryAdministrator
        }
    }
}

/// `--category` of `recs retire`.
enum RetirementCategoryArgument: String, CaseIterable, ExpressibleByArgument {
    case program, voluntary, other

    var proto: Recs_Common_V1_RetirementReasonCategory {
        switch self {
        case .program: .program
        case .voluntary: .voluntaryMarketActivity
        case .other: .other
        }
    }
}

/// `--level` of `recs user create|set-access` (§7.1; the one Manager is named with set-manager).
enum AccessLevelArgument: String, CaseIterable, ExpressibleByArgument {
    case supervisor, maintenance
    case viewOnly = "view-only"

    var proto: Recs_Registry_V1_AccessLevel {
        switch self {
        case .supervisor: .supervisor
        case .maintenance: .maintenance
        case .viewOnly: .viewOnly
        }
    }
}

extension Parse {
    /// A permission grant `generation|certificate[:UNIT or SUBACCOUNT id]` (§7, §7.3): without an
    /// id it covers the account; a subaccount id has 13 characters with a dash, a unit id does not.
    static func grant(_ text: String) throws -> Recs_Registry_V1_PermissionGrant {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        var grant = Recs_Registry_V1_PermissionGrant()
        switch parts.first {
        case "generation": grant.permission = .generationManagement
        case "certificate": grant.permission = .certificateManagement
        default:
            throw ValidationError("permission \"\(text)\" is not generation|certificate[:unit or subaccount id]")
        }
        if parts.count == 2 {
            if parts[1].count == 13, parts[1].contains("-") { grant.subaccountId = parts[1] } else { grant.generatingUnitId = parts[1] }
        }
        return grant
    }
}
