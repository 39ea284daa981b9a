import Testing

@testable import Domain

@Suite("Fuel types (Appendix C Table 8) and fuel sources (Appendix B-2)")
struct FuelTests {
    static let table8: [(String, String)] = [
        ("ALT", "Alternate Use"), ("BBL", "Biomass-Black Liquor"), ("BIG", "Biogas"), ("BIM", "Biomass"), ("CO1", "Coal"),
        ("CON", "Conversion of Fuel from Natural Gas Pipeline"), ("DI1", "Diesel"),
        ("FC1", "Fuel Cells using Hydrogen derived from Fossil Fuels"), ("GE1", "Geothermal Energy"),
        ("H2O", "Hydroelectric Water"), ("HYD", "Hydrogen"), ("JET", "Jet Fuel"),
        ("LHN", "Large Hydro not meant for certificate creation"), ("MS1", "Municipal solid waste"), ("NG1", "Natural Gas"),
        ("NG (CEC)", "Natural Gas (CEC Renewable)"), ("NU1", "Nuclear"), ("PKC", "Petroleum coke (petcoke)"),
        ("PSN", "Pumped Storage not meant for certificate creation"), ("OC1", "Ocean"), ("OIL", "Oil"), ("SO1", "Solar"),
        ("TDF", "Tire-derived fuel"), ("WND", "Wind"), ("WO1", "Waste Oil"),
    ]

    @Test("Appendix C Table 8: every code with its description", arguments: table8)
    func table8Codes(code: String, description: String) throws {
        let fuelType = try FuelType(code: code)
        #expect(fuelType.code == code)
        #expect(fuelType.description == description)
    }

    @Test("Appendix C Table 8: exactly the 25 fuel types of the table")
    func table8Complete() {
        #expect(Set(FuelType.allCases.map(\.code)) == Set(Self.table8.map(\.0)))
    }

    @Test("Appendix B-2 / Operating Rules §9.8.2: the non-renewable fuels of multi-fuel generators earn no certificates")
    func renewable() {
        let nonRenewable: Set<String> = ["NG1", "DI1", "CO1", "JET", "OIL", "NU1", "LHN", "PKC", "PSN", "TDF", "WO1"]
        for fuelType in FuelType.allCases {
            #expect(fuelType.isRenewable == !nonRenewable.contains(fuelType.code), "\(fuelType.code)")
        }
    }

    @Test("Appendix C Table 8: codes are case-insensitive; unknown codes are refused", arguments: ["so1", "wnd", "ng (cec)"])
    func codeCase(code: String) throws {
        #expect(try FuelType(code: code).code == code.uppercased())
    }

    @Test("Appendix C Table 8: unknown fuel type codes", arguments: ["", "SOL", "NG", "WND ", "XYZ"])
    func unknownCode(code: String) {
        #expect(violation { () throws(RuleViolation) in try FuelType(code: code) }?.code == .fuelTypeUnknown)
    }

    @Test("Appendix B-2: every fuel type has at least one fuel source")
    func everyTypeHasSources() {
        for fuelType in FuelType.allCases { #expect(!fuelType.sources.isEmpty, "\(fuelType.code)") }
    }

    @Test(
        "Appendix B-2: sources sit under their fuel type",
        arguments: [
            (FuelSource.landfillGas, FuelType.biogas), (.digesterGases, .biogas), (.woodAndWoodWastes, .biomass),
            (.biodieselBlend, .biomass), (.conduitHydroelectric, .hydroelectricWater), (.naturalGas, .naturalGas),
            (.tireDerivedFuel, .tireDerivedFuel), (.fossilFuelCaliforniaEnergyCommissionRenewable, .naturalGasCaliforniaEnergyCommissionRenewable),
            (.solar, .solar), (.wind, .wind), (.alternateUse, .alternateUse),
        ])
    func sourceType(source: FuelSource, fuelType: FuelType) {
        #expect(source.fuelType == fuelType)
        #expect(fuelType.sources.contains(source))
    }

    @Test("Appendix B-2: non-renewable sources are only for multi-fuel units; codes are unique")
    func sourceFlags() {
        #expect(FuelSource.naturalGas.requiresMultiFuelUnit && !FuelSource.naturalGas.isRenewable)
        #expect(!FuelSource.landfillGas.requiresMultiFuelUnit && FuelSource.landfillGas.isRenewable)
        #expect(FuelType.biomass.sources.count == 14)
        #expect(Set(FuelSource.allCases.map(\.code)).count == FuelSource.allCases.count)
        #expect(Set(FuelSource.allCases.map(\.description)).count == FuelSource.allCases.count)
    }
}
