import Foundation
import GRPCWire
import ProcessTestSupport
import ProtoMessages
import ProtoServices
import RPC
import ServiceCommand
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 8, item 6: every service executable, busy with calls from several clients, stops on
/// SIGTERM by refusing new calls at once, letting the calls in flight finish, then stopping its
/// background work, all within ``ServiceStop/graceMilliseconds(_:)``.
@Suite("graceful stop of the service executables", .serialized)
struct GracefulStopTests {
    /// Every peer is a silent one: it takes connections and never answers, so the feed followers
    /// and the deposit queue are in the middle of a call (waiting out its 10 s deadline) when the
    /// signal comes, as with a peer that hangs. The stop must not wait for those calls, and must
    /// refuse new calls meanwhile.
    static func peerArguments(_ product: String, peer: String) -> [String] {
        switch product {
        case "issuance": ["--registry-address", peer, "--transfer-address", peer, "--feed-poll-milliseconds", "50"]
        case "transfer": ["--registry-address", peer, "--feed-poll-milliseconds", "50"]
        case "reporting":
            ["--registry-address", peer, "--issuance-address", peer, "--transfer-address", peer, "--feed-poll-milliseconds", "50"]
        default: []
        }
    }

    /// One call of the load: when it started and ended, and how.
    struct Outcome: Sendable {
        var started: ContinuousClock.Instant
        var ended: ContinuousClock.Instant
        var code: StatusCode
    }

    @Test(
        "under load, SIGTERM refuses new calls at once, lets calls in flight finish OK, and exits 0 within the stop grace",
        arguments: ["registry", "issuance", "transfer", "reporting"])
    func stopUnderLoad(product: String) async throws {
        guard ServiceProcess.isBuilt(product) else {
            try Test.cancel("\(product) is not built (swift build --build-tests builds it)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-stop-\(product)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let silentPeer = try SilentPeer()
        let process = try await ServiceProcess.start(
            product,
            arguments: ["--port", "0", "--tls-dir", TestDeployment.tlsDirectory] + Self.peerArguments(product, peer: silentPeer.address),
            environment: ["RECS_DATA_DIR": directory.path], logDirectory: directory.appendingPathComponent("logs"))
        let clients = try (0..<4).map { _ in try TestDeployment.client(port: process.port) }

        // A Health.Watch per client, in flight across the SIGTERM: it must end with OK once it
        // told its watcher NOT_SERVING, not be cut off when the grace runs out.
        let watches = clients.map { Grpc_Health_V1_HealthClient($0).watch(Grpc_Health_V1_HealthCheckRequest()) }
        for watch in watches { _ = try await watch.initialMetadata() }

        // Four clients call Health.Check in a loop until told to stop.
        let loadRunning = Switch()
        async let load = withTaskGroup(of: [Outcome].self) { group in
            for client in clients {
                group.addTask {
                    let health = Grpc_Health_V1_HealthClient(client)
                    var outcomes: [Outcome] = []
                    while loadRunning.isOn, !Task.isCancelled {
                        let started = ContinuousClock.now
                        let code: StatusCode
                        do {
                            _ = try await health.check(Grpc_Health_V1_HealthCheckRequest(), options: CallOptions(timeout: .seconds(10)))
                            code = .ok
                        } catch let error as RPCError {
                            code = error.code
                        } catch {
                            code = .unknown
                        }
                        outcomes.append(Outcome(started: started, ended: .now, code: code))
                        if code == .ok { loadRunning.countServed() }
                        // Refused calls come back at once; do not spin on them.
                        if code != .ok { try? await Task.sleep(for: .milliseconds(5)) }
                    }
                    return outcomes
                }
            }
            var all: [Outcome] = []
            for await outcomes in group { all += outcomes }
            return all
        }
        // The signal comes once the load is really flowing (a count, not a time: the machine may be busy).
        let waitingSince = ContinuousClock.now
        while loadRunning.servedCount < 20, ContinuousClock.now - waitingSince < .seconds(30) {
            try await Task.sleep(for: .milliseconds(20))
        }

        let signalled = ContinuousClock.now
        let status = await process.stop(timeout: .seconds(30))
        let stopDuration = ContinuousClock.now - signalled
        // The clients keep calling for a while after the exit: those calls are refused too.
        try await Task.sleep(for: .milliseconds(300))
        loadRunning.turnOff()
        let outcomes = await load

        var watchEnds: [(last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?, status: CallStatus)] = []
        for watch in watches {
            var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
            do {
                for try await response in watch.responses { last = response.status }
            } catch {}
            watchEnds.append((last, await watch.status()))
        }
        for client in clients { await client.close() }
        withExtendedLifetime(silentPeer) {}

        let grace = Duration.milliseconds(ServiceStop.graceMilliseconds(ServerLimits()))
        #expect(status == 0, "\(product) exit status on SIGTERM:\n\(process.logTail)")
        #expect(stopDuration < grace, "\(product) took \(stopDuration) to stop (grace \(grace)):\n\(process.logTail)")
        // Calls made well before the signal were served; calls started after the server heard it
        // were refused, each at once; nothing else happened.
        let before = outcomes.filter { $0.ended < signalled }
        let after = outcomes.filter { $0.started > signalled + .milliseconds(200) }
        #expect(before.count > 10 && before.allSatisfy { $0.code == .ok }, "\(product): \(before.count) calls before SIGTERM")
        #expect(!after.isEmpty && after.allSatisfy { $0.code == .unavailable }, "\(product): calls after SIGTERM \(Set(after.map(\.code)))")
        // "At once": not held until the calls in flight have drained (their grace), which is what a
        // server that stops accepting late would do; how fast exactly depends on the machine's load.
        let slowestRefusal = after.map { $0.ended - $0.started }.max() ?? .zero
        let inFlightGrace = Duration.milliseconds(ServerLimits().shutdownGraceMilliseconds)
        #expect(slowestRefusal < inFlightGrace / 2, "\(product): a call after SIGTERM took \(slowestRefusal) to be refused")
        #expect(outcomes.allSatisfy { $0.code == .ok || $0.code == .unavailable })
        for end in watchEnds {
            #expect(end.status.code == .ok, "\(product): a Health.Watch in flight ended with \(end.status)")
            #expect(end.last == .notServing, "\(product): the watch was told NOT_SERVING before it ended")
        }
        print(
            "\(product): stopped in \(stopDuration) (grace \(grace)); \(before.count) calls served before SIGTERM, "
                + "\(after.filter { $0.code == .unavailable }.count) of the \(after.count) started after it refused (slowest refusal \(slowestRefusal))")
    }
}

/// A flag the load's tasks read and the test turns off.
final class Switch: Sendable {
    private let on = Mutex(true)
    private let served = Mutex(0)
    var isOn: Bool { on.withLock { $0 } }
    func turnOff() { on.withLock { $0 = false } }
    /// Calls answered OK so far.
    var servedCount: Int { served.withLock { $0 } }
    func countServed() { served.withLock { $0 += 1 } }
}

/// A peer that listens and never accepts: connections complete in the kernel's backlog, the TLS
/// handshake gets no answer, and calls to it wait for their deadline.
final class SilentPeer {
    private let descriptor: Int32
    let address: String

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServiceProcessError("socket() failed") }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr("127.0.0.1")
        local.sin_port = 0
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ServiceProcessError("bind() or listen() failed: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        address = "127.0.0.1:\(UInt16(bigEndian: local.sin_port))"
    }

    deinit { close(descriptor) }
}
