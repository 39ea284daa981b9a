import Foundation
import GRPCWire
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import Testing

/// One account holder of a test: its organization, its Manager's key and its subaccounts.
struct Holder: Sendable {
    let organizationID: String
    let key: String
    let activeSubaccountID: String
    let retirementSubaccountID: String
    var options: CallOptions { TestDeployment.options(key, timeout: .seconds(5)) }
}

/// A generating unit of a test and the UNITID its QRE reports it under.
struct TestUnit: Sendable {
    let generatingUnitID: String
    let reportingUnitID: String
    let owner: String
}

/// Everything made through the real API before a test starts: account holders, a QRE, approved
/// units with the QRE designated, January 2025's generation uploaded (not yet issued).
struct CrashSetUp: Sendable {
    let holders: [Holder]
    let qre: Holder
    let units: [TestUnit]
    /// Megawatt-hours uploaded per unit (a whole number: no fraction is carried).
    let megawattHoursPerUnit: Int64

    static let vintage = (month: Int32(1), year: Int32(2025))
    /// 10 February 2025, noon in the registry's time zone: January has ended, its 90th day is far.
    static let startUnixSeconds: Int64 = 1_739_217_600

    /// `holderCount` account holders with `unitsPerHolder` units each, every unit reported by one
    /// QRE, `megawattHours` of January 2025 uploaded for each.
    static func make(
        _ system: CrashSystem, prefix: String, holderCount: Int, unitsPerHolder: Int, megawattHours: Int64
    ) async throws -> CrashSetUp {
        try await system.setTime(unixSeconds: startUnixSeconds)
        var holders: [Holder] = []
        for index in 0..<holderCount {
            holders.append(try await organization(system, "\(prefix)-holder-\(index)", type: .accountHolder))
        }
        let qre = try await organization(system, "\(prefix)-qre", type: .qualifiedReportingEntity)
        var units: [TestUnit] = []
        for holder in holders {
            for index in 0..<unitsPerHolder {
                units.append(try await unit(system, owner: holder, qre: qre, reportingUnitID: "\(holder.organizationID)-U\(index)"))
            }
        }
        var file = "UNITID,Vintage,BeginDate,EndDate,TotalMWh\n"
        for unit in units { file += "\(unit.reportingUnitID),01/2025,01/01/2025,01/31/2025,\(megawattHours).000\n" }
        var upload = Recs_Issuance_V1_UploadGenerationFileRequest()
        upload.requestId = "\(prefix)-upload"
        upload.reporterOrganizationId = qre.organizationID
        upload.fileName = "2025-01.csv"
        upload.content = Array(file.utf8)
        // The QRE's key must have reached issuance (it learns keys from the registry's feed).
        var posted: Recs_Issuance_V1_GenerationUpload?
        _ = try await eventually(timeout: .seconds(15)) {
            do {
                posted = try await system.issuanceClient.uploadGenerationFile(upload, options: qre.options).upload
                return true
            } catch let error as RPCError where error.code == .unauthenticated {
                return false
            }
        }
        let result = try #require(posted)
        #expect(Int(result.postedCount) == units.count, "every line posted: \(result)")
        return CrashSetUp(holders: holders, qre: qre, units: units, megawattHoursPerUnit: megawattHours)
    }

    static func organization(_ system: CrashSystem, _ requestID: String, type: Recs_Common_V1_OrganizationType) async throws -> Holder {
        var request = Recs_Registry_V1_CreateOrganizationRequest()
        request.requestId = requestID
        request.name = "Organization \(requestID)"
        request.type = type
        request.managerPersonName = "Manager \(requestID)"
        request.managerLogin = "manager-\(requestID)"
        let created = try await system.registryClient.createOrganization(request, options: system.administrator)
        let organization = try #require(created.organization)
        var key = Recs_Registry_V1_CreateApiKeyRequest()
        (key.requestId, key.userId, key.label) = ("\(requestID)-key", created.manager?.userId ?? "", "crash")
        let secret = try await system.registryClient.createApiKey(key, options: system.administrator).secret
        func subaccount(_ kind: Recs_Common_V1_SubaccountKind) -> String {
            organization.subaccounts.first { $0.kind == kind }?.subaccountId ?? ""
        }
        return Holder(
            organizationID: organization.organizationId, key: secret, activeSubaccountID: subaccount(.active),
            retirementSubaccountID: subaccount(.retirement))
    }

    /// A 20 MW wholesale solar unit in California, approved, its QRE designated (§5.3, §10).
    static func unit(_ system: CrashSystem, owner: Holder, qre: Holder, reportingUnitID: String) async throws -> TestUnit {
        var data = Recs_Registry_V1_GeneratingUnitStaticData()
        data.name = "Solar \(reportingUnitID)"
        data.facilityName = "Facility \(reportingUnitID)"
        data.stateOrProvince = "CA"
        data.country = "US"
        var fuel = Recs_Registry_V1_UnitFuel()
        fuel.fuelTypeCode = "SO1"
        fuel.fuelSourceCodes = ["solar"]
        data.fuels = [fuel]
        var commenced = Recs_Common_V1_Date()
        (commenced.year, commenced.month, commenced.day) = (2020, 6, 1)
        data.commencedOperationOn = commenced
        data.nameplateCapacityWatts = 20_000_000
        data.capacityFactorPartsPerMillion = 250_000
        var classification = Recs_Registry_V1_ClassificationCharacteristics()
        classification.siting = .wholesale
        data.classification = classification
        data.allOutputReported = true

        var register = Recs_Registry_V1_RegisterGeneratingUnitRequest()
        register.requestId = "register-\(reportingUnitID)"
        register.organizationId = owner.organizationID
        register.depositSubaccountId = owner.activeSubaccountID
        register.staticData = data
        let unit = try #require(try await system.registryClient.registerGeneratingUnit(register, options: owner.options).generatingUnit)

        var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
        approve.requestId = "approve-\(reportingUnitID)"
        approve.generatingUnitId = unit.generatingUnitId
        approve.verificationNotes = "meter verified"
        _ = try await system.registryClient.approveGeneratingUnit(approve, options: system.administrator)

        var designate = Recs_Registry_V1_DesignateReportingEntityRequest()
        designate.requestId = "designate-\(reportingUnitID)"
        designate.generatingUnitId = unit.generatingUnitId
        designate.type = .qualifiedReportingEntity
        designate.reportingEntityOrganizationId = qre.organizationID
        designate.reportingEntityUnitId = reportingUnitID
        _ = try await system.registryClient.designateReportingEntity(designate, options: owner.options)
        return TestUnit(generatingUnitID: unit.generatingUnitId, reportingUnitID: reportingUnitID, owner: owner.organizationID)
    }

    /// RunIssuanceCycle for January 2025 as the administrator.
    static func cycleRequest(_ requestID: String) -> Recs_Issuance_V1_RunIssuanceCycleRequest {
        var request = Recs_Issuance_V1_RunIssuanceCycleRequest()
        request.requestId = requestID
        var vintage = Recs_Common_V1_Vintage()
        (vintage.month, vintage.year) = (Self.vintage.month, Self.vintage.year)
        request.vintage = vintage
        return request
    }

    /// Every certificate `organization` holds, in every subaccount and status, by status.
    static func holdings(_ system: CrashSystem, _ holder: Holder) async throws -> [Recs_Common_V1_CertificateStatus: Int64] {
        var request = Recs_Transfer_V1_GetHoldingsSummaryRequest()
        request.organizationId = holder.organizationID
        let totals = try await system.transferClient.getHoldingsSummary(request, options: holder.options).totals
        return Dictionary(totals.map { ($0.status, $0.quantity) }, uniquingKeysWith: +)
    }

    /// Every event of the transfer service's feed, read page by page.
    static func transferEvents(_ system: CrashSystem) async throws -> [Recs_Transfer_V1_Event] {
        var events: [Recs_Transfer_V1_Event] = []
        var request = Recs_Transfer_V1_ListEventsRequest()
        request.limit = 1_000
        while true {
            request.afterSequence = events.last?.sequence ?? 0
            let page = try await system.transferClient.listEvents(request, options: system.administrator)
            events += page.events
            if page.events.isEmpty || events.last?.sequence ?? 0 >= page.lastSequence { return events }
        }
    }

    /// Every event of the issuance service's feed, read page by page.
    static func issuanceEvents(_ system: CrashSystem) async throws -> [Recs_Issuance_V1_Event] {
        var events: [Recs_Issuance_V1_Event] = []
        var request = Recs_Issuance_V1_ListEventsRequest()
        request.limit = 1_000
        while true {
            request.afterSequence = events.last?.sequence ?? 0
            let page = try await system.issuanceClient.listEvents(request, options: system.administrator)
            events += page.events
            if page.events.isEmpty || events.last?.sequence ?? 0 >= page.lastSequence { return events }
        }
    }
}
