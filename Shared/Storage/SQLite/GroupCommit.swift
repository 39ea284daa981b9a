import Synchronization

/// One transaction waiting to be run in a group: its body, and how to answer its caller once the
/// group's commit is durable (or failed).
final class GroupMember: @unchecked Sendable {
    // `@unchecked`: `run` and the value it stores are touched only on the connection's queue, and
    // `succeed`/`fail` are called exactly once, after `run`, from that queue.
    let run: (inout SQLTransaction) throws -> Void
    let succeed: () -> Void
    let fail: (any Error) -> Void

    private init(run: @escaping (inout SQLTransaction) throws -> Void, succeed: @escaping () -> Void, fail: @escaping (any Error) -> Void) {
        self.run = run
        self.succeed = succeed
        self.fail = fail
    }

    static func make<T: Sendable>(
        _ body: @escaping @Sendable (inout SQLTransaction) throws -> T, _ continuation: CheckedContinuation<T, any Error>
    ) -> GroupMember {
        let slot = ResultSlot<T>()
        return GroupMember(
            run: { transaction in slot.value = try body(&transaction) },
            succeed: {
                guard let value = slot.value else {
                    continuation.resume(throwing: StorageError(.storageFailed, "a transaction committed without its result"))
                    return
                }
                continuation.resume(returning: value)
            },
            fail: { continuation.resume(throwing: $0) })
    }
}

/// Where a member's value waits for the commit; touched only on the connection's queue.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}

/// Transactions waiting for the connection, handed out in groups.
///
/// Group commit (issue 8, ADR 0008): SQLite has one writer, and every commit with
/// `synchronous = FULL` costs an fsync of the log. Transactions that arrive while a group is being
/// run wait here; the next group takes all of them (up to ``StorageLimits/transactionsPerGroupMax``)
/// into one database transaction, each inside its own savepoint, and one COMMIT makes them durable
/// together. A member that fails is rolled back to its savepoint alone; no member is answered
/// before the commit. One caller alone is one transaction, as before, with no wait added.
final class GroupCommitQueue: Sendable {
    private struct State {
        var waiting: [GroupMember] = []
        var draining = false
    }

    private let state = Mutex(State())

    /// Adds `member`; true when the caller must start a drain (none is running).
    func enqueue(_ member: GroupMember) -> Bool {
        state.withLock { state in
            state.waiting.append(member)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
    }

    /// The next group, or an empty one when nobody waits (the drain then ends).
    func nextGroup() -> [GroupMember] {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.draining = false
                return []
            }
            let count = min(state.waiting.count, StorageLimits.transactionsPerGroupMax)
            let group = Array(state.waiting.prefix(count))
            state.waiting.removeFirst(count)
            return group
        }
    }
}

extension SQLiteConnection {
    /// Runs `group` as one transaction with a savepoint per member (see ``GroupCommitQueue``).
    /// `committed` is told how many members each commit made durable, before they are answered.
    func runGroup(_ group: [GroupMember], log: StatementLog?, committed: (Int) -> Void) {
        if group.count == 1, let member = group.first {
            do {
                try runTransaction({ transaction in try member.run(&transaction) }, log: log)
                committed(1)
                member.succeed()
            } catch {
                member.fail(error)
            }
            return
        }
        var pending = group[...]
        while !pending.isEmpty {
            pending = runGroupAttempt(pending, log: log, committed: committed)
        }
    }

    /// Runs members from the front of `group` in one transaction and answers them; returns those not
    /// yet run when SQLite gave the transaction up half-way (they start a new one).
    private func runGroupAttempt(
        _ group: ArraySlice<GroupMember>, log: StatementLog?, committed: (Int) -> Void
    ) -> ArraySlice<GroupMember> {
        transactionAborted = false
        do {
            try begin()
        } catch {
            for member in group { member.fail(error) }
            return []
        }
        var done: [GroupMember] = []
        for (index, member) in zip(group.indices, group) {
            do {
                _ = try execute("SAVEPOINT group_member", [])
                var transaction = SQLTransaction(connection: self, log: log)
                try member.run(&transaction)
                guard !transactionAborted else {
                    throw StorageError(
                        .statementFailed, StorageError.standardMessage(.statementFailed),
                        cause: "a statement failed inside the transaction and its error was not rethrown; rolled back")
                }
                _ = try execute("RELEASE group_member", [])
                done.append(member)
            } catch {
                if isInTransaction {
                    // Undo this member alone; the others' work stays.
                    _ = try? execute("ROLLBACK TO group_member", [])
                    _ = try? execute("RELEASE group_member", [])
                    transactionAborted = false
                    member.fail(error)
                    continue
                }
                // SQLite rolled the whole transaction back (an I/O error, a full disk): nothing of
                // the group was written. The members done so far run again (their callers retry).
                member.fail(error)
                let rolledBack = StorageError(
                    .serializationFailure, "the transaction was rolled back with its group; retry",
                    cause: "another transaction of the group failed with \(error)")
                for member in done { member.fail(rolledBack) }
                return group[(index + 1)...]
            }
        }
        do {
            try commit()
        } catch {
            rollback()
            for member in done { member.fail(error) }
            return []
        }
        if !done.isEmpty { committed(done.count) }
        for member in done { member.succeed() }
        return []
    }
}
