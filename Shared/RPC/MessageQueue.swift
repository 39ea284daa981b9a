import NIOConcurrencyHelpers
import NIOCore
import GRPCWire

/// A single-consumer queue of received messages, filled on an event loop and drained by a task
/// anywhere. It tells its producer when the consumer falls behind (`isFull`) and when it caught up
/// (`onDrained`), which pauses and resumes HTTP/2 flow control for the stream.
final class MessageQueue: @unchecked Sendable {
    static let highWaterCount = 16
    static let lowWaterCount = 4

    private struct State {
        var buffer = CircularBuffer<[UInt8]>()
        var end: Result<Void, RPCError>? = nil
        var waiter: CheckedContinuation<[UInt8]?, any Error>? = nil
        var producerPaused = false
    }

    private let state = NIOLockedValueBox(State())
    /// Called (from the consumer's thread) when a paused producer may resume.
    private let onDrained: @Sendable () -> Void

    init(onDrained: @escaping @Sendable () -> Void = {}) {
        self.onDrained = onDrained
    }

    /// Adds a message; returns true when the producer should pause.
    @discardableResult
    func push(_ message: [UInt8]) -> Bool {
        let (waiter, full): (CheckedContinuation<[UInt8]?, any Error>?, Bool) = state.withLockedValue { state in
            guard state.end == nil else { return (nil, false) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.buffer.append(message)
            let full = state.buffer.count >= Self.highWaterCount
            if full { state.producerPaused = true }
            return (nil, full)
        }
        waiter?.resume(returning: message)
        return full
    }

    /// Ends the queue: buffered messages are still delivered, then `nil` (success) or the error.
    func finish(_ result: Result<Void, RPCError> = .success(())) {
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLockedValue { state in
            guard state.end == nil else { return nil }
            state.end = result
            guard state.buffer.isEmpty, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        switch result {
        case .success: waiter?.resume(returning: nil)
        case .failure(let error): waiter?.resume(throwing: error)
        }
    }

    /// Ends the queue now, dropping buffered messages (cancellation).
    func fail(_ error: RPCError) {
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLockedValue { state in
            state.buffer.removeAll()
            if state.end == nil || (try? state.end?.get()) != nil { state.end = .failure(error) }
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(throwing: error)
    }

    /// The next message, nil at a successful end; throws the error the queue ended with.
    func next() async throws -> [UInt8]? {
        enum Immediate {
            case message([UInt8], resumeProducer: Bool)
            case end(Result<Void, RPCError>)
            case wait
        }
        let immediate: Immediate = state.withLockedValue { state in
            if let message = state.buffer.popFirst() {
                var resume = false
                if state.producerPaused, state.buffer.count <= Self.lowWaterCount {
                    state.producerPaused = false
                    resume = true
                }
                return .message(message, resumeProducer: resume)
            }
            if let end = state.end { return .end(end) }
            return .wait
        }
        switch immediate {
        case .message(let message, let resumeProducer):
            if resumeProducer { onDrained() }
            return message
        case .end(let result):
            try result.get()
            return nil
        case .wait:
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let resumeNow: Result<[UInt8]?, any Error>? = state.withLockedValue { state in
                        if let message = state.buffer.popFirst() { return .success(message) }
                        if let end = state.end {
                            switch end {
                            case .success: return .success(nil)
                            case .failure(let error): return .failure(error)
                            }
                        }
                        if Task.isCancelled { return .failure(RPCError(.cancelled, "the task was cancelled")) }
                        state.waiter = continuation
                        return nil
                    }
                    if let resumeNow { continuation.resume(with: resumeNow) }
                }
            } onCancel: {
                let waiter = state.withLockedValue { state in
                    let waiter = state.waiter
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume(throwing: RPCError(.cancelled, "the task was cancelled"))
            }
        }
    }
}
