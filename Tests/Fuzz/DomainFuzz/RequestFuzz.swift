// Request decoding of the four services: the input's first byte chooses a request type (its index
// in `RequestTypes.all`, modulo their number), the rest is the message. A message that decodes must
// re-encode, decode equal and re-encode to the same bytes (MessageRoundTrip).

import FuzzSupport
import GRPCWire
import ProtoMessages

enum RequestFuzz {
    /// The services whose requests are fuzzed, and the table that lists each one's request types.
    static let services: [(name: String, types: [any ProtoMessage.Type])] = [
        ("recs.registry.v1.RegistryService", RequestTypes.registry),
        ("recs.issuance.v1.IssuanceService", RequestTypes.issuance),
        ("recs.transfer.v1.TransferService", RequestTypes.transfer),
        ("recs.reporting.v1.ReportingService", RequestTypes.reporting),
    ]

    static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let type = RequestTypes.all[Int(selector) % RequestTypes.all.count]
        MessageRoundTrip.check(type, Array(input.dropFirst()))
    }

    /// Stops the fuzzer (exit 2) unless each service's table lists exactly the request types its
    /// methods declare in the embedded descriptors.
    static func checkTableIsComplete() {
        var problems: [String] = []
        for (service, types) in services {
            let declared = Set(Descriptors.methods.filter { $0.service == service }.map(\.inputType))
            let listed = Set(types.map { $0.protoMessageName })
            if declared.isEmpty { problems.append("no method of \(service) is declared") }
            for missing in declared.subtracting(listed).sorted() { problems.append("\(service): \(missing) is not in RequestTypes") }
            for extra in listed.subtracting(declared).sorted() { problems.append("\(service): \(extra) is no request of it") }
        }
        if Set(RequestTypes.all.map { $0.protoMessageName }).count != RequestTypes.all.count {
            problems.append("RequestTypes lists a type twice")
        }
        if RequestTypes.all.count > 256 { problems.append("more than 256 request types: one selector byte no longer reaches them all") }
        guard problems.isEmpty else {
            DomainFuzzTarget.fail("Tests/Fuzz/DomainFuzz/RequestTypes.swift is out of date:\n  " + problems.joined(separator: "\n  "))
        }
    }
}
