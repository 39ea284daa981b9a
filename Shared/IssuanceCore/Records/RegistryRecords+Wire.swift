import Domain
import ProtoMessages
import ServiceKit

/// The edge between the registry's feed and issuance's records (ADR 0010): a registry message is
/// mapped into issuance's record when it arrives, and never stored.
extension UnitRecord {
    init(registry unit: Recs_Registry_V1_GeneratingUnit) {
        id = unit.generatingUnitId
        organizationID = unit.organizationId
        status = Status(registry: unit.status)
        unitClass = IssuanceCodes.domain(unit.unitClass)
        depositSubaccountID = unit.depositSubaccountId
        if let designation = unit.reportingEntity {
            reportingEntity = ReportingEntity(
                type: designation.type.rawValue, organizationID: designation.reportingEntityOrganizationId,
                unitID: designation.reportingEntityUnitId)
        }
        let data = unit.staticData ?? Recs_Registry_V1_GeneratingUnitStaticData()
        facility = Facility(registry: data)
        fuels = data.fuels.map { Fuel(typeCode: $0.fuelTypeCode, sourceCodes: $0.fuelSourceCodes) }
        verifiedEligibilities = unit.eligibilities.filter(\.verified).map(Eligibility.init(registry:))
    }
}

extension UnitRecord.Status {
    init(registry status: Recs_Registry_V1_GeneratingUnitStatus) {
        switch status {
        case .registered: self = .registered
        case .approved: self = .approved
        case .inactive: self = .inactive
        case .suspended: self = .suspended
        case .terminated: self = .terminated
        case .unspecified, .unrecognized: self = .unspecified
        }
    }
}

extension UnitRecord.Facility {
    init(registry data: Recs_Registry_V1_GeneratingUnitStaticData) {
        name = data.name
        facilityName = data.facilityName
        facilityCounty = data.facilityCounty
        stateOrProvince = data.stateOrProvince
        country = data.country
        multiFuel = data.multiFuel
        generationTechnology = data.generationTechnology
        commencedOperationOn = data.commencedOperationOn.map(StoredDate.init)
        nameplateCapacityWatts = data.nameplateCapacityWatts
        capacityFactorPartsPerMillion = data.capacityFactorPartsPerMillion
        facilityOperator = data.facilityOperator
        customerSitedDistributedGeneration = data.classification?.siting == .customerSitedDistributedGeneration
        weccRegionDeclared = data.weccRegionDeclared
        interconnectingUtility = data.interconnectingUtility
        qualifyingFacility = data.qualifyingFacility
        ownershipTypes = data.ownershipTypes.map(\.rawValue)
        californiaSupplementalPaymentReceived = data.californiaSupplementalPaymentReceived
        publicBenefitFundSupport = data.publicBenefitFundSupport
        federalTaxCredits = data.federalTaxCredits.rawValue
        repowered = data.repowered.rawValue
        repoweredOn = data.repoweredOn.map(StoredDate.init)
        californiaQualifyingFacilityClaimsNonRenewable = data.californiaQualifyingFacilityClaimsNonRenewable.rawValue
    }
}

extension UnitRecord.Eligibility {
    init(registry eligibility: Recs_Common_V1_ProgramEligibility) {
        programCode = eligibility.programCode
        fuelTypeCode = eligibility.fuelTypeCode
        eligible = eligibility.eligible
        certificationNumber = eligibility.certificationNumber
        goodThrough = eligibility.goodThrough.map { UnitRecord.Month(year: $0.year, month: $0.month) }
        supplementalPaymentReceived = eligibility.supplementalPaymentReceived.rawValue
        supplementalEnergyPaymentEligible = eligibility.supplementalEnergyPaymentEligible.rawValue
        repowered = eligibility.repowered.rawValue
        effectiveAtUnixSeconds = eligibility.effectiveAt?.unixSeconds
    }

    /// As stamped on a certificate (only verified eligibility is kept).
    var stamped: CertificateFieldsRecord.Eligibility {
        var stamped = CertificateFieldsRecord.Eligibility()
        stamped.programCode = programCode
        stamped.fuelTypeCode = fuelTypeCode
        stamped.eligible = eligible
        stamped.certificationNumber = certificationNumber
        stamped.goodThrough = goodThrough.map { CertificateFieldsRecord.Month(year: $0.year, month: $0.month) }
        stamped.supplementalPaymentReceived = supplementalPaymentReceived
        stamped.supplementalEnergyPaymentEligible = supplementalEnergyPaymentEligible
        stamped.repowered = repowered
        stamped.verified = true
        stamped.effectiveAtUnixSeconds = effectiveAtUnixSeconds
        return stamped
    }
}

extension OrganizationRecord {
    init(registry organization: Recs_Registry_V1_Organization) {
        id = organization.organizationId
        switch organization.type {
        case .accountHolder: kind = .accountHolder
        case .qualifiedReportingEntity: kind = .qualifiedReportingEntity
        case .programAdministrator: kind = .programAdministrator
        case .registryAdministrator: kind = .registryAdministrator
        case .unspecified, .unrecognized: kind = .unspecified
        }
        switch organization.status {
        case .active: status = .active
        case .inactive: status = .inactive
        case .terminated: status = .terminated
        case .unspecified, .unrecognized: status = .unspecified
        }
    }
}
