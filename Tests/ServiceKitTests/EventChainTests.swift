import ProtoMessages
import ServiceKit
import Testing

/// The audit chain (Operating Rules §7, §11; issue 7): every event linked to the one before it, so
/// an edit, a removal or a reordering is named at the first event it touches.
@Suite("event chain")
struct EventChainTests {
    /// A feed of `count` linked events, as a service writes them.
    static func feed(_ count: Int) -> [Recs_Transfer_V1_Event] {
        var previous = EventChain.genesis
        return (1...count).map { sequence in
            var event = Recs_Transfer_V1_Event()
            event.sequence = Int64(sequence)
            event.action = "RetireCertificates"
            event.requestId = "r-\(sequence)"
            let link = EventChain.link(previous: previous, payload: event.protobufBytes())
            event.chainHash = link
            previous = link
            return event
        }
    }

    static func firstBreak(_ events: [Recs_Transfer_V1_Event]) -> EventChain.Break? {
        var verifier = EventChain.Verifier()
        do {
            for event in events { try verifier.check(event) }
            return nil
        } catch {
            return error
        }
    }

    @Test("an untouched feed verifies, and its head is its last link")
    func intact() throws {
        let events = Self.feed(5)
        var verifier = EventChain.Verifier()
        for event in events { try verifier.check(event) }
        #expect(verifier.count == 5 && verifier.previous == events.last?.chainHash)
    }

    @Test("an edited event is named; the ones before it verify")
    func altered() {
        var events = Self.feed(5)
        events[2].requestId = "edited"
        let found = Self.firstBreak(events)
        #expect(found?.kind == .altered && found?.sequence == 3)
    }

    @Test("a removed event is named as missing")
    func removed() {
        var events = Self.feed(5)
        events.remove(at: 1)
        let found = Self.firstBreak(events)
        #expect(found?.kind == .missing && found?.sequence == 2)
    }

    @Test("two events swapped (sequences rewritten to hide it) break the chain at the first moved")
    func reordered() {
        var events = Self.feed(5)
        events.swapAt(1, 3)
        (events[1].sequence, events[3].sequence) = (2, 4)
        let found = Self.firstBreak(events)
        #expect(found?.kind == .altered && found?.sequence == 2)
        var unsorted = Self.feed(3)
        unsorted.swapAt(1, 2)
        #expect(Self.firstBreak(unsorted)?.kind == .missing)
    }

    @Test("an event without its link does not verify")
    func unlinked() {
        var events = Self.feed(2)
        events[1].chainHash = []
        #expect(Self.firstBreak(events)?.sequence == 2)
    }
}
