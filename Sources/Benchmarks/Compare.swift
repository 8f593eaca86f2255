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
    let framework: String, workload: String, threads: Int, metric: String, value: Double, unit: String
}

/// The peers, in the table's column order: each one's Python module, script and column heading.
let peers = [(module: "torch", script: "torch_bench.py", heading: "torch (eager)"),
             (module: "jax", script: "jax_bench.py", heading: "jax (jit)"),
             (module: "micrograd", script: "micrograd_bench.py", heading: "micrograd")]

/// Runs each available peer on the same workloads and prints a side-by-side table.
func compare(_ ours: [String], python: String, options: BenchOptions) {
    var lines = ours
    // fma-peak is Backprop's own; a -compiled workload is compared with the peers' run of its eager name.
    var workloads: [String] = []
    for name in options.workloads.map(peerWorkload) where name != "fma-peak" && !workloads.contains(name) { workloads.append(name) }
    for peer in peers where !workloads.isEmpty {
        guard canImport(peer.module, python: python) else { note("--compare: \(python) cannot import \(peer.module); skipped"); continue }
        var arguments = [peersDirectory.appendingPathComponent(peer.script).path, "--threads", String(options.threads),
                         "--workload", workloads.joined(separator: ","), "--min-time", String(options.minTime)]
        if options.check { arguments.append("--check") }
        lines += runChild(python, arguments, echo: true)
    }
    let results = lines.compactMap { try? JSONDecoder().decode(Result.self, from: Data($0.utf8)) }
    print(table(results, threads: options.threads), terminator: "")
}

/// The peers' name of a workload: a compiled workload's eager name (the peers' own scripts
/// decide how they run it: JAX jits every step, PyTorch runs it eagerly).
func peerWorkload(_ workload: String) -> String { workload.replacingOccurrences(of: "-compiled", with: "") }
