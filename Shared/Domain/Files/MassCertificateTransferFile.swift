/// One transfer line of a Mass Certificate Transfer upload.
public struct MassTransferLine: Sendable, Hashable {
    public enum Destination: Sendable, Hashable {
        /// to_organization: an external transfer, which the receiving organization must accept.
        case organization(OrganizationID)
        /// to_account: an internal transfer into one of the sender's own Active subaccounts.
        case activeSubaccount(SubaccountID)
    }

    public let line: Int
    /// The batch range named by serial_number.
    public let serialRange: CertificateSerialRange
    public let quantity: Int64
    public let destination: Destination
    /// Visible to both sender and recipient; nil when blank.
    public let notes: String?

    /// The certificates this line moves: `quantity` taken from the start of the serial range.
    public var transferredRange: CertificateSerialRange {
        // The parser checked 1 <= quantity <= serialRange.quantity.
        try! serialRange.splitting(takingFromStart: quantity).taken
    }

    /// External transfers "still require the receiving organization to accept" (MCT Introduction).
    public var requiresAcceptance: Bool { if case .organization = destination { true } else { false } }

    /// The MCT "cannot be used to initiate export, retirement, or reserve transactions": an internal
    /// line must name an Active subaccount. The kind is registry data, so the caller supplies it.
    public func checkDestinationKind(_ kind: SubaccountKind) throws(RuleViolation) {
        guard kind == .active else {
            throw RuleViolation(
                .destinationNotActive,
                "to_account names a \(kind) subaccount; mass transfers go to Active subaccounts only",
                section: Section.massTransfer, line: line, field: "to_account")
        }
    }
}

/// The Mass Certificate Transfer upload (WREGIS MCT Data File Specifications): header
/// `serial_number,quantity,to_organization,to_account,notes`, at most 1,000 transfer lines, exactly
/// one of to_organization and to_account per line, notes of at most 50 characters, a positive
/// quantity no larger than the serial range. "If one line fails a system validation, the entire file
/// will be rejected", and the rejection lists "the incorrect lines and reasons": so parsing reports
/// every violation with its line.
public enum MassCertificateTransferFile {
    public static let header = ["serial_number", "quantity", "to_organization", "to_account", "notes"]

    public static func parse(_ bytes: [UInt8]) throws(RuleViolations) -> [MassTransferLine] {
        var table: UploadedTable
        do throws(RuleViolations) {
            table = try UploadedTable(bytes, dataRecordsMax: Limits.mctLinesMax, fileSection: Section.massTransfer)
        } catch {
            // The line limit is the MCT's own rule, so cite it rather than the registry's upload limits.
            throw RuleViolations(error.violations.map { violation in
                guard violation.code == .tooManyLines else { return violation }
                var cited = violation
                cited.message = "the file has more than \(Limits.mctLinesMax) transfer lines"
                cited.section = Section.massTransfer
                return cited
            })
        }
        try table.requireHeader(header, section: Section.massTransfer)

        var lines: [MassTransferLine] = []
        for row in table.rows {
            guard table.hasFieldCount(row, header.count, section: Section.massTransfer) else { continue }
            let serialRange = table.parse(row, 0, "serial_number") { text throws(RuleViolation) in
                guard !text.isEmpty else {
                    throw RuleViolation(.valueMissing, "serial_number is required", section: Section.massTransfer)
                }
                return try CertificateSerialRange(parsing: text)
            }
            let quantity = table.parse(row, 1, "quantity") { text throws(RuleViolation) in try parseQuantity(text) }
            if let serialRange, let quantity, quantity > serialRange.quantity {
                table.report(
                    RuleViolation(
                        .quantityOutOfRange,
                        "quantity \(quantity) is more than the \(serialRange.quantity) certificates of \(serialRange)",
                        section: Section.massTransfer),
                    line: row.line, field: "quantity")
            }
            let destination = parseDestination(row, &table)
            let notes = table.parse(row, 4, "notes") { text throws(RuleViolation) -> String? in
                guard text.count <= Limits.mctNotesCharactersMax else {
                    throw RuleViolation(
                        .notesTooLong, "notes have \(text.count) characters; at most \(Limits.mctNotesCharactersMax)",
                        section: Section.massTransfer)
                }
                return text.isEmpty ? nil : text
            }
            if let serialRange, let quantity, quantity <= serialRange.quantity, let destination, let notes {
                lines.append(
                    MassTransferLine(
                        line: row.line, serialRange: serialRange, quantity: quantity, destination: destination, notes: notes))
            }
        }
        for violation in repeatedCertificates(lines) { table.report(violation, line: violation.line!, field: violation.field) }
        try table.finish()
        return lines
    }

    public static func parse(_ text: String) throws(RuleViolations) -> [MassTransferLine] {
        try parse(Array(text.utf8))
    }

    /// A whole, positive number of certificates (certificates are whole, §12).
    static func parseQuantity(_ text: String) throws(RuleViolation) -> Int64 {
        guard !text.isEmpty else {
            throw RuleViolation(.valueMissing, "quantity is required", section: Section.massTransfer)
        }
        switch ScaledDecimal.parse(text, scale: 0, magnitudeMax: CertificateNumberRange.numberMax) {
        case .success(let value) where value >= 1:
            return value
        case .success:
            throw RuleViolation(
                .quantityOutOfRange, "quantity \(ASCII.quoted(text)) must be at least 1", section: Section.massTransfer)
        case .failure(.tooLarge):
            throw RuleViolation(
                .quantityOutOfRange, "quantity \(ASCII.quoted(text)) is larger than any batch", section: Section.massTransfer)
        case .failure:
            throw RuleViolation(
                .quantityMalformed, "quantity \(ASCII.quoted(text)) is not a whole number of certificates",
                section: Section.massTransfer)
        }
    }

    /// Exactly one of to_organization and to_account: "Submitting a line with both values will cause a
    /// system error", and a line with neither has no recipient.
    private static func parseDestination(_ row: CSVRecord, _ table: inout UploadedTable) -> MassTransferLine.Destination? {
        let organization = row.fields[2]
        let account = row.fields[3]
        switch (organization.isEmpty, account.isEmpty) {
        case (false, false):
            table.report(
                RuleViolation(
                    .destinationAmbiguous,
                    "both to_organization and to_account are filled; leave to_account blank for an external transfer or to_organization blank for an internal one",
                    section: Section.massTransfer),
                line: row.line)
            return nil
        case (true, true):
            table.report(
                RuleViolation(
                    .destinationMissing, "either to_organization (external) or to_account (internal) is required",
                    section: Section.massTransfer),
                line: row.line)
            return nil
        case (false, true):
            return table.parse(row, 2, "to_organization") { text throws(RuleViolation) in
                .organization(try OrganizationID(parsing: text))
            }
        case (true, false):
            return table.parse(row, 3, "to_account") { text throws(RuleViolation) in
                .activeSubaccount(try SubaccountID(parsing: text))
            }
        }
    }

    /// Two lines moving the same certificate would transfer it twice; the later line is reported.
    static func repeatedCertificates(_ lines: [MassTransferLine]) -> [RuleViolation] {
        var violations: [RuleViolation] = []
        for (_, batchLines) in Dictionary(grouping: lines, by: \.serialRange.batch) {
            let ordered = batchLines.sorted {
                ($0.transferredRange.numbers.first, $0.line) < ($1.transferredRange.numbers.first, $1.line)
            }
            var furthest: MassTransferLine?
            for line in ordered {
                if let earlier = furthest, line.transferredRange.numbers.first <= earlier.transferredRange.numbers.last {
                    let (reported, other) = line.line > earlier.line ? (line, earlier) : (earlier, line)
                    violations.append(
                        RuleViolation(
                            .serialRangeRepeated,
                            "certificates \(reported.transferredRange) are also transferred on line \(other.line)",
                            section: Section.massTransfer, line: reported.line, field: "serial_number"))
                }
                if furthest == nil || line.transferredRange.numbers.last > furthest!.transferredRange.numbers.last {
                    furthest = line
                }
            }
        }
        return violations
    }
}
