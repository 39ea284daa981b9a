import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import RegistryCore
import ServiceTestSupport
import StorageTestSupport
import Testing

/// Operating Rules §19.3.2 ("Regulators will have access to Accounts that have selected them ... in
/// the State/Provincial/Voluntary Access Selection screen") and §20 (the look-up, for program
/// administrators only on accounts that granted them access): `SetProgramAccessSelection` through an
/// enforced registry, and what a program administrator's own key may then read.
@Suite("program access selection")
struct ProgramAccessTests {
    typealias Setup = RegistryUserTests.Setup

    /// A program administrator organization (Appendix C Table 7) and a key of its Manager.
    func programAdministrator(_ name: String, _ setup: Setup) async throws -> (id: String, key: CallOptions) {
        var request = Requests.createOrganization("pa-\(name)", name: "Program \(name)", type: .programAdministrator)
        request.administeredProgramCodes = ["CA"]
        let created = try await setup.registry.createOrganization(request, options: setup.admin)
        return (try #require(created.organization).organizationId, try await setup.key(for: created.manager?.userId ?? ""))
    }

    func select(_ administrators: [String], for organizationID: String, _ requestID: String, by options: CallOptions, _ setup: Setup)
        async throws -> Recs_Registry_V1_Organization
    {
        var request = Recs_Registry_V1_SetProgramAccessSelectionRequest()
        (request.requestId, request.organizationId, request.programAdministratorOrganizationIds) = (requestID, organizationID, administrators)
        return try #require(try await setup.registry.setProgramAccessSelection(request, options: options).organization)
    }

    func view(_ organizationID: String, as options: CallOptions, _ setup: Setup) async throws {
        var get = Recs_Registry_V1_GetOrganizationRequest()
        get.organizationId = organizationID
        _ = try await setup.registry.getOrganization(get, options: options)
    }

    @Test(
        "§19.3.2, §20: a program administrator views exactly the accounts that selected it, from the next call, until withdrawn",
        arguments: TestDatabaseKind.allCases)
    func selectionOpensAndCloses(kind: TestDatabaseKind) async throws {
        try await RegistryUserTests().withSetup(kind) { setup in
            let holder = setup.organization.organizationId
            let (selected, selectedKey) = try await programAdministrator("selected", setup)
            let (other, otherKey) = try await programAdministrator("other", setup)
            try await RegistryUserTests().expectRule(.permissionDenied, "1009") { try await view(holder, as: selectedKey, setup) }

            // Listed twice and out of order: kept once, in id order.
            let organization = try await select([other, selected, selected], for: holder, "select", by: setup.manager, setup)
            #expect(organization.programAccessOrganizationIds == [selected, other].sorted { ($0.count, $0) < ($1.count, $1) })
            try await view(holder, as: selectedKey, setup)
            try await view(holder, as: otherKey, setup)
            // Only the account that selected it: A3 did not.
            try await RegistryUserTests().expectRule(.permissionDenied, "1009") {
                try await view(setup.other.organizationId, as: selectedKey, setup)
            }

            // Replacing the selection withdraws what it no longer names.
            _ = try await select([selected], for: holder, "narrow", by: setup.manager, setup)
            try await view(holder, as: selectedKey, setup)
            try await RegistryUserTests().expectRule(.permissionDenied, "1009") { try await view(holder, as: otherKey, setup) }
            let none = try await select([], for: holder, "withdraw", by: setup.manager, setup)
            #expect(none.programAccessOrganizationIds.isEmpty)
            try await RegistryUserTests().expectRule(.permissionDenied, "1009") { try await view(holder, as: selectedKey, setup) }

            // A retry returns the first outcome and changes nothing; the same id with another body is refused.
            let replay = try await select([selected], for: holder, "narrow", by: setup.manager, setup)
            #expect(replay.programAccessOrganizationIds == [selected])
            try await RegistryUserTests().expectRule(.permissionDenied, "1009") { try await view(holder, as: selectedKey, setup) }
            try await RegistryUserTests().expectRule(.alreadyExists, "REQUEST_ID_REUSED") {
                _ = try await select([other], for: holder, "narrow", by: setup.manager, setup)
            }

            // Every change is an organization event in the feed the other services follow.
            var list = Recs_Registry_V1_ListEventsRequest()
            list.limit = 1_000
            let selections = try await setup.registry.listEvents(list, options: setup.admin).events.compactMap { event -> [String]? in
                guard event.action == "SetProgramAccessSelection", case .organization(let record) = event.payload,
                    record.organizationId == holder
                else { return nil }
                return record.programAccessOrganizationIds
            }
            #expect(selections == [[selected, other].sorted { ($0.count, $0) < ($1.count, $1) }, [selected], []])
        }
    }

    @Test(
        "§19.3.2, §7.1: only active program administrators are selected, by the account's Supervisors and Manager or the administrator",
        arguments: TestDatabaseKind.allCases)
    func whoAndWhat(kind: TestDatabaseKind) async throws {
        try await RegistryUserTests().withSetup(kind) { setup in
            let holder = setup.organization.organizationId
            let (administrator, administratorKey) = try await programAdministrator("pa", setup)
            let expectRule = RegistryUserTests().expectRule

            // What is named: a program administrator, each id well formed and existing (the field named).
            let notProgram = try await expectStatus(.failedPrecondition) {
                _ = try await select([administrator, setup.other.organizationId], for: holder, "holder", by: setup.manager, setup)
            }
            #expect(RegistryAccessTests.reason(notProgram) == "1013")
            #expect(notProgram.message.contains("program_administrator_organization_ids[1]"), "\(notProgram)")
            let malformed = try await expectStatus(.invalidArgument) {
                _ = try await select([administrator, "B7"], for: holder, "malformed", by: setup.manager, setup)
            }
            #expect(malformed.message.contains("program_administrator_organization_ids[1]"), "\(malformed)")
            let missing = try await expectStatus(.notFound) { _ = try await select(["A9999"], for: holder, "missing", by: setup.manager, setup) }
            #expect(missing.message.contains("program_administrator_organization_ids[0]"), "\(missing)")
            // Only an account holder's account selects program administrators.
            try await expectRule(.failedPrecondition, "1013") {
                _ = try await select([], for: administrator, "own", by: setup.admin, setup)
            }
            // Nothing was half-applied by the refusals.
            var get = Recs_Registry_V1_GetOrganizationRequest()
            get.organizationId = holder
            #expect(try await setup.registry.getOrganization(get, options: setup.admin).organization?.programAccessOrganizationIds == [])

            // Who: View Only and Maintenance logins of the account may not; another account's Manager
            // may not; the program administrator cannot select itself; a Supervisor and the
            // administrator may.
            let viewer = try await setup.key(for: try await setup.createUser("pa-viewer", level: .viewOnly).userId)
            try await expectRule(.permissionDenied, "1006") { _ = try await select([administrator], for: holder, "viewer", by: viewer, setup) }
            let clerk = try await setup.key(for: try await setup.createUser("pa-clerk", level: .maintenance).userId)
            try await expectRule(.permissionDenied, "1006") { _ = try await select([administrator], for: holder, "clerk", by: clerk, setup) }
            let otherManager = try await setup.key(for: setup.other.managerUserId)
            try await expectRule(.permissionDenied, "1007") {
                _ = try await select([administrator], for: holder, "other", by: otherManager, setup)
            }
            try await expectRule(.permissionDenied, "1007") {
                _ = try await select([administrator], for: holder, "self", by: administratorKey, setup)
            }
            let supervisor = try await setup.key(for: try await setup.createUser("pa-supervisor", level: .supervisor).userId)
            #expect(try await select([administrator], for: holder, "supervisor", by: supervisor, setup).programAccessOrganizationIds == [administrator])
            #expect(try await select([], for: holder, "administrator", by: setup.admin, setup).programAccessOrganizationIds == [])
        }
    }
}
