import Domain
import GRPCWire
import ProtoMessages
import ProtoServices
import RegistryCore
import Storage
import StorageTestSupport
import ServiceTestSupport
import Testing

/// Generating units: registration, approval and reporting entity designation (Operating Rules §5.3,
/// §9.2, §10), through the in-process registry on SQLite and on PostgreSQL (when
/// RECS_TEST_POSTGRES_URL is set).
@Suite("registry generating units")
struct GeneratingUnitTests {
    @Test("§5.3: RegisterGeneratingUnit rejects a bad id or an unknown fuel with INVALID_ARGUMENT naming the field",
        arguments: TestDatabaseKind.allCases)
    func registerRejectsMalformedFields(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let organization = try #require(try await client.createOrganization(Requests.createOrganization("org")).organization)
            let active = try organization.subaccount(.active).subaccountId

            let badOrganization = try await expectStatus(.invalidArgument) {
                _ = try await client.registerGeneratingUnit(
                    Requests.registerUnit("bad-org", organizationID: "X1", depositSubaccountID: active))
            }
            #expect(badOrganization.message.contains("organization_id"))
            #expect(try errorDetails(badOrganization).violations.first?.code == UInt32(RuleViolation.Code.organizationIDMalformed.rawValue))

            let badSubaccount = try await expectStatus(.invalidArgument) {
                _ = try await client.registerGeneratingUnit(
                    Requests.registerUnit("bad-sub", organizationID: "A1", depositSubaccountID: "12AB-99"))
            }
            #expect(badSubaccount.message.contains("deposit_subaccount_id"))

            // Appendix C Table 8: XYZ is not a fuel type code.
            let unknownFuel = try await expectStatus(.invalidArgument) {
                _ = try await client.registerGeneratingUnit(
                    Requests.registerUnit(
                        "bad-fuel", organizationID: "A1", depositSubaccountID: active, staticData: Requests.staticData(fuel: "XYZ")))
            }
            #expect(unknownFuel.message.contains("static_data.fuels[0].fuel_type_code"))
            #expect(unknownFuel.message.contains("Table 8"))
            let details = try errorDetails(unknownFuel)
            #expect(details.violations.first?.code == UInt32(RuleViolation.Code.fuelTypeUnknown.rawValue))
            #expect(details.violations.first?.field == "static_data.fuels[0].fuel_type_code")

            // The failure was recorded: the retry answers it again (idempotency rule 3).
            let retried = try await expectStatus(.invalidArgument) {
                _ = try await client.registerGeneratingUnit(
                    Requests.registerUnit(
                        "bad-fuel", organizationID: "A1", depositSubaccountID: active, staticData: Requests.staticData(fuel: "XYZ")))
            }
            #expect(retried.message == unknownFuel.message)

            // §6: a unit deposits into an Active subaccount only.
            let retirement = try organization.subaccount(.retirement).subaccountId
            try await expectStatus(.failedPrecondition) {
                _ = try await client.registerGeneratingUnit(
                    Requests.registerUnit("retirement-deposit", organizationID: "A1", depositSubaccountID: retirement))
            }
            // §4, §12.5: outside the Western Interconnection.
            var eastern = Requests.staticData()
            eastern.stateOrProvince = "NY"
            try await expectStatus(.failedPrecondition) {
                _ = try await client.registerGeneratingUnit(
                    Requests.registerUnit("eastern", organizationID: "A1", depositSubaccountID: active, staticData: eastern))
            }
            try await expectStatus(.notFound) {
                _ = try await client.registerGeneratingUnit(
                    Requests.registerUnit("no-org", organizationID: "A77", depositSubaccountID: active))
            }
            // Only the organization and its Manager: no refused unit left an event.
            #expect(try await client.listEvents(Recs_Registry_V1_ListEventsRequest()).events.count == 2)
        }
    }

    @Test("§5.3, §5.3.1, §9.2, §10: register (REGISTERED), approve (APPROVED, once), designate the QRE",
        arguments: TestDatabaseKind.allCases)
    func registerApproveDesignate(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let holder = try #require(try await client.createOrganization(Requests.createOrganization("holder")).organization)
            let qre = try #require(
                try await client.createOrganization(
                    Requests.createOrganization("qre", name: "Grid QRE", type: .qualifiedReportingEntity)
                ).organization)
            let active = try holder.subaccount(.active).subaccountId

            let registered = try #require(
                try await client.registerGeneratingUnit(
                    Requests.registerUnit("register", organizationID: holder.organizationId, depositSubaccountID: active)
                ).generatingUnit)
            #expect(registered.generatingUnitId == "W1")
            #expect(registered.status == .registered)
            #expect(registered.unitClass == .b)  // 2 MW wholesale (Table 9-1)
            #expect(registered.staticData?.stateOrProvince == "CA")
            #expect(registered.depositSubaccountId == active)

            // Self-reporting is for Classes I and J only (§9.2.2): FAILED_PRECONDITION per the API.
            var selfReport = Recs_Registry_V1_DesignateReportingEntityRequest()
            selfReport.requestId = "self"
            selfReport.generatingUnitId = "W1"
            selfReport.type = .accountHolder
            let notAllowed = try await expectStatus(.failedPrecondition) { _ = try await client.designateReportingEntity(selfReport) }
            #expect(try errorDetails(notAllowed).violations.first?.code == UInt32(RuleViolation.Code.selfReportingNotAllowed.rawValue))

            var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
            approve.requestId = "approve"
            approve.generatingUnitId = "w1"
            approve.verificationNotes = "meter and interconnection verified"
            let approved = try #require(try await client.approveGeneratingUnit(approve).generatingUnit)
            #expect(approved.status == .approved)
            #expect(approved.approvedOn != nil)
            // The same request again is the same answer; a new request is FAILED_PRECONDITION (§5.3.1).
            #expect(try await client.approveGeneratingUnit(approve).generatingUnit == approved)
            approve.requestId = "approve-again"
            try await expectStatus(.failedPrecondition) { _ = try await client.approveGeneratingUnit(approve) }
            approve.requestId = "approve-missing"
            approve.generatingUnitId = "W404"
            try await expectStatus(.notFound) { _ = try await client.approveGeneratingUnit(approve) }

            var designate = Recs_Registry_V1_DesignateReportingEntityRequest()
            designate.requestId = "designate"
            designate.generatingUnitId = "W1"
            designate.type = .qualifiedReportingEntity
            designate.reportingEntityOrganizationId = qre.organizationId
            designate.reportingEntityUnitId = "SUNNY-1"
            let designated = try #require(try await client.designateReportingEntity(designate).generatingUnit)
            #expect(designated.reportingEntity?.reportingEntityOrganizationId == "A2")
            #expect(designated.reportingEntity?.reportingEntityUnitId == "SUNNY-1")
            #expect(designated.status == .approved)

            // A QRE must be a QRE (§10): the account holder is not one.
            designate.requestId = "designate-holder"
            designate.reportingEntityOrganizationId = holder.organizationId
            try await expectStatus(.failedPrecondition) { _ = try await client.designateReportingEntity(designate) }

            // One (entity, UNITID) pair per unit (Appendix D Table 27).
            let second = try #require(
                try await client.registerGeneratingUnit(
                    Requests.registerUnit("register-2", organizationID: holder.organizationId, depositSubaccountID: active)
                ).generatingUnit)
            designate.requestId = "designate-2"
            designate.generatingUnitId = second.generatingUnitId
            designate.reportingEntityOrganizationId = qre.organizationId
            try await expectStatus(.failedPrecondition) { _ = try await client.designateReportingEntity(designate) }

            var get = Recs_Registry_V1_GetGeneratingUnitRequest()
            get.generatingUnitId = "W1"
            #expect(try await client.getGeneratingUnit(get).generatingUnit == designated)
            get.generatingUnitId = "not a unit"
            let malformed = try await expectStatus(.invalidArgument) { _ = try await client.getGeneratingUnit(get) }
            #expect(malformed.message.contains("generating_unit_id"))
        }
    }
}
