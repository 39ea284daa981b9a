import Domain
import ProtoMessages

/// Conversions between the API's enums and messages, the domain's types and the text stored in
/// columns. Stored names are stable: they are data, not code.
enum IssuanceCodes {
    static func name(_ status: Recs_Issuance_V1_GenerationStatus) -> String {
        switch status {
        case .wregisPending: "wregis_pending"
        case .wregisAccepted: "wregis_accepted"
        case .accountHolderAccepted: "account_holder_accepted"
        case .accountHolderDisputed: "account_holder_disputed"
        case .administratorAccepted: "administrator_accepted"
        case .administratorDisputed: "administrator_disputed"
        case .administratorAdjusted: "administrator_adjusted"
        case .unspecified, .unrecognized: "unspecified"
        }
    }

    static func domain(_ status: Recs_Issuance_V1_GenerationStatus) -> PostedGenerationStatus? {
        switch status {
        case .wregisPending: .wregisPending
        case .wregisAccepted: .wregisAccepted
        case .accountHolderAccepted: .accountHolderAccepted
        case .accountHolderDisputed: .accountHolderDisputed
        case .administratorAccepted: .administratorAccepted
        case .administratorDisputed: .administratorDisputed
        case .administratorAdjusted: .administratorAdjusted
        case .unspecified, .unrecognized: nil
        }
    }

    /// Statuses whose energy the cycle turns into certificates: accepted by the account holder
    /// (actively, or by silence at the cycle, §12.3) or by the administrator. "WREGIS Pending" data
    /// earns nothing until reviewed (Appendix D §6.1); disputed data waits for a reload.
    static let issuableStatuses = ["wregis_accepted", "account_holder_accepted", "administrator_accepted", "administrator_adjusted"]

    static func name(_ outcome: Recs_Issuance_V1_UnitIssuanceOutcome) -> String {
        switch outcome {
        case .issued: "issued"
        case .belowOneMegawattHour: "below_one_megawatt_hour"
        case .unitNotEligible: "unit_not_eligible"
        case .fuelAllocationMissing: "fuel_allocation_missing"
        case .noAcceptedGeneration: "no_accepted_generation"
        case .unspecified, .unrecognized: "unspecified"
        }
    }

    static func outcome(_ name: String) -> Recs_Issuance_V1_UnitIssuanceOutcome {
        Recs_Issuance_V1_UnitIssuanceOutcome.allCases.first { self.name($0) == name } ?? .unspecified
    }

    static func domain(_ unitClass: Recs_Common_V1_GeneratingUnitClass) -> GeneratingUnitClass? {
        GeneratingUnitClass.allCases.first { proto($0) == unitClass }
    }

    static func proto(_ unitClass: GeneratingUnitClass) -> Recs_Common_V1_GeneratingUnitClass {
        switch unitClass {
        case .a: .a
        case .b: .b
        case .c: .c
        case .d: .d
        case .e: .e
        case .f: .f
        case .g: .g
        case .h: .h
        case .i: .i
        case .j: .j
        }
    }

    // MARK: Time

    /// Months since January of year 0: what `vintage_index` columns hold.
    static func index(_ vintage: Vintage) -> Int64 { Int64(vintage.year * 12 + vintage.month - 1) }

    static func proto(_ vintage: Vintage) -> Recs_Common_V1_Vintage {
        var proto = Recs_Common_V1_Vintage()
        proto.year = Int32(vintage.year)
        proto.month = Int32(vintage.month)
        return proto
    }

    static func domain(_ vintage: Recs_Common_V1_Vintage) throws(RuleViolation) -> Vintage {
        try Vintage(year: Int(vintage.year), month: Int(vintage.month))
    }

    static func proto(_ date: CalendarDate) -> Recs_Common_V1_Date {
        var proto = Recs_Common_V1_Date()
        proto.year = Int32(date.year)
        proto.month = Int32(date.month)
        proto.day = Int32(date.day)
        return proto
    }

    static func proto(_ period: GenerationPeriod) -> Recs_Common_V1_DateRange {
        var proto = Recs_Common_V1_DateRange()
        proto.begin = self.proto(period.begin)
        proto.end = self.proto(period.end)
        return proto
    }

    /// `YYYY-MM-DD`: sorts as the dates do.
    static func column(_ date: CalendarDate) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
    }

    static func date(column text: String) throws(RuleViolation) -> CalendarDate {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else {
            throw RuleViolation(.dateMalformed, "stored date \(text) is not YYYY-MM-DD", section: "issuance schema")
        }
        return try CalendarDate(year: parts[0], month: parts[1], day: parts[2])
    }

    static func energy(_ kilowattHours: Int64) -> Recs_Common_V1_MegawattHours {
        var proto = Recs_Common_V1_MegawattHours()
        proto.kilowattHours = kilowattHours
        return proto
    }

    static func timestamp(unixSeconds: Int64) -> Recs_Common_V1_Timestamp {
        var proto = Recs_Common_V1_Timestamp()
        proto.unixSeconds = unixSeconds
        return proto
    }
}
