/// The fuel types of the registry, with their codes (Appendix C §4.1, Table 8).
///
/// Whether a type is renewable follows Appendix B-2: the fuel types listed under "Non-renewable fuels
/// of multi-fuel generators" are not renewable and never earn certificates (§9.8.2, §12.1); every
/// other type is listed by B-2 as a renewable fuel type in its own right, which includes "Fuel Cells
/// using Hydrogen derived from Fossil Fuels" and "Natural Gas (CEC Renewable)".
public enum FuelType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case alternateUse = "ALT"
    case biomassBlackLiquor = "BBL"
    case biogas = "BIG"
    case biomass = "BIM"
    case coal = "CO1"
    case conversionOfFuelFromNaturalGasPipeline = "CON"
    case diesel = "DI1"
    case fuelCellsUsingFossilHydrogen = "FC1"
    case geothermalEnergy = "GE1"
    case hydroelectricWater = "H2O"
    case hydrogen = "HYD"
    case jetFuel = "JET"
    case largeHydro = "LHN"
    case municipalSolidWaste = "MS1"
    case naturalGas = "NG1"
    case naturalGasCaliforniaEnergyCommissionRenewable = "NG (CEC)"
    case nuclear = "NU1"
    case petroleumCoke = "PKC"
    case pumpedStorage = "PSN"
    case ocean = "OC1"
    case oil = "OIL"
    case solar = "SO1"
    case tireDerivedFuel = "TDF"
    case wind = "WND"
    case wasteOil = "WO1"

    /// Parses a Table 8 code; ASCII letters are case-insensitive. Only ASCII is upper-cased: Unicode
    /// case mapping read "ſo1" (long s) as SO1 (issue 8; the program-extract fuzz target checks it).
    public init(code text: some StringProtocol) throws(RuleViolation) {
        let canonical = String(decoding: ASCII.canonicalBytes(text), as: UTF8.self)
        guard let fuelType = FuelType(rawValue: canonical) else {
            throw RuleViolation(
                .fuelTypeUnknown, "fuel type code \(ASCII.quoted(text)) is not in Table 8", section: Section.fuelTypes)
        }
        self = fuelType
    }

    public var code: String { rawValue }

    /// The description of Table 8.
    public var description: String {
        switch self {
        case .alternateUse: "Alternate Use"
        case .biomassBlackLiquor: "Biomass-Black Liquor"
        case .biogas: "Biogas"
        case .biomass: "Biomass"
        case .coal: "Coal"
        case .conversionOfFuelFromNaturalGasPipeline: "Conversion of Fuel from Natural Gas Pipeline"
        case .diesel: "Diesel"
        case .fuelCellsUsingFossilHydrogen: "Fuel Cells using Hydrogen derived from Fossil Fuels"
        case .geothermalEnergy: "Geothermal Energy"
        case .hydroelectricWater: "Hydroelectric Water"
        case .hydrogen: "Hydrogen"
        case .jetFuel: "Jet Fuel"
        case .largeHydro: "Large Hydro not meant for certificate creation"
        case .municipalSolidWaste: "Municipal solid waste"
        case .naturalGas: "Natural Gas"
        case .naturalGasCaliforniaEnergyCommissionRenewable: "Natural Gas (CEC Renewable)"
        case .nuclear: "Nuclear"
        case .petroleumCoke: "Petroleum coke (petcoke)"
        case .pumpedStorage: "Pumped Storage not meant for certificate creation"
        case .ocean: "Ocean"
        case .oil: "Oil"
        case .solar: "Solar"
        case .tireDerivedFuel: "Tire-derived fuel"
        case .wind: "Wind"
        case .wasteOil: "Waste Oil"
        }
    }

    /// Whether generation from this fuel earns certificates (Operating Rules §9.8.2, §12.1; Appendix B-2).
    public var isRenewable: Bool {
        switch self {
        case .coal, .diesel, .jetFuel, .largeHydro, .naturalGas, .nuclear, .petroleumCoke, .pumpedStorage, .oil,
            .tireDerivedFuel, .wasteOil:
            false
        default:
            true
        }
    }

    /// The fuel sources that may be registered with this type (Appendix B-2).
    public var sources: [FuelSource] { FuelSource.allCases.filter { $0.fuelType == self } }
}
