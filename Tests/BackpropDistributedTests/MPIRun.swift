import Foundation

/// Runs `backprop-distributed-check` (Sources/TestPrograms/distributed-check), under `mpirun` or alone.
///
/// The tests that need more than one rank are skipped, saying so in the test summary, when no
/// `mpirun` is on the PATH; `.ci/run` installs Open MPI first where it can.
enum MPIRun {
    /// The launcher, if one is installed.
    static let launcher: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Why the multi-process tests cannot run, or nil.
    static let unavailability: String? = launcher == nil
        ? "no mpirun on the PATH: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) to run the two-rank tests"
        : nil

    /// Whether the launcher is Open MPI's, which needs `--oversubscribe` for more ranks than cores.
    static let isOpenMPI: Bool = {
        guard let launcher, let result = try? run(launcher, ["--version"], timeout: 30) else { return false }
        return result.output.contains("Open MPI") || result.output.contains("OpenRTE")
    }()

    /// A program of the package, which SwiftPM builds beside the test bundle: by default the test program.
    static func program(_ name: String = "backprop-distributed-check") throws -> URL {
        var directories = Bundle.allBundles.filter { $0.bundleURL.pathExtension == "xctest" }.map { $0.bundleURL.deletingLastPathComponent() }
        directories += [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        directories += [Bundle.main.executableURL, CommandLine.arguments.first.map { URL(fileURLWithPath: $0) }]
            .compactMap { $0?.deletingLastPathComponent() }
        let candidates = directories.map { $0.appendingPathComponent(name).standardizedFileURL }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Missing(description: "\(name) is not beside the test bundle: build it with `swift build --product \(name)`")
        }
        return found
    }

    struct Missing: Error, CustomStringConvertible { let description: String }

    /// What a run printed (standard output and error together), its status, and how long it took.
    struct Result {
        var output: String
        var status: Int32
        var seconds: Double
        var lines: [String] { output.split(separator: "\n").map(String.init) }
        /// The lines rank `rank` printed, without their "rank R: " prefix.
        func lines(ofRank rank: Int) -> [String] {
            lines.filter { $0.hasPrefix("rank \(rank): ") }.map { String($0.dropFirst("rank \(rank): ".count)) }
        }
    }

    /// `mpirun -np ranks PROGRAM arguments…`, by default the test program.
    static func ranks(_ ranks: Int, _ arguments: [String], program name: String = "backprop-distributed-check",
                      timeout: Double = 120) throws -> Result {
        guard let launcher else { throw Missing(description: unavailability!) }
        let options = isOpenMPI ? ["--oversubscribe"] : []
        return try run(launcher, options + ["-np", "\(ranks)", try program(name).path] + arguments, timeout: timeout)
    }

    /// `PROGRAM arguments…`, without a launcher: by default the test program.
    static func alone(_ arguments: [String], program name: String = "backprop-distributed-check",
                      timeout: Double = 120) throws -> Result {
        try run(try program(name), arguments, timeout: timeout)
    }

    /// Runs a program, stopping it after `timeout` seconds.
    static func run(_ executable: URL, _ arguments: [String], timeout: Double) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        // Open MPI refuses to start as root without these; containers and CI machines often are root.
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        process.environment = environment
        let output = Pipe()
        (process.standardOutput, process.standardError) = (output, output)
        let start = Date()
        try process.run()
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        return Result(output: String(decoding: printed, as: UTF8.self), status: process.terminationStatus,
                      seconds: Date().timeIntervalSince(start))
    }
}
