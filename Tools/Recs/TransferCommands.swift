import ArgumentParser
import ProtoMessages

// recs transfer ..., recs retire, recs holdings: the transfer service.

struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer", abstract: "Inter-account transfers (transfer).",
        subcommands: [Request.self, Accept.self, Reject.self, Withdraw.self, Get.self])

    struct Request: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Offer certificates to another account; they are frozen until it answers (§15.2).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The transferor organization.")
        var from: String

        @Option(help: "The recipient organization.")
        var to: String

        @Option(help: "Notes visible to both parties.")
        var notes: String = ""

        @Option(name: .customLong("execution-date"), help: "Execute on this day, YYYY-MM-DD (default: on acceptance).", transform: Parse.date)
        var executionDate: Recs_Common_V1_Date?

        @Argument(help: "Serial ranges, unit-state-batch-first-last.", transform: Parse.serialRange)
        var serialRanges: [Recs_Common_V1_SerialRange]

        func execute(_ session: Session) async throws {
            var request = Recs_Transfer_V1_RequestInterAccountTransferRequest()
            request.organizationId = from
            request.toOrganizationId = to
            request.items = transferItems(serialRanges)
            request.executionDate = executionDate
            request.notes = notes
            request.requestId = session.requestID()
            let response = try await session.transfer.requestInterAccountTransfer(request, options: session.callOptions)
            session.printer.emit(response.transfer?.record ?? Record())
        }
    }

    struct Accept: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a pending transfer (recipient).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Transfer id.")
        var transferID: String

        @Option(name: .customLong("to-subaccount"), help: "Active subaccount receiving them. (default: the one the account opened with)")
        var toSubaccount: String = ""

        func execute(_ session: Session) async throws {
            var request = Recs_Transfer_V1_AcceptTransferRequest()
            request.transferId = transferID
            request.toSubaccountId = toSubaccount
            request.requestId = session.requestID()
            let response = try await session.transfer.acceptTransfer(request, options: session.callOptions)
            session.printer.emit(response.transfer?.record ?? Record())
        }
    }

    struct Reject: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a pending transfer (recipient).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Transfer id.")
        var transferID: String

        @Option(help: "Why, shown to the transferor.")
        var reason: String = ""

        func execute(_ session: Session) async throws {
            var request = Recs_Transfer_V1_RejectTransferRequest()
            request.transferId = transferID
            request.reason = reason
            request.requestId = session.requestID()
            let response = try await session.transfer.rejectTransfer(request, options: session.callOptions)
            session.printer.emit(response.transfer?.record ?? Record())
        }
    }

    struct Withdraw: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a pending transfer (transferor).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Transfer id.")
        var transferID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Transfer_V1_WithdrawTransferRequest()
            request.transferId = transferID
            request.requestId = session.requestID()
            let response = try await session.transfer.withdrawTransfer(request, options: session.callOptions)
            session.printer.emit(response.transfer?.record ?? Record())
        }
    }

    struct Get: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Show a transfer.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Transfer id.")
        var transferID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Transfer_V1_GetTransferRequest()
            request.transferId = transferID
            let response = try await session.transfer.getTransfer(request, options: session.callOptions)
            session.printer.emit(response.transfer?.record ?? Record())
        }
    }
}

/// Whole serial ranges as transfer items (quantity 0 takes the whole range).
func transferItems(_ ranges: [Recs_Common_V1_SerialRange]) -> [Recs_Transfer_V1_TransferItem] {
    ranges.map { range in
        var item = Recs_Transfer_V1_TransferItem()
        item.serialRange = range
        return item
    }
}

struct Retire: RecsCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retire certificates into a Retirement subaccount, with a reason (§16.1; permanent).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The holding organization.")
    var organization: String

    @Option(help: "The organization's Retirement subaccount (default: its first one, asked of the registry).")
    var subaccount: String = ""

    @Option(help: "program, voluntary or other.")
    var category: RetirementCategoryArgument

    @Option(help: "Table 7 program code (with --category program), e.g. CA.")
    var program: String = ""

    @Option(help: "Free text, at most 500 characters.")
    var details: String = ""

    @Argument(help: "Serial ranges, unit-state-batch-first-last.", transform: Parse.serialRange)
    var serialRanges: [Recs_Common_V1_SerialRange]

    func validate() throws {
        if (category == .program) == program.isEmpty {
            throw ValidationError("--program is required with --category program and allowed only with it")
        }
    }

    func execute(_ session: Session) async throws {
        var request = Recs_Transfer_V1_RetireCertificatesRequest()
        request.organizationId = organization
        request.retirementSubaccountId = subaccount.isEmpty ? try await retirementSubaccount(session) : subaccount
        request.items = transferItems(serialRanges)
        var reason = Recs_Common_V1_RetirementReason()
        reason.category = category.proto
        reason.programCode = program
        reason.details = details
        request.reason = reason
        request.requestId = session.requestID()
        let response = try await session.transfer.retireCertificates(request, options: session.callOptions)
        session.printer.emit(response.transaction?.record ?? Record())
    }

    /// The organization's first Retirement subaccount, from the registry.
    func retirementSubaccount(_ session: Session) async throws -> String {
        var request = Recs_Registry_V1_GetOrganizationRequest()
        request.organizationId = organization
        let found = try await session.registry.getOrganization(request, options: session.callOptions).organization
        guard let subaccount = found?.subaccounts.first(where: { $0.kind == .retirement }) else {
            throw CommandFailure("\(organization) has no Retirement subaccount: give --subaccount")
        }
        return subaccount.subaccountId
    }
}

struct Holdings: RecsCommand {
    static let configuration = CommandConfiguration(
        abstract: "Certificates an organization holds, by subaccount kind and status.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Organization id.")
    var organizationID: String

    func execute(_ session: Session) async throws {
        var request = Recs_Transfer_V1_GetHoldingsSummaryRequest()
        request.organizationId = organizationID
        let response = try await session.transfer.getHoldingsSummary(request, options: session.callOptions)
        let totals: [Record] = response.totals.map {
            ["subaccount_kind": .name($0.subaccountKind), "status": .name($0.status), "quantity": .int($0.quantity)]
        }
        session.printer.emit(list: "totals", totals, extra: ["open_transaction_count": .int(response.openTransactionCount)])
    }
}
