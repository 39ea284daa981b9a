/// The state, provincial and voluntary programs tracked in the registry (Appendix C §4.1, Table 7),
/// with the layout of each program's eligibility extract (Tables 9 to 22).
public enum EligibilityProgram: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case alberta = "AB"
    case arizona = "AZ"
    case britishColumbia = "BC"
    case california = "CA"
    case colorado = "CO"
    case nevada = "NV"
    case newMexico = "NM"
    case montana = "MT"
    case texas = "TX"
    case washington = "WA"
    case oregon = "OR"
    case utah = "UT"
    case greenEEnergy = "GREENE"
    case ecologo = "ECOLOGO"
    case lowImpactHydro = "LIHYDRO"
    case sacramentoMunicipalUtilityDistrict = "SMUD"

    public var code: String { rawValue }

    public var description: String {
        switch self {
        case .alberta: "Alberta"
        case .arizona: "Arizona"
        case .britishColumbia: "British Columbia"
        case .california: "California"
        case .colorado: "Colorado"
        case .nevada: "Nevada"
        case .newMexico: "New Mexico"
        case .montana: "Montana"
        case .texas: "Texas"
        case .washington: "Washington"
        case .oregon: "Oregon"
        case .utah: "Utah"
        case .greenEEnergy: "Green-E Energy"
        case .ecologo: "Ecologo"
        case .lowImpactHydro: "Low Impact Hydro"
        case .sacramentoMunicipalUtilityDistrict: "Sacramento Municipal Utility District"
        }
    }

    /// One attribute column of a program extract.
    public enum Attribute: String, Sendable, Hashable, Codable {
        /// "Y" or "N": eligible for the program.
        case eligible
        /// Alphanumeric certification number.
        case certificationNumber
        /// MM/YYYY month after which the unit is no longer eligible.
        case goodThrough
        /// California: supplemental payment received, "Y" or "N".
        case supplementalPaymentReceived
        /// California: eligible for Supplemental Energy Payments, "Y" or "N".
        case supplementalEnergyPaymentEligible
        /// California: repowered per the RPS guidelines, "Y" or "N".
        case repowered
    }

    /// The columns after Program and UNITID, or nil when Appendix C defines no extract for the program
    /// (Utah and SMUD are tracked, Table 7, but have no extract table, so a file for them names
    /// attributes "not defined in WREGIS" and is rejected, Table 23).
    public var extractLayout: (hasFuelTypeColumn: Bool, attributes: [Attribute])? {
        switch self {
        case .california:
            (false, [.eligible, .certificationNumber, .goodThrough, .supplementalPaymentReceived,
                .supplementalEnergyPaymentEligible, .repowered])
        case .oregon:
            (true, [.eligible, .certificationNumber, .goodThrough])
        case .alberta, .arizona, .britishColumbia, .colorado, .nevada, .newMexico, .montana, .texas, .washington:
            (false, [.eligible, .certificationNumber, .goodThrough])
        case .greenEEnergy, .ecologo, .lowImpactHydro:
            (false, [.eligible, .certificationNumber])
        case .utah, .sacramentoMunicipalUtilityDistrict:
            nil
        }
    }

    /// Parses a Table 7 code; ASCII letters are case-insensitive. Only ASCII is upper-cased: Unicode
    /// case mapping read "lıhydro" (dotless ı) as LIHYDRO (issue 8; the program-extract fuzz target checks it).
    public init(code text: some StringProtocol) throws(RuleViolation) {
        guard let program = EligibilityProgram(rawValue: String(decoding: ASCII.canonicalBytes(text), as: UTF8.self)) else {
            throw RuleViolation(
                .programUnknown, "program \(ASCII.quoted(text)) is not tracked in the registry (Table 7)",
                section: Section.programValidations, field: "Program")
        }
        self = program
    }
}
