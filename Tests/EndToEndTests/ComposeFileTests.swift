import Foundation
import Testing

/// docker-compose.yml is checked by docker-compose itself (`config` validates it against the
/// Compose schema and prints it normalized: anchors merged, variables substituted, keys sorted),
/// so these tests read what compose would run rather than the file's spelling.
@Suite struct ComposeFileTests {
    static let services = ["registry", "issuance", "transfer", "reporting"]

    @Test func composeFileIsValid() throws {
        let result = try DockerCompose.run(["-f", DockerCompose.repositoryFile, "config", "-q"])
        #expect(result.status == 0, "docker-compose config -q failed: \(result.output)")
    }

    @Test func eachServiceRunsItsExecutableOnItsOwnDatabase() throws {
        let config = try DockerCompose.normalizedConfig()
        #expect(Set(config.serviceNames) == Set(Self.services + ["postgres", "tls"]))
        for (index, service) in Self.services.enumerated() {
            let block = config.block(of: service)
            let port = 50061 + index
            let prefix = "RECS_\(service.uppercased())_"
            #expect(block.contains("command:\n- \(service)"), "\(service) does not run its executable:\n\(block)")
            #expect(block.contains("\(prefix)DATABASE_URL: postgresql://recs:recs@postgres:5432/\(service)\n"))
            #expect(block.contains("\(prefix)HOST: 0.0.0.0\n"))
            #expect(block.contains("\(prefix)PORT: '\(port)'\n"))
            #expect(block.contains("- 127.0.0.1:\(port):\(port)/tcp\n"), "\(service) must publish on loopback only")
            #expect(block.contains("postgres:\n    condition: service_healthy"), "\(service) must wait for postgres")
        }
        #expect(config.block(of: "postgres").contains("pg_isready"))
    }

    /// Who calls whom (docs/ARCHITECTURE.md): each caller gets its peers' addresses and starts after them.
    @Test func callersKnowTheirPeers() throws {
        let config = try DockerCompose.normalizedConfig()
        let peers = [
            "registry": [String](), "transfer": ["registry"], "issuance": ["registry", "transfer"],
            "reporting": ["registry", "issuance", "transfer"],
        ]
        let ports = ["registry": 50061, "issuance": 50062, "transfer": 50063]
        for (service, called) in peers {
            let block = config.block(of: service)
            for peer in ["registry", "issuance", "transfer"] {
                let address = "RECS_\(peer.uppercased())_ADDRESS: \(peer):\(ports[peer]!)\n"
                #expect(block.contains(address) == called.contains(peer), "\(service): \(address)")
            }
            for peer in called {
                #expect(block.contains("  \(peer):\n    condition: service_healthy"), "\(service) must start after \(peer)")
            }
        }
    }

    /// Mutual TLS between the services: the one-shot `tls` service makes the certificates
    /// (scripts/make-deployment-certs.sh) in the `tls` volume, which every service mounts read-only
    /// and names as its RECS_TLS_DIR; none starts before they exist, and each health check trusts the CA.
    @Test func servicesSpeakMutualTLS() throws {
        let config = try DockerCompose.normalizedConfig()
        let tls = config.block(of: "tls")
        #expect(tls.contains("command:\n- make-deployment-certs.sh\n- /tls\n"), "tls does not make the certificates:\n\(tls)")
        #expect(tls.contains("\n- tls:/tls:rw\n"), "tls must write the tls volume:\n\(tls)")
        #expect(tls.contains("restart: \"no\"\n"), "tls runs once:\n\(tls)")
        #expect(tls.contains("RECS_TLS_HOSTNAMES: ''\n"))
        for service in Self.services {
            let block = config.block(of: service)
            #expect(block.contains("\n- tls:/tls:ro\n"), "\(service) must mount the certificates read-only:\n\(block)")
            #expect(!block.contains("tls:/tls:rw"), "\(service) must not be able to change the certificates")
            #expect(block.contains("RECS_TLS_DIR: /tls\n"), "\(service) does not serve TLS:\n\(block)")
            #expect(
                block.contains("  tls:\n    condition: service_completed_successfully\n"),
                "\(service) must start after the certificates are made:\n\(block)")
            #expect(
                block.contains("  - health\n  - \(service)\n") && block.contains("  - --ca\n  - /tls/ca.pem\n"),
                "\(service)'s health check must check it over TLS:\n\(block)")
        }
    }

    /// The registry writes the administrator's API key into its data directory, which outlives the
    /// container. (A named volume a service uses but the file does not declare fails validation.)
    @Test func registryKeepsItsDataDirectoryOnAVolume() throws {
        let registry = try DockerCompose.normalizedConfig().block(of: "registry")
        #expect(registry.contains("RECS_DATA_DIR: /var/lib/recs\n"), "registry:\n\(registry)")
        #expect(registry.contains("\n- registry-data:/var/lib/recs:rw\n"), "registry:\n\(registry)")
    }

    @Test func certificateHostNamesComeFromTheEnvironment() throws {
        let config = try DockerCompose.normalizedConfig(environment: ["RECS_TLS_HOSTNAMES": "recs.example.org,api.example.org"])
        #expect(config.block(of: "tls").contains("RECS_TLS_HOSTNAMES: recs.example.org,api.example.org\n"))
    }

    @Test func passwordComesFromTheEnvironment() throws {
        let config = try DockerCompose.normalizedConfig(environment: ["RECS_POSTGRES_PASSWORD": "s3cret"])
        #expect(config.block(of: "postgres").contains("POSTGRES_PASSWORD: s3cret\n"))
        for service in Self.services {
            #expect(config.block(of: service).contains("postgresql://recs:s3cret@postgres:5432/\(service)\n"))
        }
    }

    /// The validation above can fail: a copy with the postgres service renamed leaves the services'
    /// `depends_on` dangling and is rejected, while the unchanged copy in the same place passes.
    @Test func brokenComposeFileFailsValidation() throws {
        let original = try String(contentsOfFile: DockerCompose.repositoryFile, encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let intact = directory.appendingPathComponent("intact.yml").path
        try original.write(toFile: intact, atomically: true, encoding: .utf8)
        let intactResult = try DockerCompose.run(["-f", intact, "config", "-q"])
        #expect(intactResult.status == 0, "the unchanged copy should pass: \(intactResult.output)")

        let broken = directory.appendingPathComponent("broken.yml").path
        let renamed = original.replacingOccurrences(of: "\n  postgres:\n", with: "\n  database:\n")
        try #require(renamed != original, "docker-compose.yml no longer defines the postgres service this test renames")
        try renamed.write(toFile: broken, atomically: true, encoding: .utf8)
        let brokenResult = try DockerCompose.run(["-f", broken, "config", "-q"])
        #expect(brokenResult.status != 0)
        #expect(brokenResult.output.contains("postgres"), "the error should name the missing service: \(brokenResult.output)")
    }
}

/// Runs the docker-compose on PATH. Without one the tests are cancelled, except in CI (`CI` set),
/// where a missing docker-compose is a failure: scripts/setup.sh installs it.
enum DockerCompose {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// docker-compose.yml at the repository root, found from this file's path.
    static let repositoryFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docker-compose.yml").path

    /// Variables the compose file reads, removed so the defaults are what is tested.
    static let composeVariables = ["RECS_POSTGRES_PASSWORD", "RECS_IMAGE", "RECS_TLS_HOSTNAMES"]

    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let executable = try locate()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for name in composeVariables { environment[name] = nil }
        process.environment = environment.merging(extra) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes before waiting: a full pipe would block docker-compose forever.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors, as: UTF8.self))
    }

    static func normalizedConfig(environment: [String: String] = [:]) throws -> ComposeConfig {
        let result = try run(["-f", repositoryFile, "config"], environment: environment)
        try #require(result.status == 0, "docker-compose config failed: \(result.output)")
        return ComposeConfig(normalized: result.stdout)
    }

    private static func locate() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/docker-compose"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let missing = MissingDockerCompose()
        if ProcessInfo.processInfo.environment["CI"] != nil { throw missing }
        try Test.cancel(Comment(rawValue: missing.description))
    }

    struct MissingDockerCompose: Error, CustomStringConvertible {
        var description: String { "docker-compose is not on PATH (scripts/setup.sh installs Debian's docker-compose)" }
    }
}

/// The `services:` section of `docker-compose config` output, split into one text block per
/// service (its lines with the service's own indentation removed, so that `key:\n- item` and
/// `key:\n    nested` read the same for every service).
struct ComposeConfig {
    private(set) var blocks: [String: String] = [:]
    private(set) var serviceNames: [String] = []

    init(normalized yaml: String) {
        var inServices = false
        var current: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty {
                inServices = line == "services:"
                current = nil
            } else if inServices, line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                let name = String(line.dropFirst(2).dropLast())
                serviceNames.append(name)
                current = name
                blocks[name] = ""
            } else if let current, line.hasPrefix("    ") {
                blocks[current, default: ""] += line.dropFirst(4) + "\n"
            }
        }
    }

    func block(of service: String) -> String { blocks[service] ?? "" }
}
