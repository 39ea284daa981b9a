import ProtoMessages

/// Every field a certificate carries (§20, Appendix B-1), as a service that keeps batches stores it
/// (ADR 0010): issuance, which stamps them when it issues a batch, and reporting, whose look-up
/// answers every one of them. One record type for both, like the logins every service keeps
/// (`PrincipalUserRecord`), but each keeps it in tables of its own; it holds no generated type, and
/// `CertificateAttributes` is made from it at the edge (``wire``) and mapped into it on arrival
/// (``init(wire:)``).
///
/// Enumerations are only passed on (indicators, ownership types, the unit's class, the reporting
/// entity's type, the FERC licence status), so they keep their protobuf numbers, which the API's
/// compatibility rule never renumbers: an unknown value passes through unchanged.
public struct CertificateFieldsRecord: Sendable, Hashable {
    /// A month as stamped (vintage, accumulation period, a program's good-through month).
    public struct Month: Sendable, Hashable {
        public var year: Int32
        public var month: Int32

        public init(year: Int32, month: Int32) {
            self.year = year
            self.month = month
        }
    }

    /// §12.9: the FERC hydro licence, given as a date or as a status (the API's oneof).
    public enum FercHydroLicense: Sendable, Hashable {
        case date(StoredDate)
        /// A `recs.common.v1.FercHydroLicenseStatus` number.
        case status(Int32)
    }

    /// A program eligibility stamped on the certificate (§5.3.2).
    public struct Eligibility: Sendable, Hashable {
        public var programCode = ""
        public var fuelTypeCode = ""
        public var eligible = false
        public var certificationNumber = ""
        public var goodThrough: Month?
        /// `recs.common.v1.Indicator` numbers.
        public var supplementalPaymentReceived: Int32 = 0
        public var supplementalEnergyPaymentEligible: Int32 = 0
        public var repowered: Int32 = 0
        public var verified = false
        public var effectiveAtUnixSeconds: Int64?

        public init() {}
    }

    /// Where imported certificates came from (§12.9).
    public struct ImportOrigin: Sendable, Hashable {
        public var trackingSystemID = ""
        public var originalSerialNumber = ""
        public var reimport = false

        public init() {}
    }

    // Static data, mandatory fields.
    public var generatingUnitID = ""
    public var generatingUnitName = ""
    public var facilityName = ""
    public var facilityCounty = ""
    public var stateOrProvince = ""
    public var country = ""
    public var multiFuel = false
    public var generationTechnology = ""
    public var fuelTypeCode = ""
    /// Appendix B-2 codes the registry validated (never holding a comma).
    public var fuelSourceCodes: [String] = []
    public var commencedOperationOn: StoredDate?
    public var nameplateCapacityWatts: Int64 = 0
    public var facilityOperator = ""
    public var customerSitedDistributedGeneration = false
    /// A `recs.common.v1.ReportingEntityType` number.
    public var reportingEntityType: Int32 = 0
    public var reportingEntityName = ""
    public var weccRegionDeclared = false
    public var interconnectingUtility = ""
    public var qualifyingFacility = false
    /// `recs.common.v1.OwnershipType` numbers.
    public var ownershipTypes: [Int32] = []
    public var californiaSupplementalPaymentReceived = false
    public var publicBenefitFundSupport = false
    // Static data, voluntary fields. `recs.common.v1.Indicator` numbers.
    public var federalTaxCredits: Int32 = 0
    public var fercHydroLicense: FercHydroLicense?
    public var repowered: Int32 = 0
    public var repoweredOn: StoredDate?
    public var programEligibilities: [Eligibility] = []
    public var californiaQualifyingFacilityClaimsNonRenewable: Int32 = 0
    // Dynamic data.
    /// A `recs.common.v1.GeneratingUnitClass` number.
    public var generatingUnitClass: Int32 = 0
    /// The generation period; a range is kept when it has a begin or an end (issuance stamps both).
    public var generationPeriodBegin: StoredDate?
    public var generationPeriodEnd: StoredDate?
    public var vintage: Month?
    /// §12.4; kept when it has a first or a last month (issuance stamps both).
    public var accumulationFirst: Month?
    public var accumulationLast: Month?
    public var createdOn: StoredDate?
    public var retroactive = false
    public var importOrigin: ImportOrigin?

    public init() {}
}

// MARK: The edge: issuance's `CertificateAttributes`

extension CertificateFieldsRecord {
    /// The fields of the API's message, mapped on arrival.
    public init(wire attributes: Recs_Common_V1_CertificateAttributes) {
        generatingUnitID = attributes.generatingUnitId
        generatingUnitName = attributes.generatingUnitName
        facilityName = attributes.facilityName
        facilityCounty = attributes.facilityCounty
        stateOrProvince = attributes.stateOrProvince
        country = attributes.country
        multiFuel = attributes.multiFuel
        generationTechnology = attributes.generationTechnology
        fuelTypeCode = attributes.fuelTypeCode
        fuelSourceCodes = attributes.fuelSourceCodes
        commencedOperationOn = attributes.commencedOperationOn.map(StoredDate.init)
        nameplateCapacityWatts = attributes.nameplateCapacityWatts
        facilityOperator = attributes.facilityOperator
        customerSitedDistributedGeneration = attributes.customerSitedDistributedGeneration
        reportingEntityType = attributes.reportingEntityType.rawValue
        reportingEntityName = attributes.reportingEntityName
        weccRegionDeclared = attributes.weccRegionDeclared
        interconnectingUtility = attributes.interconnectingUtility
        qualifyingFacility = attributes.qualifyingFacility
        ownershipTypes = attributes.ownershipTypes.map(\.rawValue)
        californiaSupplementalPaymentReceived = attributes.californiaSupplementalPaymentReceived
        publicBenefitFundSupport = attributes.publicBenefitFundSupport
        federalTaxCredits = attributes.federalTaxCredits.rawValue
        switch attributes.fercHydroLicense {
        case .fercHydroLicenseDate(let date)?: fercHydroLicense = .date(StoredDate(date))
        case .fercHydroLicenseStatus(let status)?: fercHydroLicense = .status(status.rawValue)
        case nil: fercHydroLicense = nil
        }
        repowered = attributes.repowered.rawValue
        repoweredOn = attributes.repoweredOn.map(StoredDate.init)
        programEligibilities = attributes.programEligibilities.map(Eligibility.init(wire:))
        californiaQualifyingFacilityClaimsNonRenewable = attributes.californiaQualifyingFacilityClaimsNonRenewable.rawValue
        generatingUnitClass = attributes.generatingUnitClass.rawValue
        generationPeriodBegin = attributes.generationPeriod?.begin.map(StoredDate.init)
        generationPeriodEnd = attributes.generationPeriod?.end.map(StoredDate.init)
        vintage = attributes.vintage.map(Month.init(wire:))
        accumulationFirst = attributes.accumulationPeriod?.first.map(Month.init(wire:))
        accumulationLast = attributes.accumulationPeriod?.last.map(Month.init(wire:))
        createdOn = attributes.createdOn.map(StoredDate.init)
        retroactive = attributes.retroactive
        importOrigin = attributes.importOrigin.map { origin in
            var record = ImportOrigin()
            record.trackingSystemID = origin.trackingSystemId
            record.originalSerialNumber = origin.originalSerialNumber
            record.reimport = origin.reimport
            return record
        }
    }

    /// The API's message, made where it leaves.
    public var wire: Recs_Common_V1_CertificateAttributes {
        var attributes = Recs_Common_V1_CertificateAttributes()
        attributes.generatingUnitId = generatingUnitID
        attributes.generatingUnitName = generatingUnitName
        attributes.facilityName = facilityName
        attributes.facilityCounty = facilityCounty
        attributes.stateOrProvince = stateOrProvince
        attributes.country = country
        attributes.multiFuel = multiFuel
        attributes.generationTechnology = generationTechnology
        attributes.fuelTypeCode = fuelTypeCode
        attributes.fuelSourceCodes = fuelSourceCodes
        attributes.commencedOperationOn = commencedOperationOn?.proto
        attributes.nameplateCapacityWatts = nameplateCapacityWatts
        attributes.facilityOperator = facilityOperator
        attributes.customerSitedDistributedGeneration = customerSitedDistributedGeneration
        attributes.reportingEntityType = Recs_Common_V1_ReportingEntityType(rawValue: reportingEntityType)
        attributes.reportingEntityName = reportingEntityName
        attributes.weccRegionDeclared = weccRegionDeclared
        attributes.interconnectingUtility = interconnectingUtility
        attributes.qualifyingFacility = qualifyingFacility
        attributes.ownershipTypes = ownershipTypes.map(Recs_Common_V1_OwnershipType.init(rawValue:))
        attributes.californiaSupplementalPaymentReceived = californiaSupplementalPaymentReceived
        attributes.publicBenefitFundSupport = publicBenefitFundSupport
        attributes.federalTaxCredits = Recs_Common_V1_Indicator(rawValue: federalTaxCredits)
        switch fercHydroLicense {
        case .date(let date)?: attributes.fercHydroLicense = .fercHydroLicenseDate(date.proto)
        case .status(let status)?: attributes.fercHydroLicense = .fercHydroLicenseStatus(Recs_Common_V1_FercHydroLicenseStatus(rawValue: status))
        case nil: attributes.fercHydroLicense = nil
        }
        attributes.repowered = Recs_Common_V1_Indicator(rawValue: repowered)
        attributes.repoweredOn = repoweredOn?.proto
        attributes.programEligibilities = programEligibilities.map(\.wire)
        attributes.californiaQualifyingFacilityClaimsNonRenewable = Recs_Common_V1_Indicator(
            rawValue: californiaQualifyingFacilityClaimsNonRenewable)
        attributes.generatingUnitClass = Recs_Common_V1_GeneratingUnitClass(rawValue: generatingUnitClass)
        if generationPeriodBegin != nil || generationPeriodEnd != nil {
            var period = Recs_Common_V1_DateRange()
            period.begin = generationPeriodBegin?.proto
            period.end = generationPeriodEnd?.proto
            attributes.generationPeriod = period
        }
        attributes.vintage = vintage?.wire
        if accumulationFirst != nil || accumulationLast != nil {
            var period = Recs_Common_V1_VintageRange()
            period.first = accumulationFirst?.wire
            period.last = accumulationLast?.wire
            attributes.accumulationPeriod = period
        }
        attributes.createdOn = createdOn?.proto
        attributes.retroactive = retroactive
        attributes.importOrigin = importOrigin.map { record in
            var origin = Recs_Common_V1_ImportOrigin()
            origin.trackingSystemId = record.trackingSystemID
            origin.originalSerialNumber = record.originalSerialNumber
            origin.reimport = record.reimport
            return origin
        }
        return attributes
    }
}

extension CertificateFieldsRecord.Month {
    public init(wire vintage: Recs_Common_V1_Vintage) {
        self.init(year: vintage.year, month: vintage.month)
    }

    public var wire: Recs_Common_V1_Vintage {
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = year
        vintage.month = month
        return vintage
    }
}

extension CertificateFieldsRecord.Eligibility {
    public init(wire eligibility: Recs_Common_V1_ProgramEligibility) {
        programCode = eligibility.programCode
        fuelTypeCode = eligibility.fuelTypeCode
        eligible = eligibility.eligible
        certificationNumber = eligibility.certificationNumber
        goodThrough = eligibility.goodThrough.map(CertificateFieldsRecord.Month.init(wire:))
        supplementalPaymentReceived = eligibility.supplementalPaymentReceived.rawValue
        supplementalEnergyPaymentEligible = eligibility.supplementalEnergyPaymentEligible.rawValue
        repowered = eligibility.repowered.rawValue
        verified = eligibility.verified
        effectiveAtUnixSeconds = eligibility.effectiveAt?.unixSeconds
    }

    public var wire: Recs_Common_V1_ProgramEligibility {
        var eligibility = Recs_Common_V1_ProgramEligibility()
        eligibility.programCode = programCode
        eligibility.fuelTypeCode = fuelTypeCode
        eligibility.eligible = eligible
        eligibility.certificationNumber = certificationNumber
        eligibility.goodThrough = goodThrough?.wire
        eligibility.supplementalPaymentReceived = Recs_Common_V1_Indicator(rawValue: supplementalPaymentReceived)
        eligibility.supplementalEnergyPaymentEligible = Recs_Common_V1_Indicator(rawValue: supplementalEnergyPaymentEligible)
        eligibility.repowered = Recs_Common_V1_Indicator(rawValue: repowered)
        eligibility.verified = verified
        eligibility.effectiveAt = effectiveAtUnixSeconds.map { seconds in
            var timestamp = Recs_Common_V1_Timestamp()
            timestamp.unixSeconds = seconds
            return timestamp
        }
        return eligibility
    }
}
