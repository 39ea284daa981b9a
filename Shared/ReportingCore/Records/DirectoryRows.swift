import ServiceKit
import Storage

/// How reporting keeps its directory records (ADR 0010): every field a column, lists in tables of
/// their own (`organization_address_lines`, `generating_unit_fuels`).
enum DirectoryRows {
    // MARK: organizations

    /// The `organizations` columns of the record, the key first, except `last_event`. A NULL
    /// `contact_name` means no contact information, a NULL `address_city` no postal address.
    static func columns(_ organization: OrganizationRecord) -> [(name: String, value: SQLValue)] {
        let contact = organization.contact
        let address = contact?.address
        return [
            ("organization_id", .text(organization.id)),
            ("name", .text(organization.name)),
            ("type", .int64(Int64(organization.type))),
            ("status", .int64(Int64(organization.status))),
            ("contact_name", .optional(contact?.name)),
            ("contact_email", .optional(contact?.email)),
            ("contact_telephone", .optional(contact?.telephone)),
            ("contact_website", .optional(contact?.website)),
            ("address_city", .optional(address?.city)),
            ("address_state_or_province", .optional(address?.stateOrProvince)),
            ("address_postal_code", .optional(address?.postalCode)),
            ("address_country", .optional(address?.country)),
        ]
    }

    static let organizationColumns = columns(OrganizationRecord(id: "")).map(\.name)
    static let organizationUpsert = RecordStatements.upsert("organizations", organizationColumns + ["last_event"])

    /// Inserts or replaces the organization; `sequence` is the registry event that described it.
    static func save(_ organization: OrganizationRecord, sequence: Int64, _ sql: inout SQLTransaction) throws {
        try sql.execute(organizationUpsert, binds: columns(organization).map(\.value) + [.int64(sequence)])
        try saveAddressLines(organization, &sql)
    }

    static func saveAddressLines(_ organization: OrganizationRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute("DELETE FROM organization_address_lines WHERE organization_id = $1", .text(organization.id))
        for (position, line) in (organization.contact?.address?.lines ?? []).enumerated() {
            try sql.execute(
                "INSERT INTO organization_address_lines (organization_id, position, line) VALUES ($1, $2, $3)",
                .text(organization.id), .int64(Int64(position)), .text(line))
        }
    }

    /// The organization of a row holding ``organizationColumns``, with its address lines.
    static func organization(_ row: SQLRow, _ sql: inout SQLTransaction) throws -> OrganizationRecord {
        var organization = OrganizationRecord(id: try row.string("organization_id"))
        organization.name = try row.string("name")
        organization.type = Int32(clamping: try row.int64("type"))
        organization.status = Int32(clamping: try row.int64("status"))
        if let name = try row.optionalString("contact_name") {
            var contact = OrganizationRecord.Contact(
                name: name, email: try row.string("contact_email"), telephone: try row.string("contact_telephone"),
                website: try row.string("contact_website"))
            if let city = try row.optionalString("address_city") {
                contact.address = OrganizationRecord.Address(
                    lines: try sql.query(
                        "SELECT line FROM organization_address_lines WHERE organization_id = $1 ORDER BY position", .text(organization.id)
                    ).map { try $0.string("line") },
                    city: city, stateOrProvince: try row.string("address_state_or_province"),
                    postalCode: try row.string("address_postal_code"), country: try row.string("address_country"))
            }
            organization.contact = contact
        }
        return organization
    }

    // MARK: generating units

    /// The `generating_units` columns of the record, the key first, except `last_event`.
    static func columns(_ unit: GeneratorRecord) -> [(name: String, value: SQLValue)] {
        [
            ("generating_unit_id", .text(unit.id)),
            ("organization_id", .text(unit.organizationID)),
            ("status", .int64(Int64(unit.status))),
            ("name", .text(unit.name)),
            ("facility_name", .text(unit.facilityName)),
            ("state_or_province", .text(unit.stateOrProvince)),
            ("facility_county", .text(unit.facilityCounty)),
            ("multi_fuel", .int64(unit.multiFuel ? 1 : 0)),
            ("nameplate_capacity_watts", .int64(unit.nameplateCapacityWatts)),
            // Empty when absent: the column sorts and is read back by ``StoredDate``.
            ("commenced_operation_on", .text(unit.commencedOperationOn?.column ?? "")),
            ("unit_class", .int64(Int64(unit.unitClass))),
            ("reporting_entity_organization_id", .text(unit.reportingEntityOrganizationID)),
            ("reporting_entity_unit_id", .text(unit.reportingEntityUnitID)),
            ("ownership_types", .text(StoredList.column(numbers: unit.ownershipTypes))),
        ]
    }

    static let generatorColumns = columns(GeneratorRecord(id: "")).map(\.name)
    static let generatorUpsert = RecordStatements.upsert("generating_units", generatorColumns + ["last_event"])

    /// Inserts or replaces the unit and its fuels; `sequence` is the registry event that described it.
    static func save(_ unit: GeneratorRecord, sequence: Int64, _ sql: inout SQLTransaction) throws {
        try sql.execute(generatorUpsert, binds: columns(unit).map(\.value) + [.int64(sequence)])
        try saveFuels(unit, &sql)
    }

    static func saveFuels(_ unit: GeneratorRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute("DELETE FROM generating_unit_fuels WHERE generating_unit_id = $1", .text(unit.id))
        for (position, fuel) in unit.fuels.enumerated() {
            try sql.execute(
                """
                INSERT INTO generating_unit_fuels (generating_unit_id, position, fuel_type_code, fuel_source_codes)
                VALUES ($1, $2, $3, $4)
                """,
                .text(unit.id), .int64(Int64(position)), .text(fuel.typeCode), .text(StoredList.column(fuel.sourceCodes)))
        }
    }

    /// The unit's columns of a row holding ``generatorColumns`` (fuels are read by the directory's
    /// own join, one row per fuel).
    static func generator(_ row: SQLRow) throws -> GeneratorRecord {
        var unit = GeneratorRecord(id: try row.string("generating_unit_id"))
        unit.organizationID = try row.string("organization_id")
        unit.status = Int32(clamping: try row.int64("status"))
        unit.name = try row.string("name")
        unit.facilityName = try row.string("facility_name")
        unit.stateOrProvince = try row.string("state_or_province")
        unit.facilityCounty = try row.string("facility_county")
        unit.multiFuel = try row.bool("multi_fuel")
        unit.nameplateCapacityWatts = try row.int64("nameplate_capacity_watts")
        unit.commencedOperationOn = StoredDate(column: try row.string("commenced_operation_on"))
        unit.unitClass = Int32(clamping: try row.int64("unit_class"))
        unit.reportingEntityOrganizationID = try row.string("reporting_entity_organization_id")
        unit.reportingEntityUnitID = try row.string("reporting_entity_unit_id")
        unit.ownershipTypes = StoredList.numbers(try row.string("ownership_types"))
        return unit
    }
}
