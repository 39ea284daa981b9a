import ArgumentParser
import ProtoMessages

// recs org ..., recs unit ...: the registry service.

struct Org: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Organizations and their accounts (registry).", subcommands: [Create.self, Get.self, List.self, ProgramAccess.self])

    struct Create: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an organization; its account opens with one subaccount of each kind and its Manager.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The organization's name.")
        var name: String

        @Option(help: "account-holder, qre, program-administrator or registry-administrator.")
        var type: OrganizationTypeArgument

        @Option(name: .customLong("manager-name"), help: "The Manager's full name.")
        var managerName: String

        @Option(name: .customLong("manager-login"), help: "The Manager's login.")
        var managerLogin: String

        @Option(name: .customLong("manager-email"), help: "The Manager's e-mail address.")
        var managerEmail: String = ""

        @Option(name: .customLong("program"), help: "A program it administers (Table 7 code, e.g. CA); repeatable.")
        var programs: [String] = []

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_CreateOrganizationRequest()
            request.requestId = session.requestID()
            request.name = name
            request.type = type.proto
            request.managerPersonName = managerName
            request.managerLogin = managerLogin
            request.managerEmail = managerEmail
            request.administeredProgramCodes = programs
            let response = try await session.registry.createOrganization(request, options: session.callOptions)
            var record = response.organization?.record ?? Record()
            record["manager_login"] = .string(response.manager?.login ?? "")
            session.printer.emit(record)
        }
    }

    struct Get: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Show an organization and its subaccounts.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Organization id, e.g. A12.")
        var organizationID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_GetOrganizationRequest()
            request.organizationId = organizationID
            let response = try await session.registry.getOrganization(request, options: session.callOptions)
            session.printer.emit(response.organization?.record ?? Record())
        }
    }

    struct List: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "List organizations.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var page: PageOptions

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_ListOrganizationsRequest()
            request.page = page.proto
            let response = try await session.registry.listOrganizations(request, options: session.callOptions)
            session.printer.emit(
                list: "organizations", response.organizations.map(\.record), extra: pageFooter(response.page))
        }
    }
}

extension Org {
    struct ProgramAccess: RecsCommand {
        static let configuration = CommandConfiguration(
            commandName: "program-access",
            abstract: "Choose the program administrators that may view the account and look up its certificates (§19.3.2, §20).",
            discussion: "Replaces the whole selection: name every program administrator to keep; none withdraws every grant.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The account holder's organization id, e.g. A12.")
        var organizationID: String

        @Argument(help: "Program administrator organization ids, e.g. A6 A7.")
        var programAdministrators: [String] = []

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_SetProgramAccessSelectionRequest()
            request.requestId = session.requestID()
            request.organizationId = organizationID
            request.programAdministratorOrganizationIds = programAdministrators
            let response = try await session.registry.setProgramAccessSelection(request, options: session.callOptions)
            session.printer.emit(response.organization?.record ?? Record())
        }
    }
}

struct Unit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generating units (registry).",
        subcommands: [Register.self, Approve.self, DesignateQRE.self, Get.self])

    struct Register: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a generating unit with its static data (Appendix B-1); it waits for approval.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The account holder organization registering the unit.")
        var organization: String

        @Option(
            name: .customLong("deposit-subaccount"),
            help: "Active subaccount receiving its certificates. (default: the one the account opened with)")
        var depositSubaccount: String?

        @Option(help: "Unit name.")
        var name: String

        @Option(name: .customLong("facility-name"), help: "Primary facility name. (default: the unit name)")
        var facilityName: String?

        @Option(help: "Facility county.")
        var county: String = ""

        @Option(help: "Two-letter state or province, inside the Western Interconnection.")
        var state: String

        @Option(help: "ISO 3166-1 alpha-2 country.")
        var country: String = "US"

        @Option(help: "Fuel type, Appendix C Table 8 code (e.g. WND, SO1).")
        var fuel: String

        @Option(help: "Fuel source, Appendix B-2 code (e.g. wind, solar); repeatable.")
        var source: [String]

        @Option(name: .customLong("technology"), help: "Generation technology / prime mover.")
        var technology: String = ""

        @Option(name: .customLong("capacity-kw"), help: "Nameplate capacity in kW (or --capacity-watts).")
        var capacityKilowatts: Int64?

        @Option(name: .customLong("capacity-watts"), help: "Nameplate capacity in watts.")
        var capacityWatts: Int64?

        @Option(
            name: .customLong("capacity-factor-ppm"),
            help: "Expected capacity factor in parts per million (250000 = 25%), used by the feasibility check.")
        var capacityFactor: Int64

        @Option(help: "Commercial operation date, YYYY-MM-DD.", transform: Parse.date)
        var commenced: Recs_Common_V1_Date

        @Option(name: .customLong("operator"), help: "Facility operator (company or organization).")
        var facilityOperator: String = ""

        @Option(help: "Siting for the unit class (Table 9-1).")
        var siting: SitingArgument = .wholesale

        @Option(name: .customLong("revenue-meter"), help: "Revenue meter id.")
        var revenueMeter: String?

        @Flag(
            name: .customLong("all-output-reported"), inversion: .prefixedNo,
            help: "100% of the registered meter's output is reported to the registry (§5.3).")
        var allOutputReported = true

        func validate() throws {
            if (capacityKilowatts == nil) == (capacityWatts == nil) {
                throw ValidationError("give the nameplate capacity with exactly one of --capacity-kw and --capacity-watts")
            }
            if let capacityKilowatts, capacityKilowatts > Int64.max / 1000 { throw ValidationError("--capacity-kw is too large") }
        }

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_RegisterGeneratingUnitRequest()
            request.organizationId = organization
            request.depositSubaccountId = try await depositSubaccountID(session)
            request.staticData = staticData
            request.requestId = session.requestID()
            let response = try await session.registry.registerGeneratingUnit(request, options: session.callOptions)
            session.printer.emit(response.generatingUnit?.record ?? Record())
        }

        /// The given subaccount, or the organization's Active subaccount opened with its account.
        private func depositSubaccountID(_ session: Session) async throws -> String {
            if let depositSubaccount { return depositSubaccount }
            var request = Recs_Registry_V1_GetOrganizationRequest()
            request.organizationId = organization
            let organization = try await session.registry.getOrganization(request, options: session.callOptions).organization
            let active = organization?.subaccounts.filter { $0.kind == .active } ?? []
            guard let subaccount = active.first(where: \.openedWithAccount) ?? active.first else {
                throw CommandFailure("\(self.organization) has no Active subaccount: give --deposit-subaccount")
            }
            return subaccount.subaccountId
        }

        private var staticData: Recs_Registry_V1_GeneratingUnitStaticData {
            var data = Recs_Registry_V1_GeneratingUnitStaticData()
            data.name = name
            data.facilityName = facilityName ?? name
            data.facilityCounty = county
            data.stateOrProvince = state
            data.country = country
            data.generationTechnology = technology
            var unitFuel = Recs_Registry_V1_UnitFuel()
            unitFuel.fuelTypeCode = fuel
            unitFuel.fuelSourceCodes = source
            data.fuels = [unitFuel]
            data.commencedOperationOn = commenced
            data.nameplateCapacityWatts = capacityWatts ?? (capacityKilowatts ?? 0) * 1000
            data.capacityFactorPartsPerMillion = capacityFactor
            data.facilityOperator = facilityOperator
            var classification = Recs_Registry_V1_ClassificationCharacteristics()
            classification.siting = siting.proto
            data.classification = classification
            if let revenueMeter { data.revenueMeterId = revenueMeter }
            data.allOutputReported = allOutputReported
            return data
        }
    }

    struct Approve: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a registered unit (registry administrator).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Generating unit id.")
        var generatingUnitID: String

        @Option(help: "What was verified; kept in the audit trail.")
        var notes: String = ""

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_ApproveGeneratingUnitRequest()
            request.generatingUnitId = generatingUnitID
            request.verificationNotes = notes
            request.requestId = session.requestID()
            let response = try await session.registry.approveGeneratingUnit(request, options: session.callOptions)
            session.printer.emit(response.generatingUnit?.record ?? Record())
        }
    }

    struct DesignateQRE: RecsCommand {
        static let configuration = CommandConfiguration(
            commandName: "designate-qre",
            abstract: "Designate the qualified reporting entity that uploads the unit's generation.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Generating unit id.")
        var generatingUnitID: String

        @Option(help: "The QRE organization id.")
        var qre: String

        @Option(name: .customLong("qre-unit-id"), help: "The UNITID the QRE writes in its generation files.")
        var qreUnitID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_DesignateReportingEntityRequest()
            request.generatingUnitId = generatingUnitID
            request.type = .qualifiedReportingEntity
            request.reportingEntityOrganizationId = qre
            request.reportingEntityUnitId = qreUnitID
            request.requestId = session.requestID()
            let response = try await session.registry.designateReportingEntity(request, options: session.callOptions)
            session.printer.emit(response.generatingUnit?.record ?? Record())
        }
    }

    struct Get: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Show a generating unit.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Generating unit id.")
        var generatingUnitID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_GetGeneratingUnitRequest()
            request.generatingUnitId = generatingUnitID
            let response = try await session.registry.getGeneratingUnit(request, options: session.callOptions)
            session.printer.emit(response.generatingUnit?.record ?? Record())
        }
    }
}

/// `--siting` of `recs unit register` (Table 9-1 columns).
enum SitingArgument: String, CaseIterable, ExpressibleByArgument {
    case wholesale
    case wholesaleOnSite = "wholesale-on-site"
    case customerSited = "customer-sited"

    var proto: Recs_Registry_V1_Siting {
        switch self {
        case .wholesale: .wholesale
        case .wholesaleOnSite: .wholesaleAlsoServingOnSiteLoad
        case .customerSited: .customerSitedDistributedGeneration
        }
    }
}
