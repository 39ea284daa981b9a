import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process spawned with default signal handling and an empty signal mask, in a process
/// group of its own. Foundation's `Process` hands its children the test runner's blocked-signal
/// mask, and a shell cannot unblock signals: a script started that way never sees SIGTERM.
public final class ScriptProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The child's standard output.
    public let output: FileHandle
    private var status: Int32?

    public init(_ path: String, arguments: [String], environment: [String: String]) throws {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw ServiceProcessError("pipe() failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(pipe[1])
        guard result == 0 else {
            close(pipe[0])
            throw ServiceProcessError("posix_spawn \(path) failed: \(result)")
        }
        self.pid = pid
        self.output = FileHandle(fileDescriptor: pipe[0], closeOnDealloc: true)
    }

    /// The exit status once it exited normally; nil while running or after a signal.
    public func exitStatus() -> Int32? {
        if let status { return status }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        // WIFEXITED / WEXITSTATUS by hand (macros are not imported).
        status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : -1
        return status
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits up to `timeout` for the exit; returns the exit status (-1 after a signal), or nil when
    /// it is still running.
    public func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus() { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        return exitStatus()
    }

    /// SIGKILL to the whole process group (the script and everything it started).
    public func killGroup() {
        kill(-pid, SIGKILL)
        _ = exitStatus()
    }
}
