import Foundation
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit
import Storage
import StorageTestSupport
import Synchronization
import Testing

/// Whether the "PostgreSQL not tested" warning was shown in this run (once is enough).
private let warnedAboutPostgres = Atomic<Bool>(false)

/// Runs `body` against a fresh database of `kind` and removes it afterwards. Without a PostgreSQL
/// server the PostgreSQL case is skipped (cancelled) with a warning saying how to start one, or
/// fails when `CI` is set.
public func withTestDatabase(
    _ kind: TestDatabaseKind, sourceLocation: SourceLocation = #_sourceLocation, _ body: (TestDatabase) async throws -> Void
) async throws {
    switch try await TestDatabase.make(kind) {
    case .available(let testDatabase):
        do {
            try await body(testDatabase)
        } catch {
            await testDatabase.tearDown()
            throw error
        }
        await testDatabase.tearDown()
    case .unavailable(let message, let isFailure):
        if isFailure {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            return
        }
        if !warnedAboutPostgres.exchange(true, ordering: .relaxed) {
            Issue.record(Comment(rawValue: message), severity: .warning, sourceLocation: sourceLocation)
        }
        try Test.cancel(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// A service application built on a fresh database of `kind`, served in process on a free loopback
/// port, with a client connected to it; everything is stopped and removed after `body`.
public func withServedApplication<Application: ServiceApplication>(
    _ kind: TestDatabaseKind, sourceLocation: SourceLocation = #_sourceLocation,
    build: (TestDatabase) async throws -> Application,
    _ body: (Application, RPCClient, TestDatabase) async throws -> Void
) async throws {
    try await withTestDatabase(kind, sourceLocation: sourceLocation) { testDatabase in
        let application = try await build(testDatabase)
        let client: RPCClient
        do {
            client = try RPCClient(host: "127.0.0.1", port: try await application.start())
        } catch {
            await application.shutdown()
            throw error
        }
        do {
            try await body(application, client, testDatabase)
        } catch {
            await client.close()
            await application.shutdown()
            throw error
        }
        await client.close()
        // Closes the database too; the test database's tear-down closing it again is harmless.
        await application.shutdown()
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs `body`, which must fail with `code`; returns the error.
@discardableResult
public func expectStatus(_ code: StatusCode, _ body: () async throws -> Void) async throws -> RPCError {
    do {
        try await body()
    } catch let error as RPCError {
        guard error.code == code else { throw TestFailure("expected \(code), got \(error)") }
        return error
    }
    throw TestFailure("expected \(code), the call succeeded")
}

/// The `recs.common.v1.ErrorDetails` a failed call carried.
public func errorDetails(_ error: RPCError) throws -> Recs_Common_V1_ErrorDetails {
    guard let bytes = error.metadata.binary(ServiceErrors.detailsKey) else {
        throw TestFailure("no \(ServiceErrors.detailsKey) in \(error)")
    }
    return try Recs_Common_V1_ErrorDetails(protobufBytes: bytes)
}
