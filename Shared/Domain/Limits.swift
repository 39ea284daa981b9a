import Foundation

/// Every limit of the domain in one place, each named with its unit last.
///
/// Limits that come from the rules cite them; the others are ours and exist so that no input can
/// make the registry do unbounded work.
public enum Limits {
    // MARK: Mass Certificate Transfer (MCT Data File Specifications)

    /// "has a line limit of 1,000 per file"; we count transfer lines, not the header.
    public static let mctLinesMax = 1_000
    /// "Character Limit: 50" for the notes field.
    public static let mctNotesCharactersMax = 50

    // MARK: Requests and feeds (ours; every request field's limit is in RequestLimits)

    /// A request id: 1 to 128 printable ASCII characters (docs/API.md, idempotency rule 1).
    public static let requestIDCharactersMax = 128
    /// Encoded events in one `ListEvents` page (always at least one): far under the 4 MiB message
    /// limit, so no event, however large, makes a page unreadable (issue 8).
    public static let feedPageBytesMax = 1_024 * 1_024
    /// Items on one page of any other paged list (an upload's records, a cycle's units, a look-up's
    /// parts; always at least one): like a feed page, far under the 4 MiB message limit of default
    /// gRPC clients whatever the items' size (issue 8).
    public static let listPageBytesMax = 1_024 * 1_024
    /// Items on a page when the request does not say (`page_size` 0), and the most it may ask for.
    public static let pageSizeDefault = 100
    public static let pageSizeMax = 1_000

    // MARK: Transfers and exports

    /// Unanswered one-time transfers expire (Operating Rules §15.2), as do forward transfers (§15.5)
    /// and standing order instances (§15.4).
    public static let transferExpiryDays = 14
    /// Unanswered exports expire and the certificates return to Active (Operating Rules §17.1).
    public static let exportExpiryDays = 14

    // MARK: Administrator withdrawals

    /// Retired no more than 12 months before the withdrawal request (Operating Rules §16.2).
    public static let retirementWithdrawalMonthsMax = 12
    /// Reserved no more than 3 months before the withdrawal request (Operating Rules §18.3).
    public static let reserveWithdrawalMonthsMax = 3

    /// Free text accompanying a retirement (§16.1) or reserve (§18.1) reason. The rules set no limit;
    /// this one keeps records bounded.
    public static let reasonDetailsCharactersMax = 500

    // MARK: Generation data (Appendix D)

    /// Margin on the engineering estimate of maximum production (Appendix D §6.1).
    public static let feasibilityTolerance = Decimal(102) / Decimal(100)
    /// Reporting entities report within 75 days of the end of the generation month (§12.3, §24.5.1).
    public static let reportingWindowDays = 75
    /// Prior period adjustments only within two years after the generation month (§9.4.2).
    public static let priorPeriodAdjustmentYearsMax = 2
    /// UNITID is Varchar(50) in the generation extract (Appendix D §5.1, Table 25).
    public static let reportingEntityUnitIDCharactersMax = 50
    /// Generation is tracked to the kWh: the Generation Activity Log carries fractions of a MWh as kWh
    /// (§12.6), so MWh values have at most three decimals.
    public static let energyFractionDigitsMax = 3
    /// No single record may claim more than this; far above any generating unit's monthly output,
    /// it keeps arithmetic on reported values far from overflow.
    public static let generationRecordMegawattHoursMax: Int64 = 100_000_000

    // MARK: Generating unit classes (Table 9-1)

    /// Wholesale units at or below this nameplate capacity are Class C, D, F or G.
    public static let smallWholesaleCapacityKilowattsMax = 125
    /// Customer-sited units at or below this nameplate capacity are Class I or J.
    public static let smallCustomerSitedCapacityKilowattsMax = 360
    /// Customer-sited units technically capable of no more than this per year are Class J.
    public static let classJAnnualProductionMegawattHoursMax = 30

    // MARK: Program extract (Appendix C)

    /// Attributes are Char(10) (Appendix C §4.1, Tables 9 to 22).
    public static let programAttributeCharactersMax = 10

    // MARK: Identifiers and serial numbers

    /// Organization ids are "A" followed by a one to four digit number (MCT).
    public static let organizationNumberDigitsMax = 4
    /// Digits in the letters-and-digits WREGIS generating unit id, after its letter prefix.
    public static let generatingUnitDigitsMax = 9
    /// Letters allowed before the digits of a generating unit id ("W1234").
    public static let generatingUnitPrefixLettersMax = 3
    /// Digits in a batch number or in a certificate number; 12 digits keep every value and every
    /// quantity far inside Int64.
    public static let serialComponentDigitsMax = 12

    // MARK: Uploaded files (ours)

    /// Largest upload accepted, checked before any parsing.
    public static let uploadBytesMax = 8 * 1_024 * 1_024
    /// Longest single field; no field of any format comes near it.
    public static let fieldBytesMax = 1_024
    /// Most records in one generation extract.
    public static let generationExtractRecordsMax = 100_000
    /// Most records in one program extract.
    public static let programExtractRecordsMax = 100_000
}
