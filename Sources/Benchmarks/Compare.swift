import Foundation

// --compare: runs the project's peer scripts with a given Python, one process
// per framework, and prints Backprop's results beside theirs.

/// The peer scripts, found beside this source file (Sources/Benchmarks/peers).
let peersDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("peers")

/// Runs `executable` with `arguments`, passing its stderr through; returns its stdout lines that are results.
func runChild(_ executable: String, _ arguments: [String], echo: Bool) -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    do { try process.run() } catch {
        note("cannot run \(executable): \(error.localizedDescription)")
        return []
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 { note("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)") }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
    if echo { for line in lines { FileHandle.standardOutput.write(Data((line + "\n").utf8)) } }
    return lines
}

/// Whether `python` can import `module`.
func canImport(_ module: String, python: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", "import \(module)"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// One parsed result line.
struct Result: Decodable {
    let framework: String, workload: String, metric: String, value: Double, unit: String
}

/// Runs each available peer on the same workloads and prints a side-by-side table.
func compare(_ ours: [String], python: String, options: BenchOptions) {
    var lines = ours
    let peers = [("torch", "torch_bench.py"), ("micrograd", "micrograd_bench.py")]
    for (module, script) in peers {
        guard canImport(module, python: python) else { note("--compare: \(python) cannot import \(module); skipped"); continue }
        var arguments = [peersDirectory.appendingPathComponent(script).path, "--threads", String(options.threads),
                         "--workload", options.workloads.joined(separator: ","), "--min-time", String(options.minTime)]
        if options.check { arguments.append("--check") }
        lines += runChild(python, arguments, echo: true)
    }
    let results = lines.compactMap { try? JSONDecoder().decode(Result.self, from: Data($0.utf8)) }
    printTable(results)
}

/// Prints, per workload and metric, Backprop's value, each peer's, and the ratio in Backprop's favour.
func printTable(_ results: [Result]) {
    let frameworks = ["backprop"] + Array(Set(results.map(\.framework)).subtracting(["backprop"])).sorted()
    let timeLike: Set<String> = ["ms", "us/op", "MiB"]      // lower is better
    print("\n| workload | metric | " + frameworks.joined(separator: " | ")
          + frameworks.dropFirst().map { " | backprop vs \($0)" }.joined() + " |")
    print("|---|---|" + String(repeating: "---|", count: 2 * frameworks.count - 1))
    var seen = Set<String>()
    for result in results where result.framework == "backprop" && seen.insert(result.workload + result.metric).inserted {
        let values = frameworks.map { framework in
            results.first { $0.framework == framework && $0.workload == result.workload && $0.metric == result.metric }?.value
        }
        let cells = values.map { $0.map { String(format: "%.4g", $0) } ?? "–" }
        let ratios = values.dropFirst().map { peer -> String in
            guard let peer, let own = values[0], own > 0, peer > 0, !result.unit.isEmpty else { return "–" }
            let ratio = timeLike.contains(result.unit) ? peer / own : own / peer
            return String(format: "%.2f×", ratio)
        }
        print("| \(result.workload) | \(result.metric) (\(result.unit.isEmpty ? "value" : result.unit)) | "
              + (cells + ratios).joined(separator: " | ") + " |")
    }
    print("\nRatios above 1 favour Backprop (for times and memory: peer ÷ Backprop; for rates: Backprop ÷ peer).")
}
