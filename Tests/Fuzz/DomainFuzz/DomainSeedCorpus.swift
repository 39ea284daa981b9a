// `domain-fuzz --write-corpus DIR`: every target's seeds, in DIR/<target>/.
//
// The CSV and serial seeds are the files and serial numbers of the Domain tests (Tests/DomainTests),
// valid ones and ones refused for a reason, so the fuzzer starts from what uploads look like. The
// request seeds are written from the embedded descriptors: for each request type, a message with
// every field set (each member of a oneof in turn), decoded by the generated Swift type and
// re-encoded by it.

import Domain
import FuzzSupport
import GRPCWire
import ProtoMessages

struct DomainSeedCorpusError: Error, CustomStringConvertible {
    var description: String
}

enum DomainSeedCorpus {
    /// Writes every target's seeds; returns how many files.
    static func write(to directory: String) throws(DomainSeedCorpusError) -> Int {
        guard FileIO.makeDirectory(directory) else { throw DomainSeedCorpusError(description: "cannot create \(directory)") }
        var count = 0
        for target in DomainFuzzTarget.allCases {
            let targetDirectory = "\(directory)/\(target.rawValue)"
            guard FileIO.makeDirectory(targetDirectory) else {
                throw DomainSeedCorpusError(description: "cannot create \(targetDirectory)")
            }
            for (name, bytes) in try seeds(target) {
                // Every seed must pass its own target: a seed that trips an invariant is a finding.
                target.run(bytes)
                guard FileIO.write(bytes, to: "\(targetDirectory)/\(name)") else {
                    throw DomainSeedCorpusError(description: "cannot write \(targetDirectory)/\(name)")
                }
                count += 1
            }
        }
        return count
    }

    static func seeds(_ target: DomainFuzzTarget) throws(DomainSeedCorpusError) -> [(String, [UInt8])] {
        switch target {
        case .generationExtract: return named("generation", generationFiles)
        case .programExtract: return named("program", programFiles)
        case .massTransfer: return named("mct", massTransferFiles)
        case .serialRange: return named("serial", serials.map { Array($0.utf8) })
        case .requests: return try requestSeeds()
        }
    }

    static func named(_ prefix: String, _ inputs: [[UInt8]]) -> [(String, [UInt8])] {
        inputs.enumerated().map { index, bytes in (index < 10 ? "\(prefix)-0\(index)" : "\(prefix)-\(index)", bytes) }
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func crlf(_ text: String) -> [UInt8] { Array(text.replacing("\n", with: "\r\n").utf8) }

    // MARK: - CSV files (from GenerationExtractTests, ProgramEligibilityExtractTests, MassCertificateTransferFileTests)

    static let generationHeader = "UNITID,Vintage,BeginDate,EndDate,TotalMWh\n"

    static let generationFiles: [[UInt8]] = [
        Array("UNITID,Vintage,BeginDate,EndDate,TotalMWh  \n32000,10/2006,10/01/2006,10/31/2006,125\n".utf8),
        crlf(generationHeader + "U-1,01/2024,01/01/2024,01/31/2024,100.25\nU-1,02/2024,02/01/2024,02/29/2024,0\nPlant B,03/2024,01/01/2024,03/31/2024,0.001\n"),
        byteOrderMark + Array((generationHeader + "\"Unit, North\",12/2023,12/01/2023,12/31/2023,99999999.999\n").utf8),
        Array((generationHeader + "32000,10/2006,10/31/2006,10/01/2006,125\n32000,09/2006,10/01/2006,10/31/2006,-5\n").utf8),
        Array((generationHeader + "A,10/2006,10/01/2006,10/31/2006,125\nA,10/2006,10/15/2006,10/31/2006,1.2345\n").utf8),
        Array("UNITID,Vintage,BeginDate,EndDate\n32000,10/2006,10/01/2006,10/31/2006,125\n".utf8),
    ]

    static let programFiles: [[UInt8]] = [
        Array("Program,UNITID,Attribute1,Attribute2,Attribute3,Attribute4,Attribute5,Attribute6\nCA,W14,Y,CA5555,12/2009,N,Y,N\n".utf8),
        Array("Program,UnitID,Eligible,Certification Number,Good Thru Date MM/YYYY\nCO,W14,Y,CO5555,12/2009\nco,12345,n,X1,01/2010\n".utf8),
        crlf("Program,UNITID,Fuel Type,A1,A2,A3\nOR,W7,WND,Y,OR1,06/2030\n"),
        Array("Program,UNITID,A1,A2\nGREENE,W1,Y,ABC123\nGREENE,W2,N,\"XYZ9\"\n".utf8),
        Array("Program,UNITID,A1,A2\nECOLOGO,W1,Y,ABC123\n".utf8),
        Array("Program,UNITID,A1,A2\nLIHYDRO,W1,Y,ABC123\n".utf8),
        Array(
            "Program,UnitID,FuelType,Program Y or N,Certification Number, Good Thru Date MM/YYYY, Other Program,Attribute5,Attribute6\nCO,W14,SO1,Y,CO5555,12/2009,N,N,N\n"
                .utf8),
        Array("Program,UnitID,Eligible,Certification Number,Good Thru Date MM/YYYY\nUT,W14,Y,X1,12/2009\n".utf8),
    ]

    static let massTransferHeader = "serial_number,quantity,to_organization,to_account,notes\n"

    static let massTransferFiles: [[UInt8]] = [
        Array((massTransferHeader + "99999-AA-123456-1-100,40,A9999,,for Q1 deal\n99999-AA-123456-101-200,100,,1234ABCD-55ZZ,\n").utf8),
        byteOrderMark + crlf(massTransferHeader + "99999-AA-1-1-10,5,A1,,\"net, of fees\"\n"),
        Array((massTransferHeader + "99999-AA-1-1-10,5,A1,1234ABCD-55ZZ,\n99999-AA-1-1-10,5,,,\n99999-AA-1-1-10,5,B12,,\n").utf8),
        Array((massTransferHeader + "99999-AA-1-1-10,11,A1,,\n99999-AA-1-1-10,5,a1,,\n99999-AA-1-3-10,2,,1234abcd-55zz,\"\"\"quoted\"\" note\"\n").utf8),
        // One line over the limit, in few bytes: a file of 1,000 real lines (27 KB) made every
        // mutation of it cost milliseconds, and the limit is checked on every input anyway (CSVFuzz).
        Array((massTransferHeader + String(repeating: ",,,,\n", count: 1_001)).utf8),
    ]

    // MARK: - Serial ranges (from SerialNumberTests, CertificateBatchTests)

    static let serials: [String] = [
        "99999-AA-123456-1-100", "99999-AA-1-10-20", "99998-AA-1-1-100", "99999-CA-123456-40-60", "w14-or-7-1-1",
        "1-TX-999999999999-999999999999-999999999999", "99999-A-1-1-5", "99999-AA-0-1-5", "99999-AA-0123-1-100",
        "99999-AA-123456-0-5", "99999-AA-123456-01-100", "99999-AA-123456-100-1", "99999-AA-123456-1",
    ]

    // MARK: - Request messages (from the descriptors)

    static func requestSeeds() throws(DomainSeedCorpusError) -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        for (index, type) in RequestTypes.all.enumerated() {
            let name = type.protoMessageName
            guard let fields = Descriptors.messages[name] else { throw DomainSeedCorpusError(description: "no descriptor for \(name)") }
            let oneofMembers = Dictionary(grouping: fields.compactMap(\.oneof), by: { $0 }).values.map(\.count).max() ?? 1
            for variant in 0..<oneofMembers {
                let bytes = message(name, variant: variant, depth: 0)
                guard let reencoded = reencode(type, bytes) else {
                    throw DomainSeedCorpusError(description: "the generated \(name) does not decode the seed written from its descriptor")
                }
                seeds.append(("\(name.split(separator: ".").last!)-\(variant)", [UInt8(index)] + reencoded))
            }
        }
        return seeds
    }

    static func reencode<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> [UInt8]? {
        (try? M(protobufBytes: bytes))?.protobufBytes()
    }

    /// `name` with every field set: repeated fields twice, of each oneof only its `variant`-th member
    /// (modulo its size), nested messages to a depth of three.
    static func message(_ name: String, variant: Int, depth: Int) -> [UInt8] {
        guard depth < 3, let fields = Descriptors.messages[name] else { return [] }
        let oneofSizes = Dictionary(grouping: fields.compactMap(\.oneof), by: { $0 }).mapValues(\.count)
        var position: [Int: Int] = [:]
        var bytes: [UInt8] = []
        for field in fields {
            if let oneof = field.oneof {
                let member = position[oneof, default: 0]
                position[oneof] = member + 1
                guard member == variant % oneofSizes[oneof]! else { continue }
            }
            for _ in 0..<(field.repeated ? 2 : 1) {
                bytes += value(field, in: name, variant: variant, depth: depth)
            }
        }
        return bytes
    }

    static func value(_ field: Descriptors.Field, in message: String, variant: Int, depth: Int) -> [UInt8] {
        func key(_ wireType: Int) -> [UInt8] { varint(UInt64(field.number << 3 | wireType)) }
        func delimited(_ payload: [UInt8]) -> [UInt8] { key(2) + varint(UInt64(payload.count)) + payload }
        switch field.type {
        case 1, 6, 16: return key(1) + [0, 0, 0, 0, 0, 0, 0xF8, 0x3F]  // 1.5 as a double; 1.5e... as fixed64 bits
        case 2, 7, 15: return key(5) + [0, 0, 0xC0, 0x3F]  // 1.5 as a float
        case 8, 14: return key(0) + [1]  // true; an enum's first value after the zero one
        case 17, 18: return key(0) + [14]  // 7, zigzag-encoded
        case 3, 4, 5, 13: return key(0) + [7]
        case 9: return delimited(Array(text(field.name).utf8))
        case 12: return delimited(content(message))
        case 11: return delimited(self.message(field.typeName, variant: variant, depth: depth + 1))
        default: return []
        }
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7F) | (value > 0x7F ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }

    /// A value of the shape the field's name suggests, so that the services' parsers would accept it.
    static func text(_ fieldName: String) -> String {
        let shapes: [(String, String)] = [
            ("serial", "99999-AA-123456-1-100"), ("subaccount", "1234ABCD-55ZZ"), ("account", "1234ABCD-55ZZ"),
            ("organization", "A1"), ("unit", "W1234"), ("vintage", "10/2006"), ("request_id", "request-1"),
            ("program", "CA"), ("fuel", "WND"), ("state", "CA"), ("location", "CA"), ("date", "10/31/2006"),
        ]
        for (part, value) in shapes where fieldName.contains(part) { return value }
        return "\(fieldName) ☺"
    }

    /// The bytes of an upload: a file of the kind the request carries.
    static func content(_ message: String) -> [UInt8] {
        if message.contains("Generation") { return generationFiles[0] }
        if message.contains("Program") { return programFiles[0] }
        if message.contains("MassCertificateTransfer") { return massTransferFiles[0] }
        return Array("content".utf8)
    }
}
