import Foundation
import ProtoMessages

// The fields `recs` prints of each response message, under their proto field names. Shared
// messages (serial ranges, dates, vintages, enums) are always written the same way.

extension OutputValue {
    /// An enum case as a lower-case word list, e.g. `accountHolder` → `account-holder`; a number the
    /// generated code does not know stays `unrecognized(7)`.
    static func name(_ enumCase: some Any) -> OutputValue {
        var result = ""
        for character in String(describing: enumCase) {
            if character.isUppercase { result += "-" + character.lowercased() } else { result.append(character) }
        }
        return .string(result)
    }

    static func serial(_ range: Recs_Common_V1_SerialRange) -> OutputValue { .string(range.text) }

    static func date(_ date: Recs_Common_V1_Date?) -> OutputValue? {
        date.map { .string(String(format: "%04d-%02d-%02d", $0.year, $0.month, $0.day)) }
    }

    static func vintage(_ vintage: Recs_Common_V1_Vintage?) -> OutputValue? {
        vintage.map { .string(String(format: "%02d/%04d", $0.month, $0.year)) }
    }

    /// UTC, ISO 8601 to the second.
    static func time(_ timestamp: Recs_Common_V1_Timestamp?) -> OutputValue? {
        guard let timestamp else { return nil }
        let date = Date(timeIntervalSince1970: TimeInterval(timestamp.unixSeconds))
        return .string(date.formatted(.iso8601))
    }

    /// Energy in MWh with its three kWh decimals, e.g. `12.500`.
    static func megawattHours(_ energy: Recs_Common_V1_MegawattHours?) -> OutputValue? {
        guard let kWh = energy?.kilowattHours else { return nil }
        let sign = kWh < 0 ? "-" : ""
        return .string("\(sign)\(kWh.magnitude / 1000).\(String(format: "%03d", Int(kWh.magnitude % 1000)))")
    }

    static func strings(_ items: [String]) -> OutputValue { .list(items.map(OutputValue.string)) }
    static func records(_ items: [Record]) -> OutputValue { .list(items.map(OutputValue.record)) }
}

extension Recs_Registry_V1_Organization {
    var record: Record {
        [
            "organization_id": .string(organizationId), "name": .string(name), "type": .name(type),
            "status": .name(status), "manager_user_id": .string(managerUserId),
            "subaccounts": .records(subaccounts.map(\.record)), "created_at": .time(createdAt),
            "program_access": .list(programAccessOrganizationIds.map(OutputValue.string)),
        ]
    }
}

extension Recs_Registry_V1_Subaccount {
    var record: Record { ["subaccount_id": .string(subaccountId), "kind": .name(kind), "alias": .string(alias)] }
}

extension Recs_Registry_V1_GeneratingUnit {
    var record: Record {
        var record: Record = [
            "generating_unit_id": .string(generatingUnitId), "organization_id": .string(organizationId),
            "status": .name(status), "unit_class": .name(unitClass),
            "deposit_subaccount_id": .string(depositSubaccountId),
        ]
        if let data = staticData {
            record["name"] = .string(data.name)
            record["facility_name"] = .string(data.facilityName)
            record["state_or_province"] = .string(data.stateOrProvince)
            record["fuels"] = .strings(data.fuels.map { "\($0.fuelTypeCode):\($0.fuelSourceCodes.joined(separator: "+"))" })
            record["nameplate_capacity_watts"] = .int(data.nameplateCapacityWatts)
            record["commenced_operation_on"] = .date(data.commencedOperationOn)
        }
        if let entity = reportingEntity {
            record["reporting_entity"] = .record([
                "type": .name(entity.type), "organization_id": .string(entity.reportingEntityOrganizationId),
                "unit_id": .string(entity.reportingEntityUnitId),
            ])
        }
        record["approved_on"] = .date(approvedOn)
        record["registered_at"] = .time(registeredAt)
        return record
    }
}

extension Recs_Common_V1_CertificateBatch {
    var record: Record {
        [
            "batch_number": .int(batchNumber), "generating_unit_id": .string(attributes?.generatingUnitId ?? ""),
            "serial_range": .serial(serialRange ?? .init()), "quantity": .int(quantity),
            "vintage": .vintage(attributes?.vintage), "fuel_type_code": .string(attributes?.fuelTypeCode ?? ""),
        ]
    }
}

extension Recs_Transfer_V1_Transfer {
    var record: Record {
        [
            "transfer_id": .string(transferId), "kind": .name(kind), "state": .name(state),
            "from_organization_id": .string(fromOrganizationId), "from_subaccount_id": .string(fromSubaccountId),
            "to_organization_id": .string(toOrganizationId), "to_subaccount_id": .string(toSubaccountId),
            "serial_ranges": .list(serialRanges.map(OutputValue.serial)), "quantity": .int(quantity),
            "requested_at": .time(requestedAt), "expires_at": .time(expiresAt), "answered_at": .time(answeredAt),
            "completed_at": .time(completedAt), "notes": .string(notes), "reason": .string(reason),
        ]
    }
}

extension Recs_Transfer_V1_LedgerTransaction {
    var record: Record {
        [
            "transaction_id": .string(transactionId), "kind": .name(kind),
            "serial_ranges": .list(serialRanges.map(OutputValue.serial)), "quantity": .int(quantity),
            "from": from.map { .record($0.record) }, "to": to.map { .record($0.record) },
            "executed_at": .time(executedAt),
            "retirement_reason": retirementReason.map { .record($0.record) },
        ]
    }
}

extension Recs_Common_V1_Holder {
    var record: Record {
        ["organization_id": .string(organizationId), "subaccount_id": .string(subaccountId), "kind": .name(subaccountKind)]
    }
}

extension Recs_Common_V1_RetirementReason {
    var record: Record {
        ["category": .name(category), "program_code": .string(programCode), "details": .string(details)]
    }
}

extension Recs_Issuance_V1_GenerationUpload {
    var record: Record {
        [
            "upload_id": .string(uploadId), "reporter_organization_id": .string(reporterOrganizationId),
            "file_name": .string(fileName), "received_at": .time(receivedAt), "posted_count": .int(postedCount),
            "rejected_count": .int(rejectedCount), "records": .records(records.map(\.record)),
        ]
    }
}

extension Recs_Issuance_V1_GenerationRecordResult {
    var record: Record {
        [
            "line": .int(line), "unit_id": .string(reportingEntityUnitId),
            "generating_unit_id": .string(generatingUnitId), "vintage": .vintage(vintage),
            "energy_mwh": .megawattHours(energy), "outcome": .name(outcome),
            "posted_generation_id": .string(postedGenerationId),
            "violations": .strings(violations.map(describe)),
        ]
    }
}

extension Recs_Issuance_V1_IssuanceCycle {
    var record: Record {
        [
            "issuance_cycle_id": .string(issuanceCycleId), "vintage": .vintage(vintage), "state": .name(state),
            "cycle_date": .date(cycleDate), "started_at": .time(startedAt), "completed_at": .time(completedAt),
            "certificates_issued": .int(certificatesIssued), "batch_count": .int(batchCount),
            "units": .records(units.map(\.record)),
        ]
    }
}

extension Recs_Issuance_V1_UnitIssuance {
    var record: Record {
        [
            "generating_unit_id": .string(generatingUnitId), "outcome": .name(outcome),
            "batch_numbers": .list(batchNumbers.map(OutputValue.int)), "certificates": .int(certificates),
            "energy_issued_mwh": .megawattHours(energyIssued), "carried_forward_mwh": .megawattHours(carriedForward),
            "deposited": .bool(deposited),
        ]
    }
}

extension Recs_Reporting_V1_SerialNumberStatus {
    var record: Record {
        [
            "serial_range": .serial(serialRange ?? .init()), "status": .name(status),
            "holder": holder.map { .record($0.record) },
            "generating_unit_id": .string(attributes?.generatingUnitId ?? ""),
            "vintage": .vintage(attributes?.vintage), "fuel_type_code": .string(attributes?.fuelTypeCode ?? ""),
            "status_changed_on": .date(statusChangedOn),
            "retirement_reason": retirementReason.map { .record($0.record) },
        ]
    }
}

extension Recs_Reporting_V1_GeneratorListing {
    var record: Record {
        [
            "generating_unit_id": .string(generatingUnitId), "generating_unit_name": .string(generatingUnitName),
            "facility_name": .string(facilityName), "state_or_province": .string(stateOrProvince),
            "organization_id": .string(organizationId), "account_holder_name": .string(accountHolderName),
            "fuel_type_code": .string(fuelTypeCode), "fuel_source_codes": .strings(fuelSourceCodes),
            "nameplate_capacity_watts": .int(nameplateCapacityWatts),
            "commenced_operation_on": .date(commencedOperationOn),
        ]
    }
}
