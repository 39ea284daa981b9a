// How WireFuzz is run.
//
// Fuzzing build (scripts/fuzz.sh):
//   swift build -c release --scratch-path .build-fuzz --product wire-fuzz \
//     -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing \
//     -Xswiftc -enable-experimental-feature -Xswiftc Extern
// libFuzzer then drives `WireFuzz.run`. SwiftPM links every executable with
// `--defsym main=WireFuzz_main`, so the `@main` below must exist in both builds and libFuzzer's own
// `main` is not the one that runs: ours hands over to `LLVMFuzzerRunDriver`. libFuzzer's FuzzerMain.o
// is still linked in and wants `LLVMFuzzerTestOneInput`, so that is defined as well.
// `-parse-as-library` is not needed (no main.swift). `-enable-testing` lets this file
// `@testable import GRPCWire` to reach the internal `MessageDeframer`.
//
// Plain build (`swift build`): a replay tool.
//   wire-fuzz [--verbose] FILE|DIR...  runs each file (each file of each DIR) through `WireFuzz.run`;
//                                      --verbose prints the events the sessions produced
//   wire-fuzz --write-corpus DIR   writes the seed corpus (Tests/Fuzz/corpus/wire) into DIR

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FuzzSupport

#if FUZZING
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    WireFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@main
struct WireFuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
    }
}
#else
@main
struct WireFuzzMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--write-corpus" {
            guard arguments.count == 2 else { usage() }
            do {
                let count = try SeedCorpus.write(to: arguments[1])
                print("wrote \(count) seed files to \(arguments[1])")
            } catch {
                fail("\(error)")
            }
            return
        }
        let verbose = arguments.first == "--verbose"
        let paths = verbose ? Array(arguments.dropFirst()) : arguments
        if paths.isEmpty || paths.contains(where: { $0.hasPrefix("-") }) { usage() }
        var files = 0
        for argument in paths {
            for path in FileIO.filesAt(argument) {
                guard let bytes = FileIO.read(path) else { fail("cannot read \(path)") }
                print("replaying \(path) (\(bytes.count) bytes)")
                bytes.withUnsafeBytes { WireFuzz.run($0, verbose: verbose) }
                files += 1
            }
        }
        print("replayed \(files) inputs without a crash")
    }

    static func usage() -> Never {
        fail("usage: wire-fuzz [--verbose] FILE|DIR...  |  wire-fuzz --write-corpus DIR")
    }

    static func fail(_ message: String) -> Never {
        print("wire-fuzz: \(message)")
        exit(2)
    }
}
#endif
