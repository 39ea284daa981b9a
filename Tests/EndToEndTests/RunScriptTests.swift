import Foundation
import ProcessTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The README's run command (scripts/run.sh) as a new user runs it, minus the release build: it
/// starts the four services on SQLite with TLS from certificates it makes, says where each listens
/// and how `recs` reaches them, they answer `recs health` given the CA, and SIGTERM stops all four
/// with exit status 0.
@Suite("scripts/run.sh")
struct RunScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("brings the four services up on SQLite, healthy, and stops them on SIGTERM")
    func runsTheSystem() async throws {
        for product in ["registry", "transfer", "issuance", "reporting", "recs"] where !ServiceProcess.isBuilt(product) {
            Issue.record("\(product) is not built beside the tests")
            return
        }
        let binaries = ServiceProcess.executable("registry").deletingLastPathComponent().path
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("recs-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let ports = try freePorts(4)
        let names = ["REGISTRY", "ISSUANCE", "TRANSFER", "REPORTING"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RECS_") }
        environment["RECS_RUN_BUILD"] = "none"
        environment["RECS_BIN"] = binaries
        environment["RECS_DATA_DIR"] = data.path
        for (name, port) in zip(names, ports) { environment["RECS_\(name)_PORT"] = "\(port)" }

        let script = try ScriptProcess(
            "/bin/bash", arguments: [Self.root.appendingPathComponent("scripts/run.sh").path], environment: environment)
        // Whatever happens, nothing started here outlives the test.
        defer { script.killGroup() }

        var lines: [String] = []
        while let line = try await ServiceProcess.firstLine(of: script.output, timeout: .seconds(120)) {
            lines.append(line)
            if line.hasPrefix("all four services are up") { break }
        }
        #expect(lines.last?.hasPrefix("all four services are up") == true, "run.sh printed: \(lines)")
        for (service, port) in zip(["registry", "transfer", "issuance", "reporting"], [ports[0], ports[2], ports[1], ports[3]]) {
            #expect(lines.contains { $0.hasPrefix("\(service) listening on 127.0.0.1:\(port)") }, "\(service) on \(port): \(lines)")
        }
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("registry.sqlite").path))
        // ADR 0006: run.sh says where the administrator's first key is, and the file is there.
        let keyLine = try await ServiceProcess.firstLine(of: script.output, timeout: .seconds(10))
        let keyFile = data.appendingPathComponent("admin-api-key")
        #expect(keyLine?.contains(keyFile.path) == true, "run.sh printed: \(keyLine ?? "nothing")")
        #expect(FileManager.default.fileExists(atPath: keyFile.path))
        // The deployment's CA and certificates (scripts/make-deployment-certs.sh), and how `recs` uses them.
        let tls = data.appendingPathComponent("tls")
        let caFile = tls.appendingPathComponent("ca.pem")
        for file in ["ca.pem", "registry.pem"] {
            #expect(FileManager.default.fileExists(atPath: tls.appendingPathComponent(file).path), "\(file) not in \(tls.path)")
        }
        let recsLine = try await ServiceProcess.firstLine(of: script.output, timeout: .seconds(10))
        #expect(recsLine?.hasPrefix("to call them with recs:") == true, "run.sh printed: \(recsLine ?? "nothing")")
        #expect(recsLine?.contains("RECS_CA=\(caFile.path)") == true, "run.sh printed: \(recsLine ?? "nothing")")
        #expect(recsLine?.contains("RECS_API_KEY_FILE=\(keyFile.path)") == true, "run.sh printed: \(recsLine ?? "nothing")")

        // `recs health` with the addresses run.sh gave the services, over TLS with its CA.
        var recsEnvironment = environment
        for (name, port) in zip(names, ports) { recsEnvironment["RECS_\(name)_ADDRESS"] = "127.0.0.1:\(port)" }
        recsEnvironment["RECS_CA"] = caFile.path
        let (healthStatus, healthOutput) = try runToEnd(ServiceProcess.executable("recs").path, ["health"], environment: recsEnvironment)
        #expect(healthStatus == 0, "recs health: \(healthOutput)")
        #expect(healthOutput.components(separatedBy: "SERVING").count - 1 == 4, "recs health: \(healthOutput)")
        // The README's walk-through, as written, against these services (issue 7: it works with keys).
        let walkthrough = try Self.readmeWalkthrough()
            .replacingOccurrences(of: "recs=.build/release/recs", with: "recs=\(ServiceProcess.executable("recs").path)")
        let work = data.appendingPathComponent("walkthrough")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: work.appendingPathComponent("data"), withDestinationURL: data)
        var walkEnvironment = recsEnvironment
        walkEnvironment["RECS_CA"] = nil
        let (walkStatus, walkOutput) = try runToEnd(
            "/bin/bash", ["-euo", "pipefail", "-c", walkthrough], environment: walkEnvironment, directory: work)
        #expect(walkStatus == 0, "the README walk-through failed:\n\(walkOutput)")
        for expected in ["certificates_issued: 100", "state: completed", "status: retired", "kind: retirement", "label: bo"] {
            #expect(walkOutput.contains(expected), "the README walk-through printed no \"\(expected)\":\n\(walkOutput)")
        }
        let keyMode = try FileManager.default.attributesOfItem(atPath: work.appendingPathComponent("pat.key").path)[.posixPermissions] as? Int
        #expect(keyMode == 0o600, "recs key create --save writes a file only its owner reads")

        // Without the CA, `recs` speaks cleartext, which a TLS service does not answer.
        recsEnvironment["RECS_CA"] = nil
        let (cleartextStatus, cleartextOutput) = try runToEnd(
            ServiceProcess.executable("recs").path, ["health", "registry", "--deadline-seconds", "5"], environment: recsEnvironment)
        #expect(cleartextStatus != 0, "recs health without --ca: \(cleartextOutput)")

        script.signal(SIGTERM)
        let status = try await script.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "run.sh on SIGTERM: exit status \(status.map(String.init) ?? "none, still running"); every service stops gracefully")
        for port in ports { #expect(!isListening(port), "port \(port) still open after run.sh stopped") }
    }

    /// The shell block of README.md between `<!-- walkthrough -->` and `<!-- /walkthrough -->`.
    static func readmeWalkthrough() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "<!-- walkthrough -->"), let end = readme.range(of: "<!-- /walkthrough -->") else {
            throw ServiceProcessError("README.md has no <!-- walkthrough --> block")
        }
        return readme[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("```") }.joined(separator: "\n")
    }
}

/// Runs a command to its end; returns its exit status and standard output.
func runToEnd(_ path: String, _ arguments: [String], environment: [String: String], directory: URL? = nil) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = environment
    if let directory { process.currentDirectoryURL = directory }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func isListening(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
