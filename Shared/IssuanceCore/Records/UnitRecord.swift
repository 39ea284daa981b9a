import Domain
import ServiceKit

/// Issuance's own record of a generating unit (ADR 0010): what the registry's feed said of it,
/// reduced to what uploads and cycles use. It holds no registry message; the feed's
/// `GeneratingUnit` is mapped into it on arrival (`UnitRecord(registry:)`), and certificate fields
/// are made from it when a batch is issued.
struct UnitRecord: Sendable, Hashable {
    /// The unit's registry status, in issuance's stored names.
    enum Status: String, Sendable {
        case registered, approved, inactive, suspended, terminated, unspecified
    }

    /// Who reports the unit's generation (Appendix D Table 27); empty ids until designated.
    struct ReportingEntity: Sendable, Hashable {
        /// The `recs.common.v1.ReportingEntityType` number, stamped on certificates as it came.
        var type: Int32 = 0
        var organizationID = ""
        var unitID = ""
    }

    /// The unit's static data that uploads check and certificates carry (§12.7, Appendix B-1).
    /// Enumerations the service only passes on to certificates keep their protobuf numbers.
    struct Facility: Sendable, Hashable {
        var name = ""
        var facilityName = ""
        var facilityCounty = ""
        var stateOrProvince = ""
        var country = ""
        var multiFuel = false
        var generationTechnology = ""
        var commencedOperationOn: StoredDate?
        var nameplateCapacityWatts: Int64 = 0
        var capacityFactorPartsPerMillion: Int64 = 0
        var facilityOperator = ""
        var customerSitedDistributedGeneration = false
        var weccRegionDeclared = false
        var interconnectingUtility = ""
        var qualifyingFacility = false
        /// `recs.common.v1.OwnershipType` numbers.
        var ownershipTypes: [Int32] = []
        var californiaSupplementalPaymentReceived = false
        var publicBenefitFundSupport = false
        /// `recs.common.v1.Indicator` numbers from here on.
        var federalTaxCredits: Int32 = 0
        var repowered: Int32 = 0
        var repoweredOn: StoredDate?
        var californiaQualifyingFacilityClaimsNonRenewable: Int32 = 0
    }

    /// One registered fuel with its B-2 sources, in registration order.
    struct Fuel: Sendable, Hashable {
        var typeCode: String
        var sourceCodes: [String]
    }

    /// A verified program eligibility (§5.3.2): only verified ones are stamped, so only they are kept.
    struct Eligibility: Sendable, Hashable {
        var programCode = ""
        var fuelTypeCode = ""
        var eligible = false
        var certificationNumber = ""
        var goodThrough: Month?
        /// `recs.common.v1.Indicator` numbers.
        var supplementalPaymentReceived: Int32 = 0
        var supplementalEnergyPaymentEligible: Int32 = 0
        var repowered: Int32 = 0
        var effectiveAtUnixSeconds: Int64?
    }

    /// A month as the registry sent it (a program's good-through month).
    struct Month: Sendable, Hashable {
        var year: Int32
        var month: Int32
    }

    var id: String
    var organizationID = ""
    var status = Status.unspecified
    /// Nil when the registry named a class this version does not know.
    var unitClass: GeneratingUnitClass?
    var depositSubaccountID = ""
    var reportingEntity = ReportingEntity()
    var facility = Facility()
    var fuels: [Fuel] = []
    var verifiedEligibilities: [Eligibility] = []
}

/// The registry's organization as issuance keeps it: who may load generation files (Appendix D §6.1).
struct OrganizationRecord: Sendable, Hashable {
    enum Kind: String, Sendable {
        case accountHolder = "account_holder"
        case qualifiedReportingEntity = "qualified_reporting_entity"
        case programAdministrator = "program_administrator"
        case registryAdministrator = "registry_administrator"
        case unspecified
    }

    enum Status: String, Sendable {
        case active, inactive, terminated, unspecified
    }

    var id: String
    var kind: Kind
    var status: Status
}
