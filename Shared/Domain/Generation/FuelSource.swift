/// The fuel sources of Appendix B-2, each under its fuel type.
///
/// B-2 gives sources no codes, so the raw values are stable codes of our own; the descriptions are
/// B-2's. The "Other Eligible Criteria" column of B-2 is program eligibility, which program
/// administrators grant (Appendix C), so it is not modelled here.
public enum FuelSource: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    // Biogas
    case landfillGas = "landfill_gas"
    case digesterGases = "digester_gases"
    // Biomass-Black Liquor
    case biomassBlackLiquor = "biomass_black_liquor"
    // Biomass
    case agriculturalCrops = "agricultural_crops"
    case agriculturalWastesAndResidues = "agricultural_wastes_and_residues"
    case animalWastes = "animal_wastes"
    case aquaticPlants = "aquatic_plants"
    case biodiesel = "biodiesel"
    case biodieselBlend = "biodiesel_blend"
    case ethanolAndMethanolFromBiomass = "ethanol_and_methanol_from_biomass"
    case cookingOilFromBiomass = "cooking_oil_from_biomass"
    case blackLiquorFromBiomass = "black_liquor_from_biomass"
    case biomass = "biomass"
    case organicMaterialOrWastes = "organic_material_or_wastes"
    case recycledPaperFibers = "recycled_paper_fibers"
    case solidWasteMaterials = "solid_waste_materials"
    case woodAndWoodWastes = "wood_and_wood_wastes"
    // Conversion of Fuel from Natural Gas Pipeline
    case conversionOfFuelFromNaturalGasPipeline = "conversion_of_fuel_from_natural_gas_pipeline"
    // Fuel Cells
    case fuelCellsUsingFossilHydrogen = "fuel_cells_using_fossil_hydrogen"
    // Geothermal Energy
    case geothermalEnergy = "geothermal_energy"
    // Hydrogen
    case hydrogen = "hydrogen"
    // Hydroelectric Water
    case hydroelectricWater = "hydroelectric_water"
    case conduitHydroelectric = "conduit_hydroelectric"
    // Municipal Solid Waste
    case municipalSolidWaste = "municipal_solid_waste"
    // Non-renewable fuels of multi-fuel generators
    case naturalGas = "natural_gas"
    case diesel = "diesel"
    case coal = "coal"
    case jetFuel = "jet_fuel"
    case oil = "oil"
    case nuclear = "nuclear"
    case largeHydro = "large_hydro"
    case petroleumCoke = "petroleum_coke"
    case pumpedStorage = "pumped_storage"
    case tireDerivedFuel = "tire_derived_fuel"
    case wasteOil = "waste_oil"
    // Natural Gas (CEC Renewable)
    case fossilFuelCaliforniaEnergyCommissionRenewable = "fossil_fuel_cec_renewable"
    // Ocean, Solar, Wind, Alternate Use
    case ocean = "ocean"
    case solar = "solar"
    case wind = "wind"
    case alternateUse = "alternate_use"

    public var code: String { rawValue }

    public var fuelType: FuelType {
        switch self {
        case .landfillGas, .digesterGases: .biogas
        case .biomassBlackLiquor: .biomassBlackLiquor
        case .agriculturalCrops, .agriculturalWastesAndResidues, .animalWastes, .aquaticPlants, .biodiesel,
            .biodieselBlend, .ethanolAndMethanolFromBiomass, .cookingOilFromBiomass, .blackLiquorFromBiomass,
            .biomass, .organicMaterialOrWastes, .recycledPaperFibers, .solidWasteMaterials, .woodAndWoodWastes:
            .biomass
        case .conversionOfFuelFromNaturalGasPipeline: .conversionOfFuelFromNaturalGasPipeline
        case .fuelCellsUsingFossilHydrogen: .fuelCellsUsingFossilHydrogen
        case .geothermalEnergy: .geothermalEnergy
        case .hydrogen: .hydrogen
        case .hydroelectricWater, .conduitHydroelectric: .hydroelectricWater
        case .municipalSolidWaste: .municipalSolidWaste
        case .naturalGas: .naturalGas
        case .diesel: .diesel
        case .coal: .coal
        case .jetFuel: .jetFuel
        case .oil: .oil
        case .nuclear: .nuclear
        case .largeHydro: .largeHydro
        case .petroleumCoke: .petroleumCoke
        case .pumpedStorage: .pumpedStorage
        case .tireDerivedFuel: .tireDerivedFuel
        case .wasteOil: .wasteOil
        case .fossilFuelCaliforniaEnergyCommissionRenewable: .naturalGasCaliforniaEnergyCommissionRenewable
        case .ocean: .ocean
        case .solar: .solar
        case .wind: .wind
        case .alternateUse: .alternateUse
        }
    }

    public var isRenewable: Bool { fuelType.isRenewable }

    /// B-2: the non-renewable category "is only available to multi-fuel generators".
    public var requiresMultiFuelUnit: Bool { !isRenewable }

    /// The source's name in Appendix B-2.
    public var description: String {
        switch self {
        case .landfillGas: "Landfill Gas"
        case .digesterGases: "Digester Gases"
        case .biomassBlackLiquor: "Biomass-Black Liquor"
        case .agriculturalCrops: "Agricultural Crops"
        case .agriculturalWastesAndResidues: "Agricultural Wastes and Residues"
        case .animalWastes: "Animal Wastes and products of animal wastes"
        case .aquaticPlants: "Aquatic Plants"
        case .biodiesel: "Biodiesel"
        case .biodieselBlend: "Biodiesel Blend containing no more than 25% fossil fuel"
        case .ethanolAndMethanolFromBiomass: "Inter alia ethanol and methanol derived from biomass"
        case .cookingOilFromBiomass: "Cooking oil derived from biomass"
        case .blackLiquorFromBiomass: "Black liquor derived from biomass"
        case .biomass: "Biomass"
        case .organicMaterialOrWastes: "Organic material or wastes"
        case .recycledPaperFibers: "Recycled paper fibers that are no longer suitable for recycled paper production"
        case .solidWasteMaterials: "Solid waste materials"
        case .woodAndWoodWastes: "Wood and Wood Wastes"
        case .conversionOfFuelFromNaturalGasPipeline: "Conversion of Fuel from Natural Gas Pipeline"
        case .fuelCellsUsingFossilHydrogen: "Fuel Cells using Hydrogen derived from Fossil Fuels"
        case .geothermalEnergy: "Geothermal Energy"
        case .hydrogen: "Hydrogen"
        case .hydroelectricWater: "Hydroelectric Water"
        case .conduitHydroelectric: "Conduit hydroelectric"
        case .municipalSolidWaste: "Municipal Solid Waste"
        case .naturalGas: "Natural Gas"
        case .diesel: "Diesel"
        case .coal: "Coal"
        case .jetFuel: "Jet fuel"
        case .oil: "Oil"
        case .nuclear: "Nuclear"
        case .largeHydro: "Large Hydro not meant for certificate creation"
        case .petroleumCoke: "Petroleum Coke (petcoke)"
        case .pumpedStorage: "Pumped Storage not meant for certificate creation"
        case .tireDerivedFuel: "Tire-derived fuel"
        case .wasteOil: "Waste Oil"
        case .fossilFuelCaliforniaEnergyCommissionRenewable: "Fossil Fuel (CEC Renewable)"
        case .ocean: "Ocean"
        case .solar: "Solar"
        case .wind: "Wind"
        case .alternateUse: "Alternate Use"
        }
    }
}
