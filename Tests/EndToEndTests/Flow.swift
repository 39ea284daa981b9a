import Domain
import Foundation
import GRPCWire
import Ledger
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import Storage
import Testing

/// The first flow of issue 3, step by step, through the running services.
struct Flow {
    let system: System
    /// Each organization's API key (its Manager's), made by the administrator after creating it.
    let keys = KeyRing()

    /// Call options of the administrator, or of `organization`'s Manager.
    var administrator: CallOptions { TestDeployment.options(system.administratorKey) }
    func as_(_ organization: String) -> CallOptions { TestDeployment.options(keys[organization]) }

    static let vintage = (month: Int32(1), year: Int32(2025))
    static let qreUnitID = "SUNNY-1"

    func run() async throws {
        // Simulated time (ADR 0007): 10 February 2025, noon in the registry's time zone (Pacific).
        let set = try recsLines(["clock", "set", "2025-02-10T20:00:00Z"], as: nil)
        #expect(set.status == 0 && set.output.components(separatedBy: "2025-02-10T20:00:00Z").count - 1 == 4, "\(set.output)")

        // registry: two account holders and a QRE; a unit registered, approved, its QRE designated.
        let owner = try await createOrganization("e2e-org-owner", name: "Sunny Acres LLC", type: .accountHolder)
        let buyer = try await createOrganization("e2e-org-buyer", name: "Green Buyer Co", type: .accountHolder)
        let qre = try await createOrganization("e2e-org-qre", name: "Meter Readers QRE", type: .qualifiedReportingEntity)
        let ownerActive = try owner.subaccount(.active)
        let unitID = try await registerApprovedUnit(owner: owner.organizationId, deposit: ownerActive, qre: qre.organizationId)

        // issuance: the QRE's generation file for January 2025 (100.5 MWh), within the 75 days (§12.3).
        let upload = try await uploadGeneration("e2e-upload-1", qre: qre.organizationId, month: 1, megawattHours: "100.500")
        #expect(upload.postedCount == 1 && upload.rejectedCount == 0)
        #expect(upload.records.first?.outcome == .posted, "received within 75 days of the month, not a prior period adjustment: \(upload)")
        // §12.2: nobody runs the cycle; 80 simulated days later (1 May, the 90th day after January)
        // it has run by itself, and its batch is deposited.
        let advanced = try recsLines(["clock", "advance", "80d"], as: nil)
        #expect(advanced.status == 0, "\(advanced.output)")
        #expect(advanced.output.contains("RunIssuanceCycle 01/2025"), "the cycle ran on its own: \(advanced.output)")
        let cycles = Recs_Issuance_V1_ListIssuanceCyclesRequest()
        let listed = try await system.issuanceClient.listIssuanceCycles(cycles, options: administrator).cycles
        #expect(listed.map(\.state) == [.completed] && listed.first?.cycleDate?.month == 5 && listed.first?.cycleDate?.day == 1)
        let cycle = try await runCycle("e2e-cycle-1")
        let unitIssuance = try #require(cycle.units.first { $0.generatingUnitId == unitID })
        #expect(unitIssuance.certificates == 100, "whole MWh only (§12.2)")
        #expect(unitIssuance.carriedForward?.kilowattHours == 500, "the fraction rolls forward (§12.6)")
        let batchNumber = try #require(unitIssuance.batchNumbers.first)
        // The same call again, and the cycle run a second time, issue nothing twice.
        #expect(try await runCycle("e2e-cycle-1").units.first { $0.generatingUnitId == unitID }?.batchNumbers == [batchNumber])
        let second = try await runCycleResponse("e2e-cycle-2")
        let first = try await runCycleResponse("e2e-cycle-1")
        #expect(first.alreadyCompleted, "the automatic run issued; the administrator's run by hand issues nothing more")
        #expect(second.alreadyCompleted, "the vintage's cycle had completed: nothing issued by this call")
        #expect(second.cycle?.units.flatMap(\.batchNumbers) == [batchNumber])
        var listBatches = Recs_Issuance_V1_ListCertificateBatchesRequest()
        listBatches.generatingUnitId = unitID
        #expect(
            try await system.issuanceClient.listCertificateBatches(listBatches, options: as_(owner.organizationId)).batches.map(\.batchNumber)
                == [batchNumber])
        let batch = try await certificateBatch(batchNumber)
        #expect(batch.quantity == 100)

        // transfer: the batch is deposited into the unit's Active subaccount exactly once (§14.2).
        let deposited = try await eventually(timeout: .seconds(30)) {
            try await activeQuantity(owner.organizationId) == 100
        }
        #expect(deposited, "the batch reaches the owner's Active subaccount")

        let range = try #require(batch.serialRange)
        func serials(_ first: Int64, _ last: Int64) -> Recs_Common_V1_SerialRange {
            var part = range
            part.text = ""
            part.first = first
            part.last = last
            return part
        }
        // Part of the batch to the buyer, through `recs`: pending and frozen until accepted (§15.2).
        // §7, §11: nobody takes another account's certificates (issue 7: an anonymous caller did).
        try await expectRefused(.unauthenticated, "an anonymous transfer request") {
            var request = Recs_Transfer_V1_RequestInterAccountTransferRequest()
            (request.requestId, request.organizationId, request.toOrganizationId) = ("e2e-steal-0", owner.organizationId, buyer.organizationId)
            var item = Recs_Transfer_V1_TransferItem()
            item.serialRange = serials(1, 40)
            request.items = [item]
            _ = try await system.transferClient.requestInterAccountTransfer(request)
        }
        try await expectRefused(.permissionDenied, "the buyer moving the owner's certificates") {
            _ = try await requestTransfer("e2e-steal-1", from: owner.organizationId, to: buyer.organizationId, serials(1, 40), as: buyer.organizationId)
        }
        let requested = try recs(
            ["transfer", "request", "--from", owner.organizationId, "--to", buyer.organizationId, text(serials(1, 40))],
            as: owner.organizationId, requestID: "e2e-transfer-1")
        #expect(requested["state"] as? String == "pending", "recs transfer request: \(requested)")
        let transferID = try #require(requested["transfer_id"] as? String)
        #expect((requested["to_subaccount_id"] as? String ?? "").isEmpty, "M-RETS: the sender sees the recipient's organization, not its subaccount")
        try await expectRefused(.permissionDenied, "the sender accepting its own transfer") {
            _ = try await answer(transferID, .accept, "e2e-accept-by-owner", as: owner.organizationId)
        }
        let acceptedByCLI = try recs(["transfer", "accept", transferID], as: buyer.organizationId, requestID: "e2e-accept-1")
        #expect(acceptedByCLI["state"] as? String == "completed", "recs transfer accept: \(acceptedByCLI)")
        #expect((acceptedByCLI["from_subaccount_id"] as? String ?? "").isEmpty, "the recipient sees the sender's organization only")
        // §7.3, M-RETS: each party sees its own subaccount, the administrator both, anybody else nothing.
        var read = Recs_Transfer_V1_GetTransferRequest()
        read.transferId = transferID
        let bySender = try #require(try await system.transferClient.getTransfer(read, options: as_(owner.organizationId)).transfer)
        let byRecipient = try #require(try await system.transferClient.getTransfer(read, options: as_(buyer.organizationId)).transfer)
        let byAdministrator = try #require(try await system.transferClient.getTransfer(read, options: administrator).transfer)
        #expect(!bySender.fromSubaccountId.isEmpty && bySender.toSubaccountId.isEmpty)
        #expect(byRecipient.fromSubaccountId.isEmpty && !byRecipient.toSubaccountId.isEmpty)
        #expect(!byAdministrator.fromSubaccountId.isEmpty && !byAdministrator.toSubaccountId.isEmpty)
        try await expectRefused(.notFound, "a third party reading the transfer") {
            _ = try await system.transferClient.getTransfer(read, options: as_(qre.organizationId))
        }
        // Rejected and withdrawn transfers return the certificates.
        let rejected = try await requestTransfer("e2e-transfer-2", from: owner.organizationId, to: buyer.organizationId, serials(41, 50))
        _ = try await answer(rejected.transferId, .reject, "e2e-reject-2", as: buyer.organizationId)
        let withdrawn = try await requestTransfer("e2e-transfer-3", from: owner.organizationId, to: buyer.organizationId, serials(51, 55))
        try await expectRefused(.permissionDenied, "the recipient withdrawing the sender's transfer") {
            _ = try await answer(withdrawn.transferId, .withdraw, "e2e-withdraw-by-buyer", as: buyer.organizationId)
        }
        _ = try await answer(withdrawn.transferId, .withdraw, "e2e-withdraw-3", as: owner.organizationId)
        // One left pending: frozen at the owner.
        let pending = try await requestTransfer("e2e-transfer-4", from: owner.organizationId, to: buyer.organizationId, serials(91, 100))
        #expect(pending.state == .pending)
        // Retirements with a reason (§16.1), by both holders.
        try await retire("e2e-retire-owner", organization: owner.organizationId, retirement: owner.subaccount(.retirement), serials(56, 60))
        try await retire("e2e-retire-buyer", organization: buyer.organizationId, retirement: buyer.subaccount(.retirement), serials(1, 10))

        // reporting: once it has applied every feed, the look-up shows each part where it is.
        try await waitForReporting()
        // §20: a holder looks up what it holds; the range spans both holders, so only the
        // administrator sees it whole.
        try await expectRefused(.permissionDenied, "the owner looking up the buyer's certificates") {
            _ = try await lookUp(serials(1, 100), as: as_(owner.organizationId))
        }
        #expect(try await lookUp(serials(61, 90), as: as_(owner.organizationId)).count == 1)
        let statuses = try await lookUp(serials(1, 100))
        let expected: [(Int64, Int64, Recs_Common_V1_CertificateStatus, String)] = [
            (1, 10, .retired, buyer.organizationId), (11, 40, .active, buyer.organizationId),
            (41, 55, .active, owner.organizationId), (56, 60, .retired, owner.organizationId),
            (61, 90, .active, owner.organizationId), (91, 100, .pendingTransfer, owner.organizationId),
        ]
        // Parts that changed at different times are separate rows (each has its own date of last
        // change, §20); where each certificate is and in which status is what must match.
        #expect(Self.places(statuses) == expected.map { "\($0.0)-\($0.1) \($0.2) \($0.3)" })
        for status in statuses {
            #expect(status.attributes?.generatingUnitId == unitID)
            #expect(status.attributes?.vintage?.year == Self.vintage.year)
            #expect(status.statusChangedAt != nil)
            if status.status == .retired {
                #expect(status.retirementReason?.category == .voluntaryMarketActivity, "§16.1: the reason stays with the certificates")
            }
        }
        // The same look-up through `recs`.
        let lookedUp = try recs(["lookup", text(serials(1, 100))], as: nil)
        #expect((lookedUp["statuses"] as? [Any])?.count == statuses.count, "recs lookup: \(lookedUp)")
        let single = try await lookUp(serials(57, 57))
        #expect(single.count == 1 && single.first?.status == .retired)
        let generators = try await system.reportingClient.listActiveGenerators(
            Recs_Reporting_V1_ListActiveGeneratorsRequest(), options: as_(buyer.organizationId))
        #expect(generators.generators.contains { $0.generatingUnitId == unitID })

        let february = try await issueWhileTransferIsDown(qre: qre.organizationId, unitID: unitID, owner: owner.organizationId)

        // §15.2: the pending transfer of 91-100 is not answered. A retirement of them is refused
        // meanwhile; 14 simulated days later the transfer has expired and they are the owner's again.
        let retirePending = try await expectRefusedReturning(.failedPrecondition) {
            try await retire("e2e-retire-pending", organization: owner.organizationId, retirement: owner.subaccount(.retirement), serials(91, 100))
        }
        let expiry = try recsLines(["clock", "advance", "14d"], as: nil)
        #expect(expiry.output.contains("TransferExpired \(pending.transferId)"), "the transfer expired in the advance: \(expiry.output)")
        var get = Recs_Transfer_V1_GetTransferRequest()
        get.transferId = pending.transferId
        #expect(try await system.transferClient.getTransfer(get, options: as_(owner.organizationId)).transfer?.state == .expired)
        try await expectRefused(.failedPrecondition, "an acceptance after the 14 days") {
            _ = try await answer(pending.transferId, .accept, "e2e-accept-late", as: buyer.organizationId)
        }
        // The refused retirement sent again is refused again (its first outcome), though the
        // certificates are free now; a new request retires them.
        let replayed = try await expectRefusedReturning(.failedPrecondition) {
            try await retire("e2e-retire-pending", organization: owner.organizationId, retirement: owner.subaccount(.retirement), serials(91, 100))
        }
        #expect(replayed.message == retirePending.message)
        try await retire("e2e-retire-freed", organization: owner.organizationId, retirement: owner.subaccount(.retirement), serials(91, 100))

        try await checkConservation(
            issued: [batchNumber: 100, february: 21], organizations: [owner.organizationId, buyer.organizationId])
        try await revokedKeyRefusedEverywhere(organization: buyer.organizationId)
        try await programAccessAcrossServices(owner: owner.organizationId, ownersSerials: serials(91, 100))
        try await auditChainCatchesAnEdit(organization: buyer)
    }

    /// §19.3.2, §20 (issue 7): a program administrator sees an account's holdings (transfer) and
    /// looks up its certificates (reporting) once the account selected it on its access selection,
    /// and no longer once the selection is withdrawn; every service follows within 5 seconds.
    func programAccessAcrossServices(owner: String, ownersSerials: Recs_Common_V1_SerialRange) async throws {
        let regulator = try await createOrganization(
            "e2e-program", name: "California Energy Commission", type: .programAdministrator, programs: ["CA"]).organizationId
        func reads() async -> [String: RPCError?] {
            var holdings = Recs_Transfer_V1_GetHoldingsSummaryRequest()
            holdings.organizationId = owner
            var organization = Recs_Registry_V1_GetOrganizationRequest()
            organization.organizationId = owner
            var outcomes: [String: RPCError?] = [:]
            for (service, read) in [
                ("registry", { _ = try await system.registryClient.getOrganization(organization, options: as_(regulator)) }),
                ("transfer", { _ = try await system.transferClient.getHoldingsSummary(holdings, options: as_(regulator)) }),
                ("reporting", { _ = try await lookUp(ownersSerials, as: as_(regulator)) }),
            ] as [(String, () async throws -> Void)] {
                do {
                    try await read()
                    outcomes[service] = .some(nil)
                } catch let error as RPCError {
                    outcomes[service] = error
                } catch {
                    outcomes[service] = RPCError(.unknown, "\(error)")
                }
            }
            return outcomes
        }
        func refusedFor1009(_ outcomes: [String: RPCError?]) -> Bool {
            outcomes.count == 3 && outcomes.values.allSatisfy { error in
                guard let error, error.code == .permissionDenied, let bytes = error.metadata.binary("recs-error-details-bin"),
                    let details = try? Recs_Common_V1_ErrorDetails(protobufBytes: bytes)
                else { return false }
                return details.violations.contains { $0.code == 1009 }
            }
        }
        let before = try await eventually(timeout: .seconds(5), every: .milliseconds(20)) { refusedFor1009(await reads()) }
        let beforeOutcomes = await reads()
        #expect(before, "the program administrator before any selection: \(beforeOutcomes)")

        // The owner's Manager selects it, through `recs`.
        let selected = try recs(["org", "program-access", owner, regulator], as: owner, requestID: "e2e-select-program")
        #expect(selected["program_access"] as? [String] == [regulator], "recs org program-access: \(selected)")
        let admitted = try await eventually(timeout: .seconds(5), every: .milliseconds(20)) {
            await reads().values.allSatisfy { $0 == nil }
        }
        let admittedOutcomes = await reads()
        #expect(admitted, "every service admits the selected program administrator: \(admittedOutcomes)")

        let withdrawn = try recs(["org", "program-access", owner], as: owner, requestID: "e2e-withdraw-program")
        #expect((withdrawn["program_access"] as? [String] ?? []).isEmpty, "recs org program-access (none): \(withdrawn)")
        let refusedAgain = try await eventually(timeout: .seconds(5), every: .milliseconds(20)) { refusedFor1009(await reads()) }
        let refusedAgainOutcomes = await reads()
        #expect(refusedAgain, "every service refuses the program administrator once withdrawn: \(refusedAgainOutcomes)")
    }

    /// §7, §11 (issue 7): every service's events form a hash chain; `recs audit verify` finds them
    /// intact, then names the event someone edited in the registry's database behind its back.
    func auditChainCatchesAnEdit(organization: Recs_Registry_V1_Organization) async throws {
        let intact = try recsLines(["audit", "verify"], as: nil)
        #expect(intact.status == 0, "recs audit verify on untouched services: \(intact.output)")
        #expect(intact.output.components(separatedBy: "intact: true").count - 1 == 4, "\(intact.output)")

        // The buyer's creation event: its name changed in the stored bytes, as an editor would.
        var events = Recs_Registry_V1_ListEventsRequest()
        events.limit = 1_000
        let feed = try await system.registryClient.listEvents(events, options: administrator).events
        let target = try #require(feed.first { $0.organization.organizationId == organization.organizationId })
        var edited = target
        edited.chainHash = []
        var renamed = edited.organization
        renamed.name = "Green Buyer Co (renamed)"
        edited.organization = renamed
        try editStoredRegistryEvent(sequence: target.sequence, payload: edited.protobufBytes())

        let caught = try recsLines(["audit", "verify", "registry"], as: nil)
        #expect(caught.status == 1, "recs audit verify after the edit: \(caught.output)")
        #expect(caught.output.contains("event \(target.sequence) was altered"), "\(caught.output)")
        #expect(caught.output.contains("first_break_sequence: \(target.sequence)"), "\(caught.output)")
    }

    /// Rewrites one event's stored bytes with the database's own client (sqlite3 or psql).
    func editStoredRegistryEvent(sequence: Int64, payload: [UInt8]) throws {
        let hex = payload.map { String(format: "%02x", $0) }.joined()
        let (tool, arguments): (String, [String])
        if system.registryStore.hasPrefix("sqlite:") {
            let file = String(system.registryStore.dropFirst("sqlite:".count))
            (tool, arguments) = ("/usr/bin/sqlite3", [file, "UPDATE events SET payload = X'\(hex)' WHERE sequence = \(sequence);"])
        } else {
            (tool, arguments) = (
                "/usr/bin/psql",
                [system.registryStore, "-v", "ON_ERROR_STOP=1", "-c", "UPDATE events SET payload = decode('\(hex)', 'hex') WHERE sequence = \(sequence);"]
            )
        }
        let (status, output) = try runToEnd(tool, arguments, environment: ProcessInfo.processInfo.environment)
        #expect(status == 0, "\(tool) failed: \(output)")
    }

    /// `recs <arguments>` as text: its exit status and everything it printed.
    func recsLines(_ arguments: [String], as organization: String?) throws -> (status: Int32, output: String) {
        try runToEnd(ServiceProcess.executable("recs").path, arguments, environment: recsEnvironment(as: organization))
    }

    /// `recs`'s environment: where the four services are, their CA, and the key of `organization`'s
    /// Manager (nil: the administrator's).
    func recsEnvironment(as organization: String?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RECS_") }
        environment["RECS_REGISTRY_ADDRESS"] = system.registry.address
        environment["RECS_ISSUANCE_ADDRESS"] = system.issuance.address
        environment["RECS_TRANSFER_ADDRESS"] = system.transfer.address
        environment["RECS_REPORTING_ADDRESS"] = system.reporting.address
        environment["RECS_CA"] = TestDeployment.caPath
        environment["RECS_API_KEY"] = organization.map { keys[$0] ?? "" } ?? system.administratorKey
        return environment
    }

    /// §7, §11 (issue 7): a revoked key, and a disabled login's key, are refused by all four
    /// services, each of which authenticates calls itself from the registry's feed; within one
    /// poll of their followers (100 ms here, 500 ms by default), bounded here at 5 seconds.
    func revokedKeyRefusedEverywhere(organization: String) async throws {
        let manager = try await whoAmI(as_(organization))
        var create = Recs_Registry_V1_CreateApiKeyRequest()
        (create.requestId, create.label) = ("e2e-key-to-revoke", "revoked in the test")
        let created = try await system.registryClient.createApiKey(create, options: as_(organization))
        #expect(created.apiKey?.userId == manager.user?.userId)
        try await refusedEverywhere(
            TestDeployment.options(created.secret), organization: organization, "a revoked key",
            change: {
                var revoke = Recs_Registry_V1_RevokeApiKeyRequest()
                (revoke.requestId, revoke.keyId) = ("e2e-revoke", created.apiKey?.keyId ?? "")
                _ = try await system.registryClient.revokeApiKey(revoke, options: as_(organization))
            }, refused: { $0.code == .unauthenticated })

        // §7.2.2: a login of the account, disabled by its Manager.
        var user = Recs_Registry_V1_CreateUserRequest()
        (user.requestId, user.organizationId, user.kind, user.accessLevel) = ("e2e-clerk", organization, .inOrganization, .viewOnly)
        (user.personName, user.login) = ("Casey Clerk", "e2e-clerk")
        let clerk = try #require(try await system.registryClient.createUser(user, options: as_(organization)).user)
        var clerkKey = Recs_Registry_V1_CreateApiKeyRequest()
        (clerkKey.requestId, clerkKey.userId) = ("e2e-clerk-key", clerk.userId)
        let secret = try await system.registryClient.createApiKey(clerkKey, options: as_(organization)).secret
        try await refusedEverywhere(
            TestDeployment.options(secret), organization: organization, "a disabled login",
            change: {
                var disable = Recs_Registry_V1_DisableUserRequest()
                (disable.requestId, disable.userId, disable.reason) = ("e2e-disable-clerk", clerk.userId, "left")
                _ = try await system.registryClient.disableUser(disable, options: as_(organization))
            },
            refused: { error in
                // Refused by the policy as not active (rule 1004), not as an unknown key.
                guard error.code == .permissionDenied, let bytes = error.metadata.binary("recs-error-details-bin"),
                    let details = try? Recs_Common_V1_ErrorDetails(protobufBytes: bytes)
                else { return false }
                return details.violations.contains { $0.code == 1004 }
            })
        // The Manager's own key still works everywhere.
        for (service, probe) in probes(organization) {
            do {
                try await probe(as_(organization))
            } catch let error as RPCError {
                #expect(error.code != .unauthenticated && error.code != .permissionDenied, "\(service) refused the Manager: \(error)")
            }
        }
    }

    /// One read per service, with an outcome that depends only on who calls.
    func probes(_ organization: String) -> [(String, (CallOptions) async throws -> Void)] {
        [
            ("registry", { options in _ = try await system.registryClient.whoAmI(Recs_Registry_V1_WhoAmIRequest(), options: options) }),
            ("issuance", { options in
                var request = Recs_Issuance_V1_ListCertificateBatchesRequest()
                request.generatingUnitId = "W999"
                _ = try await system.issuanceClient.listCertificateBatches(request, options: options)
            }),
            ("transfer", { options in
                var request = Recs_Transfer_V1_GetHoldingsSummaryRequest()
                request.organizationId = organization
                _ = try await system.transferClient.getHoldingsSummary(request, options: options)
            }),
            ("reporting", { options in
                _ = try await system.reportingClient.listActiveGenerators(Recs_Reporting_V1_ListActiveGeneratorsRequest(), options: options)
            }),
        ]
    }

    /// `key` works on every service; after `change`, every service refuses it (`refused`) within 5 s.
    func refusedEverywhere(
        _ key: CallOptions, organization: String, _ what: String, change: () async throws -> Void,
        refused: @escaping (RPCError) -> Bool
    ) async throws {
        func outcome(_ probe: (CallOptions) async throws -> Void) async -> RPCError? {
            do {
                try await probe(key)
                return nil
            } catch let error as RPCError {
                return error
            } catch {
                return RPCError(.unknown, "\(error)")
            }
        }
        for (service, probe) in probes(organization) {
            let known = try await eventually(timeout: .seconds(10)) {
                guard let error = await outcome(probe) else { return true }
                return error.code != .unauthenticated && error.code != .permissionDenied
            }
            #expect(known, "\(service) never accepted the key before \(what)")
        }
        let changedAt = ContinuousClock.now
        try await change()
        for (service, probe) in probes(organization) {
            let isRefused = try await eventually(timeout: .seconds(5), every: .milliseconds(20)) {
                guard let error = await outcome(probe) else { return false }
                return refused(error)
            }
            #expect(isRefused, "\(service) still accepts \(what) after \(ContinuousClock.now - changedAt)")
        }
    }

    /// Expects `body` to fail with `code`; returns the error.
    func expectRefusedReturning(
        _ code: StatusCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async throws -> RPCError {
        do {
            try await body()
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error
        }
        Issue.record("not refused", sourceLocation: sourceLocation)
        throw ServiceProcessError("expected a refusal")
    }

    func whoAmI(_ options: CallOptions) async throws -> Recs_Registry_V1_WhoAmIResponse {
        try await system.registryClient.whoAmI(Recs_Registry_V1_WhoAmIRequest(), options: options)
    }

    /// Expects `body` to fail with `code`.
    func expectRefused(
        _ code: StatusCode, _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
            Issue.record("\(what) was not refused", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
        }
    }

    /// §12.6, §14.2: February's cycle runs while the transfer service is down; the batch is issued
    /// with the fraction carried from January, deposited once transfer is back, and only once
    /// however often the cycle is retried. Returns the batch number.
    func issueWhileTransferIsDown(qre: String, unitID: String, owner: String) async throws -> Int64 {
        let activeBefore = try await activeQuantity(owner)
        #expect(await system.stopTransfer() == 0, "transfer stops gracefully on SIGTERM")
        let upload = try await uploadGeneration("e2e-upload-2", qre: qre, month: 2, megawattHours: "20.700")
        #expect(upload.postedCount == 1)
        let cycle = try await runCycle("e2e-cycle-feb", month: 2)
        let issued = try #require(cycle.units.first { $0.generatingUnitId == unitID })
        #expect(issued.certificates == 21, "20.7 MWh + 0.5 MWh carried from January (§12.6)")
        #expect(issued.carriedForward?.kilowattHours == 200)
        #expect(!issued.deposited, "transfer is down: issued, not yet deposited")
        let batchNumber = try #require(issued.batchNumbers.first)

        try await system.restartTransfer()
        let deposited = try await eventually(timeout: .seconds(30)) {
            try await activeQuantity(owner) == activeBefore + 21
        }
        #expect(deposited, "the outstanding deposit is retried once transfer is back")
        // A retry of the cycle answers the same batch, now deposited, and deposits nothing again.
        let retried = try await runCycle("e2e-cycle-feb", month: 2)
        #expect(retried.units.first { $0.generatingUnitId == unitID }.map { ($0.batchNumbers, $0.deposited) } ?? ([], false) == ([batchNumber], true))
        #expect(try await activeQuantity(owner) == activeBefore + 21)

        // Reporting's transfer feed failed while transfer was down; it resumes where it was.
        try await waitForReporting()
        let range = try #require(try await certificateBatch(batchNumber).serialRange)
        let statuses = try await lookUp(range)
        #expect(statuses.map { "\($0.serialRange?.text ?? "") \($0.status) \($0.holder?.organizationId ?? "")" } == ["\(range.text) active \(owner)"])
        return batchNumber
    }

    /// "first-last status organization" per run of consecutive certificates in the same place and
    /// status, whatever the rows; a gap or overlap between rows shows as an extra entry.
    static func places(_ statuses: [Recs_Reporting_V1_SerialNumberStatus]) -> [String] {
        var runs: [(first: Int64, last: Int64, place: String)] = []
        for status in statuses {
            let (first, last) = (status.serialRange?.first ?? 0, status.serialRange?.last ?? 0)
            let place = "\(status.status) \(status.holder?.organizationId ?? "")"
            if let previous = runs.last, previous.place == place, previous.last + 1 == first {
                runs[runs.count - 1].last = last
            } else {
                runs.append((first, last, place))
            }
        }
        return runs.map { "\($0.first)-\($0.last) \($0.place)" }
    }

    // MARK: Steps

    /// Runs `recs <arguments> --json` against the four services; returns its JSON answer.
    /// `as` is the organization whose Manager's key recs sends (nil: the administrator's).
    func recs(_ arguments: [String], as organization: String?, requestID: String? = nil) throws -> [String: Any] {
        let process = Process()
        process.executableURL = ServiceProcess.executable("recs")
        process.arguments = arguments + ["--json"] + (requestID.map { ["--request-id", $0] } ?? [])
        process.environment = recsEnvironment(as: organization)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw ServiceProcessError(
                "recs \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: data, as: UTF8.self)) \(errorText)")
        }
        return object
    }

    /// The canonical text of a serial range (unit-state-batch-first-last).
    func text(_ range: Recs_Common_V1_SerialRange) -> String {
        "\(range.generatingUnitId)-\(range.stateOrProvince)-\(range.batchNumber)-\(range.first)-\(range.last)"
    }

    func createOrganization(_ requestID: String, name: String, type: Recs_Common_V1_OrganizationType, programs: [String] = []) async throws
        -> Recs_Registry_V1_Organization
    {
        var request = Recs_Registry_V1_CreateOrganizationRequest()
        request.requestId = requestID
        request.name = name
        request.type = type
        request.administeredProgramCodes = programs
        request.managerPersonName = "Pat \(name)"
        request.managerLogin = "manager-\(requestID)"
        let created = try await system.registryClient.createOrganization(request, options: administrator)
        let organization = try #require(created.organization)
        // The administrator gives the new Manager its first key (§7: the organization's users
        // then manage their own).
        var key = Recs_Registry_V1_CreateApiKeyRequest()
        (key.requestId, key.userId, key.label) = ("\(requestID)-key", created.manager?.userId ?? "", "e2e")
        keys[organization.organizationId] = try await system.registryClient.createApiKey(key, options: administrator).secret
        return organization
    }

    /// A 2 MW wholesale solar unit in California (Class B), approved, reported by `qre`.
    func registerApprovedUnit(owner: String, deposit: Recs_Registry_V1_Subaccount, qre: String) async throws -> String {
        var data = Recs_Registry_V1_GeneratingUnitStaticData()
        data.name = "Sunny Acres 1"
        data.facilityName = "Sunny Acres"
        data.stateOrProvince = "CA"
        data.country = "US"
        var fuel = Recs_Registry_V1_UnitFuel()
        fuel.fuelTypeCode = "SO1"
        fuel.fuelSourceCodes = ["solar"]
        data.fuels = [fuel]
        var commenced = Recs_Common_V1_Date()
        (commenced.year, commenced.month, commenced.day) = (2020, 6, 1)
        data.commencedOperationOn = commenced
        data.nameplateCapacityWatts = 2_000_000
        data.capacityFactorPartsPerMillion = 250_000
        var classification = Recs_Registry_V1_ClassificationCharacteristics()
        classification.siting = .wholesale
        data.classification = classification
        data.allOutputReported = true

        var register = Recs_Registry_V1_RegisterGeneratingUnitRequest()
        register.requestId = "e2e-unit"
        register.organizationId = owner
        register.depositSubaccountId = deposit.subaccountId
        register.staticData = data
        let unit = try #require(try await system.registryClient.registerGeneratingUnit(register, options: as_(owner)).generatingUnit)

        var approve = Recs_Registry_V1_ApproveGeneratingUnitRequest()
        approve.requestId = "e2e-approve"
        approve.generatingUnitId = unit.generatingUnitId
        approve.verificationNotes = "meter verified"
        _ = try await system.registryClient.approveGeneratingUnit(approve, options: administrator)

        var designate = Recs_Registry_V1_DesignateReportingEntityRequest()
        designate.requestId = "e2e-designate"
        designate.generatingUnitId = unit.generatingUnitId
        designate.type = .qualifiedReportingEntity
        designate.reportingEntityOrganizationId = qre
        designate.reportingEntityUnitId = Self.qreUnitID
        _ = try await system.registryClient.designateReportingEntity(designate, options: as_(owner))
        return unit.generatingUnitId
    }

    /// One month of 2025 (January or February) for the unit.
    func uploadGeneration(_ requestID: String, qre: String, month: Int, megawattHours: String) async throws
        -> Recs_Issuance_V1_GenerationUpload
    {
        let lastDay = month == 2 ? 28 : 31
        let file = """
            UNITID,Vintage,BeginDate,EndDate,TotalMWh
            \(Self.qreUnitID),0\(month)/2025,0\(month)/01/2025,0\(month)/\(lastDay)/2025,\(megawattHours)

            """
        var request = Recs_Issuance_V1_UploadGenerationFileRequest()
        request.requestId = requestID
        request.reporterOrganizationId = qre
        request.fileName = "2025-0\(month).csv"
        request.content = Array(file.utf8)
        // The QRE's key must have reached issuance (it learns keys from the registry's feed).
        var upload: Recs_Issuance_V1_GenerationUpload?
        _ = try await eventually(timeout: .seconds(10)) {
            do {
                upload = try await system.issuanceClient.uploadGenerationFile(request, options: as_(qre)).upload
                return true
            } catch let error as RPCError where error.code == .unauthenticated {
                return false
            }
        }
        return try #require(upload)
    }

    func runCycle(_ requestID: String, month: Int32 = vintage.month) async throws -> Recs_Issuance_V1_IssuanceCycle {
        try #require(try await runCycleResponse(requestID, month: month).cycle)
    }

    func runCycleResponse(_ requestID: String, month: Int32 = vintage.month) async throws -> Recs_Issuance_V1_RunIssuanceCycleResponse {
        var request = Recs_Issuance_V1_RunIssuanceCycleRequest()
        request.requestId = requestID
        var vintage = Recs_Common_V1_Vintage()
        (vintage.month, vintage.year) = (month, Self.vintage.year)
        request.vintage = vintage
        return try await system.issuanceClient.runIssuanceCycle(request, options: administrator)
    }

    func certificateBatch(_ number: Int64) async throws -> Recs_Common_V1_CertificateBatch {
        var request = Recs_Issuance_V1_GetCertificateBatchRequest()
        request.batchNumber = number
        return try #require(try await system.issuanceClient.getCertificateBatch(request, options: administrator).batch)
    }

    func activeQuantity(_ organization: String) async throws -> Int64 {
        var request = Recs_Transfer_V1_GetHoldingsSummaryRequest()
        request.organizationId = organization
        return try await system.transferClient.getHoldingsSummary(request, options: as_(organization)).totals
            .filter { $0.subaccountKind == .active && $0.status == .active }.reduce(0) { $0 + $1.quantity }
    }

    func requestTransfer(
        _ requestID: String, from: String, to: String, _ serials: Recs_Common_V1_SerialRange, as caller: String? = nil
    ) async throws -> Recs_Transfer_V1_Transfer {
        var item = Recs_Transfer_V1_TransferItem()
        item.serialRange = serials
        var request = Recs_Transfer_V1_RequestInterAccountTransferRequest()
        request.requestId = requestID
        request.organizationId = from
        request.toOrganizationId = to
        request.items = [item]
        return try #require(try await system.transferClient.requestInterAccountTransfer(request, options: as_(caller ?? from)).transfer)
    }

    enum Answer { case accept, reject, withdraw }

    func answer(_ transferID: String, _ answer: Answer, _ requestID: String, as caller: String) async throws -> Recs_Transfer_V1_Transfer? {
        let options = as_(caller)
        switch answer {
        case .accept:
            var request = Recs_Transfer_V1_AcceptTransferRequest()
            (request.requestId, request.transferId) = (requestID, transferID)
            return try await system.transferClient.acceptTransfer(request, options: options).transfer
        case .reject:
            var request = Recs_Transfer_V1_RejectTransferRequest()
            (request.requestId, request.transferId, request.reason) = (requestID, transferID, "not ordered")
            return try await system.transferClient.rejectTransfer(request, options: options).transfer
        case .withdraw:
            var request = Recs_Transfer_V1_WithdrawTransferRequest()
            (request.requestId, request.transferId) = (requestID, transferID)
            return try await system.transferClient.withdrawTransfer(request, options: options).transfer
        }
    }

    func retire(
        _ requestID: String, organization: String, retirement: Recs_Registry_V1_Subaccount, _ serials: Recs_Common_V1_SerialRange
    ) async throws {
        var item = Recs_Transfer_V1_TransferItem()
        item.serialRange = serials
        var reason = Recs_Common_V1_RetirementReason()
        reason.category = .voluntaryMarketActivity
        reason.details = "2025 green power claim"
        var request = Recs_Transfer_V1_RetireCertificatesRequest()
        request.requestId = requestID
        request.organizationId = organization
        request.items = [item]
        request.retirementSubaccountId = retirement.subaccountId
        request.reason = reason
        _ = try await system.transferClient.retireCertificates(request, options: as_(organization))
    }

    /// Until reporting has applied every event the three services had published.
    func waitForReporting() async throws {
        let registryLast = try await system.registryClient.listEvents(Recs_Registry_V1_ListEventsRequest(), options: administrator).lastSequence
        let issuanceLast = try await system.issuanceClient.listEvents(Recs_Issuance_V1_ListEventsRequest(), options: administrator).lastSequence
        let transferLast = try await system.transferClient.listEvents(Recs_Transfer_V1_ListEventsRequest(), options: administrator).lastSequence
        let wanted = [
            "recs.registry.v1.RegistryService": registryLast, "recs.issuance.v1.IssuanceService": issuanceLast,
            "recs.transfer.v1.TransferService": transferLast,
        ]
        var positions: [String: Int64] = [:]
        let caughtUp = try await eventually(timeout: .seconds(30)) {
            let response = try await system.reportingClient.getFeedPositions(Recs_Reporting_V1_GetFeedPositionsRequest(), options: administrator)
            positions = Dictionary(response.positions.map { ($0.service, $0.appliedSequence) }, uniquingKeysWith: max)
            return wanted.allSatisfy { service, last in (positions[service] ?? 0) >= last }
        }
        #expect(caughtUp, "reporting applied \(positions), the services published \(wanted)")
        #expect(positions == wanted, "reporting never applies more than was published")
    }

    func lookUp(_ serials: Recs_Common_V1_SerialRange, as options: CallOptions? = nil) async throws -> [Recs_Reporting_V1_SerialNumberStatus] {
        var request = Recs_Reporting_V1_LookUpSerialNumbersRequest()
        request.serialRange = serials
        return try await system.reportingClient.lookUpSerialNumbers(request, options: options ?? administrator).statuses
    }

    /// The ledger's invariant, checked in the transfer service's own database and through the
    /// services' answers: for every batch the quantities held in all states sum to the issued
    /// quantity, and no serial number lies in two holdings.
    func checkConservation(issued: [Int64: Int64], organizations: [String]) async throws {
        let database = try await system.openTransferDatabase()
        do {
            let ledger = Ledger(database: database)
            let report = try await ledger.checkConservation()
            #expect(report.batches == issued.count)
            #expect(report.certificates == issued.values.reduce(0, +))
            for (batchNumber, quantity) in issued {
                let holdings = try await ledger.holdings(batchNumber: batchNumber).sorted { $0.serials.numbers.first < $1.serials.numbers.first }
                #expect(holdings.reduce(0) { $0 + $1.serials.numbers.quantity } == quantity)
                for (previous, next) in zip(holdings, holdings.dropFirst()) {
                    #expect(previous.serials.numbers.last < next.serials.numbers.first, "serials \(next.serials) are in two holdings")
                }
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()

        // The same through the transfer service's API: every certificate of every holder, all states.
        var total: Int64 = 0
        for organization in organizations {
            var request = Recs_Transfer_V1_GetHoldingsSummaryRequest()
            request.organizationId = organization
            total += try await system.transferClient.getHoldingsSummary(request, options: as_(organization)).totals.reduce(0) { $0 + $1.quantity }
        }
        #expect(total == issued.values.reduce(0, +))
    }
}

extension Recs_Registry_V1_Organization {
    func subaccount(_ kind: Recs_Common_V1_SubaccountKind) throws -> Recs_Registry_V1_Subaccount {
        guard let subaccount = subaccounts.first(where: { $0.kind == kind }) else {
            throw ServiceProcessError("\(organizationId) has no \(kind) subaccount")
        }
        return subaccount
    }
}

/// The organizations' keys, by organization id.
final class KeyRing: @unchecked Sendable {
    private var keys: [String: String] = [:]
    subscript(organization: String) -> String? {
        get { keys[organization] }
        set { keys[organization] = newValue }
    }
}
