import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import RegistryCore
import StandardServices
import Storage
import ServiceTestSupport
import StorageTestSupport
import Synchronization
import Testing

/// A registry served in process on a free loopback port, on a fresh database of `kind`, with the
/// generated client. Without a PostgreSQL server the PostgreSQL case is cancelled with a warning
/// (or fails when `CI` is set), as in the storage tests.
func withRegistry(
    _ kind: TestDatabaseKind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (Recs_Registry_V1_RegistryServiceClient, TestDatabase) async throws -> Void
) async throws {
    var logger = Logger(label: "registry-test")
    logger.logLevel = .critical
    try await withServedApplication(kind, sourceLocation: sourceLocation) { testDatabase in
        try await RegistryApplication.build(
            database: testDatabase.database, server: ServerConfiguration(port: 0),
            access: RegistryApplication.Access(keyDirectory: nil, checks: .unenforced), logger: logger)
    } _: { _, client, testDatabase in
        try await body(Recs_Registry_V1_RegistryServiceClient(client), testDatabase)
    }
}

enum Requests {
    static func createOrganization(
        _ requestID: String, name: String = "Sunny Acres LLC", type: Recs_Common_V1_OrganizationType = .accountHolder
    ) -> Recs_Registry_V1_CreateOrganizationRequest {
        var request = Recs_Registry_V1_CreateOrganizationRequest()
        request.requestId = requestID
        request.name = name
        request.type = type
        request.managerPersonName = "Pat Manager"
        request.managerLogin = "pat-\(requestID)"
        return request
    }

    /// A 2 MW wholesale solar unit in California: Class B.
    static func staticData(fuel: String = "SO1", source: String = "solar") -> Recs_Registry_V1_GeneratingUnitStaticData {
        var data = Recs_Registry_V1_GeneratingUnitStaticData()
        data.name = "Sunny Acres 1"
        data.facilityName = "Sunny Acres"
        data.stateOrProvince = "ca"
        data.country = "US"
        var unitFuel = Recs_Registry_V1_UnitFuel()
        unitFuel.fuelTypeCode = fuel
        unitFuel.fuelSourceCodes = [source]
        data.fuels = [unitFuel]
        var commenced = Recs_Common_V1_Date()
        commenced.year = 2020
        commenced.month = 6
        commenced.day = 1
        data.commencedOperationOn = commenced
        data.nameplateCapacityWatts = 2_000_000
        data.capacityFactorPartsPerMillion = 250_000
        var classification = Recs_Registry_V1_ClassificationCharacteristics()
        classification.siting = .wholesale
        data.classification = classification
        data.allOutputReported = true
        return data
    }

    static func registerUnit(
        _ requestID: String, organizationID: String, depositSubaccountID: String,
        staticData: Recs_Registry_V1_GeneratingUnitStaticData = staticData()
    ) -> Recs_Registry_V1_RegisterGeneratingUnitRequest {
        var request = Recs_Registry_V1_RegisterGeneratingUnitRequest()
        request.requestId = requestID
        request.organizationId = organizationID
        request.depositSubaccountId = depositSubaccountID
        request.staticData = staticData
        return request
    }
}

extension Recs_Registry_V1_Organization {
    func subaccount(_ kind: Recs_Common_V1_SubaccountKind) throws -> Recs_Registry_V1_Subaccount {
        guard let subaccount = subaccounts.first(where: { $0.kind == kind }) else {
            throw TestFailure("\(organizationId) has no \(kind) subaccount")
        }
        return subaccount
    }
}
