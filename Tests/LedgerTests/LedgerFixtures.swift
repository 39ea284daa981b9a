import Domain
import Foundation
import Ledger
import Storage
import StorageTestSupport
import Testing

/// Subaccounts, batches and instants shared by the ledger tests.
enum Fixture {
    static let organizationA = try! OrganizationID(parsing: "A1")
    static let organizationB = try! OrganizationID(parsing: "A2")

    static func subaccount(_ text: String) -> SubaccountID { try! SubaccountID(parsing: text) }

    // Organization A1: two Active subaccounts and one of each end use.
    static let activeA = subaccount("1000ACTA-01AA")
    static let activeA2 = subaccount("1000ACTB-01AA")
    static let retirementA = subaccount("1000RETA-01AA")
    static let reserveA = subaccount("1000RESA-01AA")
    static let exportA = subaccount("1000EXPA-01AA")
    // Organization A2.
    static let activeB = subaccount("2000ACTA-01BB")
    static let activeB2 = subaccount("2000ACTB-01BB")
    static let retirementB = subaccount("2000RETA-01BB")

    static let subaccounts: [LedgerSubaccount] = [
        LedgerSubaccount(id: activeA, organization: organizationA, kind: .active),
        LedgerSubaccount(id: activeA2, organization: organizationA, kind: .active),
        LedgerSubaccount(id: retirementA, organization: organizationA, kind: .retirement),
        LedgerSubaccount(id: reserveA, organization: organizationA, kind: .reserve),
        LedgerSubaccount(id: exportA, organization: organizationA, kind: .export),
        LedgerSubaccount(id: activeB, organization: organizationB, kind: .active),
        LedgerSubaccount(id: activeB2, organization: organizationB, kind: .active),
        LedgerSubaccount(id: retirementB, organization: organizationB, kind: .retirement),
    ]

    static let unit = try! GeneratingUnitID(parsing: "99999")
    static let location = try! StateOrProvinceCode(parsing: "CA")

    static func identity(_ number: Int64) -> CertificateBatchIdentity {
        try! CertificateBatchIdentity(generatingUnit: unit, location: location, batchNumber: number)
    }

    static func batch(_ number: Int64, quantity: Int64) -> CertificateBatch {
        try! CertificateBatch(
            identity: identity(number), vintage: Vintage(year: 2024, month: 1), fuelType: .wind, quantity: quantity,
            createdOn: CalendarDate(year: 2024, month: 3, day: 1))
    }

    static func serials(_ batch: Int64, _ first: Int64, _ last: Int64) -> CertificateSelection {
        .serials(CertificateSerialRange(batch: identity(batch), numbers: try! CertificateNumberRange(first: first, last: last)))
    }

    static func quantity(_ batch: Int64, _ count: Int64) -> CertificateSelection {
        .quantity(batch: identity(batch), count: count)
    }

    static func request(_ text: String) -> RequestID { try! RequestID(text) }
    static func hold(_ text: String) -> HoldID { try! HoldID(text) }

    /// 2024-03-01T00:00:00Z plus `days`.
    static func day(_ days: Int) -> Date { Date(timeIntervalSince1970: 1_709_251_200 + Double(days) * 86_400) }

    static let reason = try! RetirementReason(.program(.california), details: "2024 RPS compliance")
}

/// A ledger on a fresh database with the fixture subaccounts registered; the conservation invariant
/// is checked after every operation made through ``step(_:)``.
struct LedgerHarness {
    let ledger: Ledger
    let test: TestDatabase

    static func make(_ test: TestDatabase, merges: Bool = true) async throws -> LedgerHarness {
        let ledger = try await Ledger.open(database: test.database, mergesAdjacentHoldings: merges)
        for subaccount in Fixture.subaccounts {
            try await ledger.register(subaccount, at: Fixture.day(0))
        }
        return LedgerHarness(ledger: ledger, test: test)
    }

    /// Runs one ledger operation, then checks the invariant whether it succeeded or not.
    @discardableResult
    func step<T>(_ operation: (Ledger) async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async throws -> T {
        do {
            let value = try await operation(ledger)
            try await checkInvariant(sourceLocation: sourceLocation)
            return value
        } catch {
            try await checkInvariant(sourceLocation: sourceLocation)
            throw error
        }
    }

    /// The rule violation an operation raises (after checking the invariant), or nil with a recorded issue.
    func violation<T>(
        _ operation: (Ledger) async throws -> T, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RuleViolation? {
        do {
            _ = try await step(operation, sourceLocation: sourceLocation)
            Issue.record("expected a rule violation", sourceLocation: sourceLocation)
            return nil
        } catch let error as LedgerError where error.code == .ruleViolated {
            return error.violation
        }
    }

    /// The ledger error an operation raises (after checking the invariant), or nil with a recorded issue.
    func ledgerError<T>(
        _ operation: (Ledger) async throws -> T, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> LedgerError? {
        do {
            _ = try await step(operation, sourceLocation: sourceLocation)
            Issue.record("expected a ledger error", sourceLocation: sourceLocation)
            return nil
        } catch let error as LedgerError {
            return error
        }
    }

    func checkInvariant(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        do {
            try await ledger.checkConservation()
        } catch {
            Issue.record("conservation broken: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// `subaccount`'s holdings as (batch, first, last, status) tuples, for compact expectations.
    func ranges(in subaccount: SubaccountID) async throws -> [String] {
        try await ledger.holdings(in: subaccount).map { "\($0.serials.batch.batchNumber):\($0.serials.numbers) \($0.status.rawValue)" }
    }
}
