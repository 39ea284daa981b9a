import Domain
import GRPCWire
import ProtoMessages
import ProtoServices
import RegistryCore
import Storage
import StorageTestSupport
import ServiceTestSupport
import Testing

/// RegistryService end to end: in-process server, generated client, on SQLite and on PostgreSQL
/// (when RECS_TEST_POSTGRES_URL is set). Sections are the WREGIS Operating Rules.
@Suite("RegistryService")
struct RegistryServiceTests {
    @Test("§6: CreateOrganization assigns A1, A2 and opens one Active, Retirement, Reserve and Export subaccount",
        arguments: TestDatabaseKind.allCases)
    func createOrganizationOpensFourSubaccounts(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let created = try await client.createOrganization(Requests.createOrganization("create-1"))
            let first = created.organization
            // §7.1: the account's one Manager comes with it.
            let manager = try #require(created.manager)
            #expect(manager.accessLevel == .manager && manager.status == .active && manager.kind == .inOrganization)
            #expect(manager.organizationId == "A1" && manager.login == "pat-create-1")
            #expect(first?.managerUserId == manager.userId)
            let second = try await client.createOrganization(
                Requests.createOrganization("create-2", name: "Grid QRE", type: .qualifiedReportingEntity)).organization
            let organization = try #require(first)
            #expect(organization.organizationId == "A1")
            #expect(second?.organizationId == "A2")
            #expect(organization.status == .active)
            #expect(organization.type == .accountHolder)
            #expect(organization.subaccounts.map(\.kind) == [.active, .retirement, .reserve, .export])
            for subaccount in organization.subaccounts {
                // §6: unique ids in the MCT shape 1234ABCD-55ZZ, parsed by the domain.
                #expect(try SubaccountID(parsing: subaccount.subaccountId).description == subaccount.subaccountId)
                #expect(subaccount.organizationId == "A1")
                #expect(subaccount.openedWithAccount)
            }
            let ids = (organization.subaccounts + (second?.subaccounts ?? [])).map(\.subaccountId)
            #expect(Set(ids).count == 8)

            // §7: logins are unique across the registry (a natural key: ALREADY_EXISTS).
            var taken = Requests.createOrganization("create-3")
            taken.managerLogin = "PAT-CREATE-1"
            let loginTaken = try await expectStatus(.alreadyExists) { _ = try await client.createOrganization(taken) }
            #expect(loginTaken.message.contains("manager_login"))
            var noName = Requests.createOrganization("create-4")
            noName.name = " "
            let missingName = try await expectStatus(.invalidArgument) { _ = try await client.createOrganization(noName) }
            #expect(missingName.message.contains("name"))

            var get = Recs_Registry_V1_GetOrganizationRequest()
            get.organizationId = "a1"
            #expect(try await client.getOrganization(get).organization == organization)

            get.organizationId = "A99"
            try await expectStatus(.notFound) { _ = try await client.getOrganization(get) }
            get.organizationId = "B1"
            let malformed = try await expectStatus(.invalidArgument) { _ = try await client.getOrganization(get) }
            #expect(malformed.message.contains("organization_id"))

            var list = Recs_Registry_V1_ListOrganizationsRequest()
            list.type = .qualifiedReportingEntity
            #expect(try await client.listOrganizations(list).organizations.map(\.organizationId) == ["A2"])
            var page = Recs_Common_V1_PageRequest()
            page.pageSize = 1
            list = Recs_Registry_V1_ListOrganizationsRequest()
            list.page = page
            let firstPage = try await client.listOrganizations(list)
            #expect(firstPage.organizations.map(\.organizationId) == ["A1"])
            page.pageToken = firstPage.page?.nextPageToken ?? ""
            list.page = page
            let secondPage = try await client.listOrganizations(list)
            #expect(secondPage.organizations.map(\.organizationId) == ["A2"])
            #expect(secondPage.page?.nextPageToken ?? "" == "")
        }
    }

    @Test("Idempotency: a retry with the same request_id and request returns the first response and creates nothing",
        arguments: TestDatabaseKind.allCases)
    func retryReturnsFirstResponse(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let request = Requests.createOrganization("same-id")
            let first = try await client.createOrganization(request)
            let again = try await client.createOrganization(request)
            #expect(again == first)
            let organizations = try await client.listOrganizations(Recs_Registry_V1_ListOrganizationsRequest())
            #expect(organizations.organizations.count == 1)
            // One organization: its record and its Manager's login (two events).
            let events = try await client.listEvents(Recs_Registry_V1_ListEventsRequest())
            #expect(events.events.count == 2)
            #expect(events.lastSequence == 2)
        }
    }

    @Test("Idempotency: the same request_id with a different request is ALREADY_EXISTS (REQUEST_ID_REUSED)",
        arguments: TestDatabaseKind.allCases)
    func reusedRequestIDIsAlreadyExists(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            _ = try await client.createOrganization(Requests.createOrganization("reused", name: "First"))
            let error = try await expectStatus(.alreadyExists) {
                _ = try await client.createOrganization(Requests.createOrganization("reused", name: "Second"))
            }
            #expect(error.message.contains("REQUEST_ID_REUSED"))
            #expect(try errorDetails(error).reason == "REQUEST_ID_REUSED")
            // Another method with the same id is a different request too.
            var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
            approve.requestId = "reused"
            approve.generatingUnitId = "W1"
            try await expectStatus(.alreadyExists) { _ = try await client.approveGeneratingUnit(approve) }
            // Only the first organization and its Manager (two events): the reused ids changed nothing.
            #expect(try await client.listEvents(Recs_Registry_V1_ListEventsRequest()).events.count == 2)
        }
    }

    @Test("Idempotency: a missing or malformed request_id is INVALID_ARGUMENT naming request_id",
        arguments: TestDatabaseKind.allCases)
    func missingRequestIDIsInvalidArgument(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let missing = try await expectStatus(.invalidArgument) {
                _ = try await client.createOrganization(Requests.createOrganization(""))
            }
            #expect(missing.message.contains("request_id"))
            #expect(try errorDetails(missing).reason == "REQUEST_ID_MISSING")
            let tooLong = try await expectStatus(.invalidArgument) {
                _ = try await client.createOrganization(Requests.createOrganization(String(repeating: "x", count: 129)))
            }
            #expect(tooLong.message.contains("request_id"))
            #expect(try await client.listEvents(Recs_Registry_V1_ListEventsRequest()).events.isEmpty)
        }
    }

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

    @Test("Event feed: one event per change, consecutive sequences from 1, after_sequence and limit",
        arguments: TestDatabaseKind.allCases)
    func eventsInOrder(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let holder = try #require(try await client.createOrganization(Requests.createOrganization("e-holder")).organization)
            _ = try await client.createOrganization(Requests.createOrganization("e-qre", name: "QRE", type: .qualifiedReportingEntity))
            _ = try await client.registerGeneratingUnit(
                Requests.registerUnit("e-unit", organizationID: "A1", depositSubaccountID: try holder.subaccount(.active).subaccountId))
            var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
            approve.requestId = "e-approve"
            approve.generatingUnitId = "W1"
            _ = try await client.approveGeneratingUnit(approve)
            var designate = Recs_Registry_V1_DesignateReportingEntityRequest()
            designate.requestId = "e-designate"
            designate.generatingUnitId = "W1"
            designate.type = .qualifiedReportingEntity
            designate.reportingEntityOrganizationId = "A2"
            designate.reportingEntityUnitId = "U-1"
            _ = try await client.designateReportingEntity(designate)
            _ = try await client.approveGeneratingUnit(approve)  // a retry: no new event

            let all = try await client.listEvents(Recs_Registry_V1_ListEventsRequest())
            // Each organization is two events: its record, then its Manager's login (§7.1).
            #expect(all.events.map(\.sequence) == [1, 2, 3, 4, 5, 6, 7])
            #expect(all.lastSequence == 7)
            #expect(
                all.events.map(\.action) == [
                    "CreateOrganization", "CreateOrganization", "CreateOrganization", "CreateOrganization",
                    "RegisterGeneratingUnit", "ApproveGeneratingUnit", "DesignateReportingEntity",
                ])
            #expect(all.events.map(\.requestId) == ["e-holder", "e-holder", "e-qre", "e-qre", "e-unit", "e-approve", "e-designate"])
            #expect(all.events[0].organization == holder)
            #expect(all.events[1].user.userId == holder.managerUserId)
            #expect(all.events[5].generatingUnit.status == .approved)
            #expect(all.events[6].generatingUnit.reportingEntity?.reportingEntityUnitId == "U-1")

            var page = Recs_Registry_V1_ListEventsRequest()
            page.afterSequence = 2
            page.limit = 2
            let middle = try await client.listEvents(page)
            #expect(middle.events.map(\.sequence) == [3, 4])
            #expect(middle.lastSequence == 7)
            page.afterSequence = 7
            #expect(try await client.listEvents(page).events.isEmpty)
            page.afterSequence = -1
            let negative = try await expectStatus(.invalidArgument) { _ = try await client.listEvents(page) }
            #expect(negative.message.contains("after_sequence"))
        }
    }

    @Test("Concurrent requests: distinct ids get distinct organizations and gap-free event sequences; one id runs once",
        arguments: TestDatabaseKind.allCases)
    func concurrentRequests(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            let created = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await client.createOrganization(Requests.createOrganization("parallel-\(index)")).organization?.organizationId ?? ""
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(created) == Set((1...8).map { "A\($0)" }))
            let sameID = try await withThrowingTaskGroup(of: Recs_Registry_V1_CreateOrganizationResponse.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await client.createOrganization(Requests.createOrganization("one-id")) }
                }
                return try await group.reduce(into: [Recs_Registry_V1_CreateOrganizationResponse]()) { $0.append($1) }
            }
            #expect(Set(sameID.map { $0.organization?.organizationId ?? "" }) == ["A9"])
            #expect(Set(sameID).count == 1)
            let events = try await client.listEvents(Recs_Registry_V1_ListEventsRequest())
            #expect(events.events.map(\.sequence) == Array(1...18))
        }
    }

    @Test("Methods not built yet answer UNIMPLEMENTED", arguments: TestDatabaseKind.allCases)
    func unimplementedMethods(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { client, _ in
            var request = Recs_Registry_V1_CreateSubaccountRequest()
            request.requestId = "sub"
            let error = try await expectStatus(.unimplemented) { _ = try await client.createSubaccount(request) }
            #expect(error.message == "CreateSubaccount is not implemented yet")
            try await expectStatus(.unimplemented) {
                _ = try await client.listGeneratingUnits(Recs_Registry_V1_ListGeneratingUnitsRequest())
            }
        }
    }

    @Test("Schema: migrations are forward-only and applying them again does nothing", arguments: TestDatabaseKind.allCases)
    func migrationsAreRepeatable(kind: TestDatabaseKind) async throws {
        try await withRegistry(kind) { _, testDatabase in
            let repository = RegistryRepository(database: testDatabase.database)
            let applied = try await repository.migrate()
            #expect(applied.isEmpty)
        }
    }
}
