import Domain
import GRPCWire
import ProtoMessages
import ProtoServices
import RegistryCore
import Storage
import StorageTestSupport
import ServiceTestSupport
import Testing

/// Organizations with their account, subaccounts and Manager (Operating Rules §5.2, §6, §7.1), through
/// the in-process registry on SQLite and on PostgreSQL (when RECS_TEST_POSTGRES_URL is set).
@Suite("registry organizations")
struct OrganizationTests {
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
}
