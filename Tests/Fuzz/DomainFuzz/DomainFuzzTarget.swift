// The targets of domain-fuzz. Each takes the bytes of one input as what the real system would be
// given (an uploaded file, a serial number's text, a request message) and traps (`precondition`)
// when an invariant breaks.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum DomainFuzzTarget: String, CaseIterable {
    /// Appendix D generation extract (GenerationExtract, through CSVReader and UploadedTable).
    case generationExtract = "generation-extract"
    /// Appendix C program eligibility extract (ProgramEligibilityExtract).
    case programExtract = "program-extract"
    /// Mass Certificate Transfer upload (MassCertificateTransferFile).
    case massTransfer = "mct"
    /// `unit-state-batch-first-last` text (CertificateSerialRange) and its range arithmetic.
    case serialRange = "serial-range"
    /// Every request message of the registry, issuance, transfer and reporting services; the input's
    /// first byte chooses the message type.
    case requests

    /// Checks what must hold before any input is run (the request table is complete).
    func prepare() {
        if self == .requests { RequestFuzz.checkTableIsComplete() }
    }

    func run(_ input: [UInt8]) {
        switch self {
        case .generationExtract: GenerationExtractFuzz.run(input)
        case .programExtract: ProgramExtractFuzz.run(input)
        case .massTransfer: MassTransferFuzz.run(input)
        case .serialRange: SerialRangeFuzz.run(input)
        case .requests: RequestFuzz.run(input)
        }
    }

    /// `--list-targets` and `--write-corpus DIR`, which both builds understand; returns whether
    /// `arguments` (without the program name) was one of them.
    static func handleCommonOptions(_ arguments: [String]) -> Bool {
        switch arguments.first {
        case "--list-targets":
            for target in allCases { print(target.rawValue) }
            return true
        case "--write-corpus":
            guard arguments.count == 2 else { usage() }
            do {
                let count = try DomainSeedCorpus.write(to: arguments[1])
                print("wrote \(count) seed files to \(arguments[1])")
            } catch {
                fail("\(error)")
            }
            return true
        default:
            return false
        }
    }

    static func usage() -> Never {
        let names = allCases.map(\.rawValue).joined(separator: "|")
        fail(
            "usage: domain-fuzz --target \(names) [libFuzzer flags|FILE|DIR...]  |  domain-fuzz --write-corpus DIR  |  domain-fuzz --list-targets"
        )
    }

    static func fail(_ message: String) -> Never {
        print("domain-fuzz: \(message)")
        exit(2)
    }
}
