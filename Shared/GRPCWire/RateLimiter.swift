#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A token bucket: `burst` tokens at most, `refillPerSecond` regained per second.
struct TokenBucket {
    private let burst: Double
    private let refillPerNanosecond: Double
    private var tokens: Double
    private var lastRefillNanoseconds: UInt64

    init(burst: Int, refillPerSecond: Int, nowNanoseconds: UInt64) {
        self.burst = Double(burst)
        self.refillPerNanosecond = Double(refillPerSecond) / 1_000_000_000
        self.tokens = Double(burst)
        self.lastRefillNanoseconds = nowNanoseconds
    }

    /// Takes one token; false when the bucket is empty.
    mutating func take(nowNanoseconds: UInt64) -> Bool {
        if nowNanoseconds > lastRefillNanoseconds {
            let elapsed = Double(nowNanoseconds - lastRefillNanoseconds)
            tokens = min(burst, tokens + elapsed * refillPerNanosecond)
            lastRefillNanoseconds = nowNanoseconds
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// Monotonic nanoseconds for rate limiting.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}
