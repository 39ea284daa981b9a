import Domain
import GRPCWire
import ProtoMessages

/// A generating unit's static data (Appendix B-1), as registration checks it.
extension RegistryRules {
    /// Validates the static data with the domain (§4, §5.3, §12.5, Appendix B-1, B-2, Table 8,
    /// Table 9-1), canonicalizes its codes and returns the derived class.
    static func validate(_ data: inout Recs_Registry_V1_GeneratingUnitStaticData) throws -> GeneratingUnitClass {
        try checkName(data.name, field: "static_data.name", section: "Operating Rules §5.3; Appendix B-1")
        let state = try parse(field: "static_data.state_or_province") { () throws(RuleViolation) in
            try StateOrProvinceCode(parsing: data.stateOrProvince)
        }
        data.stateOrProvince = state.description
        guard !data.fuels.isEmpty else {
            throw invalidFuel("static_data.fuels", "at least one fuel type is required", code: .valueMissing)
        }
        var fuelTypes: [FuelType] = []
        var sources: [FuelSource] = []
        for index in data.fuels.indices {
            let fuelType = try parse(field: "static_data.fuels[\(index)].fuel_type_code") { () throws(RuleViolation) in
                try FuelType(code: data.fuels[index].fuelTypeCode)
            }
            data.fuels[index].fuelTypeCode = fuelType.code
            fuelTypes.append(fuelType)
            guard !data.fuels[index].fuelSourceCodes.isEmpty else {
                throw invalidFuel(
                    "static_data.fuels[\(index)].fuel_source_codes", "at least one fuel source of \(fuelType.code) is required",
                    code: .valueMissing)
            }
            for (sourceIndex, code) in data.fuels[index].fuelSourceCodes.enumerated() {
                let field = "static_data.fuels[\(index)].fuel_source_codes[\(sourceIndex)]"
                guard let source = FuelSource(rawValue: code.lowercased()) else {
                    throw invalidFuel(field, "fuel source code \"\(code)\" is not in Appendix B-2", code: .fuelTypeUnknown)
                }
                guard source.fuelType == fuelType else {
                    throw invalidFuel(field, "fuel source \(source.code) is not a source of fuel type \(fuelType.code)", code: .fuelTypeUnknown)
                }
                data.fuels[index].fuelSourceCodes[sourceIndex] = source.code
                sources.append(source)
            }
        }
        if Set(fuelTypes).count != fuelTypes.count {
            throw invalidFuel("static_data.fuels", "a fuel type is listed twice", code: .fuelTypeUnknown)
        }
        let capacity = try parse(field: "static_data.nameplate_capacity_watts") { () throws(RuleViolation) in
            try Capacity(watts: data.nameplateCapacityWatts)
        }
        _ = try parse(field: "static_data.capacity_factor_parts_per_million") { () throws(RuleViolation) in
            try CapacityFactor(partsPerMillion: data.capacityFactorPartsPerMillion)
        }
        if let commenced = data.commencedOperationOn, !isValid(commenced) {
            throw RegistryErrors.invalid(
                "static_data.commenced_operation_on", "is not a calendar date", section: "Operating Rules §5.3", code: .dateMalformed)
        }
        guard let classification = data.classification else {
            throw RegistryErrors.invalid(
                "static_data.classification", "the Table 9-1 characteristics are required", section: "Operating Rules §9.1, Table 9-1")
        }
        let siting: GeneratingUnitClass.Siting
        switch classification.siting {
        case .wholesale: siting = .wholesale
        case .wholesaleAlsoServingOnSiteLoad: siting = .wholesaleAlsoServingOnSiteLoad
        case .customerSitedDistributedGeneration: siting = .customerSitedDistributedGeneration
        case .unspecified, .unrecognized:
            guard classification.reportedToBalancingAuthorityUnitByUnit else {
                throw RegistryErrors.invalid(
                    "static_data.classification.siting", "is required unless reported to a Balancing Authority unit by unit",
                    section: "Operating Rules §9.1, Table 9-1")
            }
            siting = .wholesale
        }
        let production = MegawattHours(kilowattHours: classification.technicallyPossibleAnnualProduction?.kilowattHours ?? 0)
        if production.isNegative {
            throw RegistryErrors.invalid(
                "static_data.classification.technically_possible_annual_production", "must not be negative",
                section: "Operating Rules §9.1, Table 9-1", code: .energyMalformed)
        }

        // State-dependent rules come after every field is known to be well formed.
        if !state.mayHostGeneratingUnits {
            throw RegistryErrors.failedPrecondition(
                "static_data.state_or_province: \(state) is outside the Western Interconnection and not a bisected state (Operating Rules §4, §12.5)",
                reason: "LOCATION_OUTSIDE_WESTERN_INTERCONNECTION")
        }
        if fuelTypes.count > 1, !data.multiFuel {
            throw RegistryErrors.failedPrecondition(
                "static_data.multi_fuel: more than one fuel type requires the multi-fuel indicator (Appendix B-1)",
                reason: "MULTI_FUEL_NOT_DECLARED")
        }
        if !data.multiFuel, let source = sources.first(where: \.requiresMultiFuelUnit) {
            throw RegistryErrors.failedPrecondition(
                "static_data.fuels: non-renewable fuel source \(source.code) only on a multi-fuel unit (Appendix B-2)",
                reason: "NON_RENEWABLE_SOURCE_ON_SINGLE_FUEL_UNIT")
        }
        return GeneratingUnitClass.classify(
            GeneratingUnitClass.Characteristics(
                reportedToBalancingAuthorityUnitByUnit: classification.reportedToBalancingAuthorityUnitByUnit, siting: siting,
                nameplateCapacity: capacity,
                contractAllowsReadingLessOftenThanMonthly: classification.contractAllowsReadingLessOftenThanMonthly,
                technicallyPossibleAnnualProduction: production))
    }

    static func invalidFuel(_ field: String, _ message: String, code: RuleViolation.Code) -> RPCError {
        RegistryErrors.invalid(field, message, section: "Appendix C §4.1, Table 8; Appendix B-2", code: code)
    }
}
