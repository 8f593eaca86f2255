// backprop-distributed-check: the program that the distributed tests start under `mpirun`.
//
//     mpirun -np P backprop-distributed-check collectives
//     mpirun -np P backprop-distributed-check equivalence STEPS BATCH EXAMPLES [--bucket-bytes N] [--weighted]
//     mpirun -np P backprop-distributed-check fault kill|throw|hang RANK STEP [--timeout SECONDS] [--checkpoint FILE]
//     mpirun -np P backprop-distributed-check wrapping DIRECTORY
//     backprop-distributed-check verify-checkpoint FILE
//     backprop-distributed-check no-mpi LIBRARY
//
// Every line it prints starts with "rank R: ". Tests/BackpropDistributedTests runs it; it is not an example.
import Backprop
import BackpropDistributed
import BackpropNN
import Foundation

/// The arguments after the mode; `--name value` options are read by name.
struct Arguments {
    var positional: [String]
    var options: [String: String]

    init(_ words: ArraySlice<String>) {
        (positional, options) = ([], [:])
        var words = words[...]
        while let word = words.popFirst() {
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2))
                options[name] = name == "weighted" ? "true" : (words.popFirst() ?? "")
            } else {
                positional.append(word)
            }
        }
    }

    func integer(_ index: Int) -> Int {
        guard index < positional.count, let value = Int(positional[index]) else { fail("argument \(index + 1) is not an integer") }
        return value
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("backprop-distributed-check: \(message)\n".utf8))
    exit(2)
}

Backprop.threadCount = 1
let words = CommandLine.arguments.dropFirst()
guard let mode = words.first else { fail("no mode") }
let arguments = Arguments(words.dropFirst())
let timeout = Duration.seconds(Double(arguments.options["timeout"] ?? "") ?? 60)

/// Runs `body` in a process group, printing why the group could not be made.
func inGroup(_ body: (ProcessGroup) throws -> Void) {
    do { try ProcessGroup.run(timeout: timeout, body) } catch {
        print("rank ?: \(error)")
        exit(1)
    }
}

switch mode {
case "collectives":
    inGroup { try checkCollectives($0) }
case "wrapping":
    guard let directory = arguments.positional.first else { fail("no directory") }
    inGroup { group in
        try checkWrapping(group, directory: URL(fileURLWithPath: directory))
        try checkUnusedParameters(group)
    }
case "equivalence":
    inGroup { group in
        try checkEquivalence(group, steps: arguments.integer(0), batchSize: arguments.integer(1), examples: arguments.integer(2),
                             bucketBytes: Int(arguments.options["bucket-bytes"] ?? "") ?? (25 << 20),
                             weighted: arguments.options["weighted"] != nil)
    }
case "fault":
    guard let kind = arguments.positional.first, let fault = Fault(rawValue: kind) else { fail("no fault kind") }
    inGroup { group in
        try injectFault(fault, group: group, rank: arguments.integer(1), step: arguments.integer(2),
                        checkpoint: arguments.options["checkpoint"].map { URL(fileURLWithPath: $0) })
    }
case "verify-checkpoint":
    guard let path = arguments.positional.first else { fail("no file") }
    let model = faultModel(width: 0)
    do {
        let epoch = try model.load(from: URL(fileURLWithPath: path))
        print("rank 0: the checkpoint loads, step \(epoch ?? -1)")
    } catch {
        print("rank 0: the checkpoint does not load: \(error)")
        exit(1)
    }
case "no-mpi":
    do {
        _ = try ProcessGroup.initialize(library: arguments.positional.first)
        print("rank 0: MPI loaded")
    } catch {
        print("rank 0: \(error)")
    }
default:
    fail("unknown mode \(mode)")
}
