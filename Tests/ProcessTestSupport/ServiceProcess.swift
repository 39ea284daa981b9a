import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A service executable run as a child process by a test: started with flags and environment,
/// ready once it printed "`<name>` listening on `<port>`", stopped with SIGTERM. Its standard error
/// goes to a log file whose tail is shown when something goes wrong.
public final class ServiceProcess: Sendable {
    public let name: String
    public let port: Int
    /// The metrics endpoint's port, when started with `--metrics-port`.
    public let metricsPort: Int?
    public let logPath: String
    private let process: Process

    /// Built beside the test bundle by `swift build --build-tests` (every product is built).
    public static func executable(_ product: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(product)
    }

    public static func isBuilt(_ product: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: executable(product).path)
    }

    /// Starts `product` and waits (at most `timeout`) for its "listening on" line.
    public static func start(
        _ product: String, arguments: [String], environment extra: [String: String] = [:], removing: [String] = [],
        logDirectory: URL, timeout: Duration = .seconds(60)
    ) async throws -> ServiceProcess {
        let process = Process()
        process.executableURL = executable(product)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("RECS_") && key != "RECS_TEST_POSTGRES_URL" {
            environment.removeValue(forKey: key)
        }
        for key in removing { environment.removeValue(forKey: key) }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let logPath = logDirectory.appendingPathComponent("\(product)-\(UUID().uuidString.prefix(8)).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let output = Pipe()
        process.standardOutput = output
        try process.run()

        let prefix = "\(product) listening on "
        let line = try await firstLine(of: output.fileHandleForReading, timeout: timeout)
        guard let line, line.hasPrefix(prefix), let port = Int(line.dropFirst(prefix.count)) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw ServiceProcessError(
                "\(product) did not start (first line: \(line.map { "\"\($0)\"" } ?? "none")):\n\(tail(logPath))")
        }
        // With --metrics-port, the next line names the metrics endpoint's port.
        var metricsPort: Int?
        if arguments.contains("--metrics-port") {
            let metricsPrefix = "\(product) metrics on "
            let line = try await firstLine(of: output.fileHandleForReading, timeout: timeout)
            guard let line, line.hasPrefix(metricsPrefix), let port = Int(line.dropFirst(metricsPrefix.count)) else {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                throw ServiceProcessError("\(product) named no metrics port (line: \(line.map { "\"\($0)\"" } ?? "none")):\n\(tail(logPath))")
            }
            metricsPort = port
        }
        return ServiceProcess(name: product, port: port, metricsPort: metricsPort, logPath: logPath, process: process)
    }

    init(name: String, port: Int, metricsPort: Int? = nil, logPath: String, process: Process) {
        self.name = name
        self.port = port
        self.metricsPort = metricsPort
        self.logPath = logPath
        self.process = process
    }

    public var address: String { "127.0.0.1:\(port)" }
    public var isRunning: Bool { process.isRunning }

    /// SIGTERM, then waits (at most `timeout`, then SIGKILL); returns the exit status, or nil when
    /// it had to be killed or died of a signal.
    @discardableResult
    public func stop(timeout: Duration = .seconds(30)) async -> Int32? {
        guard process.isRunning else { return process.terminationReason == .exit ? process.terminationStatus : nil }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// SIGKILL, then waits for the exit: the process dies at once, in the middle of whatever it was
    /// doing (a transaction, a reply), as in a power cut or an OOM kill. The crash tests use it.
    public func killAbruptly() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The last lines of the process's log.
    public var logTail: String { Self.tail(logPath) }

    static func tail(_ path: String, lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Reads one line from `handle` on a detached thread; nil at end of file or after `timeout`
    /// (the reader then stays blocked until the process is killed and its pipe closes).
    public static func firstLine(of handle: FileHandle, timeout: Duration) async throws -> String? {
        let answer = OneAnswer()
        return await withCheckedContinuation { continuation in
            answer.set(continuation)
            Task.detached {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first else {
                        return answer.resume(bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
                    }
                    if byte == UInt8(ascii: "\n") { return answer.resume(String(decoding: bytes, as: UTF8.self)) }
                    bytes.append(byte)
                }
            }
            Task.detached {
                try? await Task.sleep(for: timeout)
                answer.resume(nil)
            }
        }
    }
}

/// A continuation resumed by whichever comes first.
final class OneAnswer: Sendable {
    private let continuation = Mutex<CheckedContinuation<String?, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<String?, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ line: String?) {
        continuation.withLock { continuation in
            continuation?.resume(returning: line)
            continuation = nil
        }
    }
}

public struct ServiceProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

extension ServiceProcess {
    /// Runs `product` to its end (a service that refuses its configuration exits at once); its exit
    /// status and what it wrote on stdout and stderr.
    public static func runToExit(_ product: String, arguments: [String], environment extra: [String: String] = [:]) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = executable(product)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RECS_") }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// Ports the kernel calls free right now (bound to 0, then released).
public func freePorts(_ count: Int) throws -> [Int] {
    var sockets: [Int32] = []
    defer { for socket in sockets { close(socket) } }
    return try (0..<count).map { _ in
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServiceProcessError("socket() failed") }
        sockets.append(descriptor)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServiceProcessError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
