// How DomainFuzz is run.
//
// One executable, several targets; the target is named on the command line, never taken from the
// input, so each target has its own corpus of natural inputs (a CSV file is a CSV file) and its own
// time budget (scripts/fuzz.sh). Tests/Fuzz/README.md says why.
//
// Fuzzing build (scripts/fuzz.sh; the flags and why `@main` stays are explained in
// Tests/Fuzz/WireFuzz/Entry.swift):
//   domain-fuzz --target NAME [libFuzzer flags] CORPUS_DIR|FILE...
// `--target NAME` is taken off the arguments before they are handed to libFuzzer (which fuzzes
// the directories, or replays the files).
//
// Plain build (`swift build`): a replay tool.
//   domain-fuzz --target NAME FILE|DIR...   runs each file (each file of each DIR) through the target
//
// Both builds:
//   domain-fuzz --write-corpus DIR          writes every target's seeds into DIR/NAME/
//   domain-fuzz --list-targets              prints the target names, one a line

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

/// Set once in `main`, before libFuzzer calls `fuzzerTestOneInput`.
nonisolated(unsafe) var selectedTarget = DomainFuzzTarget.serialRange

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

@main
struct DomainFuzzMain {
    static func main() {
        var arguments = CommandLine.arguments
        if DomainFuzzTarget.handleCommonOptions(Array(arguments.dropFirst())) { return }
        guard arguments.count >= 3, arguments[1] == "--target", let target = DomainFuzzTarget(rawValue: arguments[2]) else {
            DomainFuzzTarget.usage()
        }
        target.prepare()
        selectedTarget = target
        arguments.removeSubrange(1...2)
        // libFuzzer keeps pointers into argv for the whole run, so these copies are never freed.
        var argc = CInt(arguments.count)
        var argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
        for (index, argument) in arguments.enumerated() { argv[index] = strdup(argument) }
        argv[arguments.count] = nil
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
    }
}
#else
@main
struct DomainFuzzMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if DomainFuzzTarget.handleCommonOptions(arguments) { return }
        switch arguments.first {
        case "--target":
            guard arguments.count >= 3, let target = DomainFuzzTarget(rawValue: arguments[1]) else { DomainFuzzTarget.usage() }
            target.prepare()
            var files = 0
            for argument in arguments.dropFirst(2) {
                for path in FileIO.filesAt(argument) {
                    guard let bytes = FileIO.read(path) else { DomainFuzzTarget.fail("cannot read \(path)") }
                    print("replaying \(path) (\(bytes.count) bytes)")
                    target.run(bytes)
                    files += 1
                }
            }
            print("replayed \(files) inputs through \(target.rawValue) without a crash")
        default:
            DomainFuzzTarget.usage()
        }
    }
}
#endif
