import ProtoMessages
import ServiceKit

/// Certificate fields for the storage tests of the services that keep batches (ADR 0010).
public enum CertificateFieldsFixtures {
    static func date(_ year: Int32, _ month: Int32, _ day: Int32) -> Recs_Common_V1_Date { StoredDate(year: year, month: month, day: day).proto }

    static func month(_ year: Int32, _ month: Int32) -> Recs_Common_V1_Vintage { CertificateFieldsRecord.Month(year: year, month: month).wire }

    /// Every field of `CertificateAttributes` set away from its default, every optional message
    /// present, and enum numbers this version does not name (they pass through): a field lost or
    /// misread on the way to storage and back shows.
    public static func everyField(unit: String, state: String) -> Recs_Common_V1_CertificateAttributes {
        var attributes = Recs_Common_V1_CertificateAttributes()
        attributes.generatingUnitId = unit
        attributes.generatingUnitName = "Unit \(unit)"
        attributes.facilityName = "Facility \(unit)"
        attributes.facilityCounty = "Kern"
        attributes.stateOrProvince = state
        attributes.country = "US"
        attributes.multiFuel = true
        attributes.generationTechnology = "Wind turbine"
        attributes.fuelTypeCode = "WND"
        attributes.fuelSourceCodes = ["WND1", "WND2"]
        attributes.commencedOperationOn = date(2020, 6, 1)
        attributes.nameplateCapacityWatts = 2_000_000
        attributes.facilityOperator = "Sunny Ops"
        attributes.customerSitedDistributedGeneration = true
        attributes.reportingEntityType = .qualifiedReportingEntity
        attributes.reportingEntityName = "Western QRE"
        attributes.weccRegionDeclared = true
        attributes.interconnectingUtility = "PG&E"
        attributes.qualifyingFacility = true
        attributes.ownershipTypes = [.investorOwnedUtility, .tribalOrganization, .init(rawValue: 99)]
        attributes.californiaSupplementalPaymentReceived = true
        attributes.publicBenefitFundSupport = true
        attributes.federalTaxCredits = .yes
        attributes.fercHydroLicense = .fercHydroLicenseDate(date(2011, 2, 3))
        attributes.repowered = .yes
        attributes.repoweredOn = date(2019, 12, 31)
        var california = Recs_Common_V1_ProgramEligibility()
        california.programCode = "CA"
        california.eligible = true
        california.certificationNumber = "CEC-12345"
        california.goodThrough = month(2030, 12)
        california.supplementalPaymentReceived = .no
        california.supplementalEnergyPaymentEligible = .yes
        california.repowered = .init(rawValue: 7)
        california.verified = true
        var effective = Recs_Common_V1_Timestamp()
        effective.unixSeconds = 1_700_000_000
        california.effectiveAt = effective
        var oregon = Recs_Common_V1_ProgramEligibility()
        oregon.programCode = "OR"
        oregon.fuelTypeCode = "WND"
        oregon.verified = true
        attributes.programEligibilities = [california, oregon]
        attributes.californiaQualifyingFacilityClaimsNonRenewable = .no
        attributes.generatingUnitClass = .init(rawValue: 42)
        var period = Recs_Common_V1_DateRange()
        period.begin = date(2025, 3, 1)
        period.end = date(2025, 5, 31)
        attributes.generationPeriod = period
        attributes.vintage = month(2025, 5)
        var months = Recs_Common_V1_VintageRange()
        months.first = month(2025, 3)
        months.last = month(2025, 5)
        attributes.accumulationPeriod = months
        attributes.createdOn = date(2025, 6, 15)
        attributes.retroactive = true
        var origin = Recs_Common_V1_ImportOrigin()
        origin.trackingSystemId = "M-RETS"
        origin.originalSerialNumber = "MR-1-2-3"
        origin.reimport = true
        attributes.importOrigin = origin
        return attributes
    }

    /// A few fields and a FERC licence given by its status, no optional message.
    public static func licensedByStatus(unit: String, state: String) -> Recs_Common_V1_CertificateAttributes {
        var attributes = Recs_Common_V1_CertificateAttributes()
        attributes.generatingUnitId = unit
        attributes.stateOrProvince = state
        attributes.fuelTypeCode = "SO1"
        attributes.fercHydroLicense = .fercHydroLicenseStatus(.applicationPending)
        return attributes
    }
}
