import ProtoMessages
import ServiceKit

/// Reporting's own records of the registry's organizations and units (ADR 0010): what the public
/// directories (§19.2) and the look-up need, mapped from the registry's feed on arrival. No registry
/// message is stored. Enumerations keep their protobuf numbers, as everywhere in reporting's schema.
struct OrganizationRecord: Sendable, Hashable {
    /// §19.2.1: the contact information an account holder publishes, absent when it gave none.
    struct Contact: Sendable, Hashable {
        var name = ""
        var email = ""
        var telephone = ""
        var website = ""
        var address: Address?
    }

    struct Address: Sendable, Hashable {
        var lines: [String] = []
        var city = ""
        var stateOrProvince = ""
        var postalCode = ""
        var country = ""
    }

    var id: String
    var name = ""
    /// `recs.common.v1.OrganizationType` and `recs.registry.v1.OrganizationStatus` numbers.
    var type: Int32 = 0
    var status: Int32 = 0
    var contact: Contact?
}

/// A generating unit as the active-generators directory lists it (§19.2.2).
struct GeneratorRecord: Sendable, Hashable {
    struct Fuel: Sendable, Hashable {
        var typeCode: String
        var sourceCodes: [String]
    }

    var id: String
    var organizationID = ""
    /// `recs.registry.v1.GeneratingUnitStatus` and `recs.common.v1.GeneratingUnitClass` numbers.
    var status: Int32 = 0
    var unitClass: Int32 = 0
    var name = ""
    var facilityName = ""
    /// Upper case, as listed.
    var stateOrProvince = ""
    var facilityCounty = ""
    /// Registered as multi-fuel, or with more than one fuel: what the listing says.
    var multiFuel = false
    var nameplateCapacityWatts: Int64 = 0
    var commencedOperationOn: StoredDate?
    /// `recs.common.v1.OwnershipType` numbers.
    var ownershipTypes: [Int32] = []
    var reportingEntityOrganizationID = ""
    var reportingEntityUnitID = ""
    /// Registered fuels with a type code, in registration order: one listing each.
    var fuels: [Fuel] = []
}

// MARK: The edge: from the registry's messages on arrival, to reporting's answers

extension OrganizationRecord {
    init(registry organization: Recs_Registry_V1_Organization) {
        id = organization.organizationId
        name = organization.name
        type = organization.type.rawValue
        status = organization.status.rawValue
        contact = organization.contact.map { contact in
            Contact(
                name: contact.contactName, email: contact.email, telephone: contact.telephone, website: contact.website,
                address: contact.address.map { address in
                    Address(
                        lines: address.lines, city: address.city, stateOrProvince: address.stateOrProvince,
                        postalCode: address.postalCode, country: address.country)
                })
        }
    }

    /// §19.2.1's listing of the organization.
    var listing: Recs_Reporting_V1_AccountHolderListing {
        var listing = Recs_Reporting_V1_AccountHolderListing()
        listing.organizationId = id
        listing.name = name
        listing.type = Recs_Common_V1_OrganizationType(rawValue: type)
        listing.contact = contact.map { contact in
            var information = Recs_Common_V1_ContactInformation()
            information.contactName = contact.name
            information.email = contact.email
            information.telephone = contact.telephone
            information.website = contact.website
            information.address = contact.address.map { address in
                var postal = Recs_Common_V1_PostalAddress()
                postal.lines = address.lines
                postal.city = address.city
                postal.stateOrProvince = address.stateOrProvince
                postal.postalCode = address.postalCode
                postal.country = address.country
                return postal
            }
            return information
        }
        return listing
    }
}

extension GeneratorRecord {
    init(registry unit: Recs_Registry_V1_GeneratingUnit) {
        let data = unit.staticData ?? Recs_Registry_V1_GeneratingUnitStaticData()
        id = unit.generatingUnitId
        organizationID = unit.organizationId
        status = unit.status.rawValue
        unitClass = unit.unitClass.rawValue
        name = data.name
        facilityName = data.facilityName
        stateOrProvince = data.stateOrProvince.uppercased()
        facilityCounty = data.facilityCounty
        multiFuel = data.multiFuel || data.fuels.count > 1
        nameplateCapacityWatts = data.nameplateCapacityWatts
        commencedOperationOn = data.commencedOperationOn.map(StoredDate.init)
        ownershipTypes = data.ownershipTypes.map(\.rawValue)
        reportingEntityOrganizationID = unit.reportingEntity?.reportingEntityOrganizationId ?? ""
        reportingEntityUnitID = unit.reportingEntity?.reportingEntityUnitId ?? ""
        fuels = data.fuels.filter { !$0.fuelTypeCode.isEmpty }.map { Fuel(typeCode: $0.fuelTypeCode, sourceCodes: $0.fuelSourceCodes) }
    }
}
