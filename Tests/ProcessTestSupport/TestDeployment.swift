import Foundation
import GRPCWire
import RPC

#if canImport(Glibc)
import Glibc
#endif

/// What the executable and end-to-end tests need to run the services as a deployment does: the
/// deployment's TLS directory (made once per test process by scripts/make-deployment-certs.sh,
/// as `scripts/run.sh` makes it), clients that trust its CA, and API keys sent as Bearer tokens.
public enum TestDeployment {
    /// The repository's root directory.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `--tls-dir` for every service of the tests.
    public static let tlsDirectory: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-deployment-tls-\(getpid())").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent("scripts/make-deployment-certs.sh").path, directory]
        process.standardOutput = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "make-deployment-certs.sh failed")
        return directory
    }()

    /// The deployment's CA (`recs --ca`).
    public static var caPath: String { "\(tlsDirectory)/ca.pem" }

    /// A client of a service started with `--tls-dir`: trusts the CA and, with `service`, presents
    /// that service's certificate (a peer service's identity); without, it is a user's client.
    public static func client(port: Int, as service: String? = nil) throws -> RPCClient {
        let tls = ClientTLSConfiguration(
            caPath: caPath, certificateChainPath: service.map { "\(tlsDirectory)/\($0).pem" },
            privateKeyPath: service.map { "\(tlsDirectory)/\($0).key" })
        return try RPCClient(host: "127.0.0.1", port: port, tls: tls)
    }

    /// Call options that authenticate with `key` (nil: anonymous).
    public static func options(_ key: String?, timeout: Duration = .seconds(30)) -> CallOptions {
        var metadata = Metadata()
        if let key { metadata.add("authorization", "Bearer \(key)") }
        return CallOptions(metadata: metadata, timeout: timeout)
    }

    /// The administrator's key the registry wrote in `dataDirectory` on its first start.
    public static func administratorKey(in dataDirectory: String) throws -> String {
        try String(contentsOfFile: "\(dataDirectory)/admin-api-key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
