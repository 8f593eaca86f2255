import Foundation
import Testing

/// A compiled training step allocates nothing once warm: the `backprop-allocation-check` program
/// (Sources/TestPrograms/allocation-check) counts every heap allocation of ten steps of three
/// training loops, with glibc's mtrace as the counting hook.
///
/// It runs the program's release build, the one that counts: unoptimized Swift allocates on its
/// own (a `for` loop over an array in generic code allocates its iterator's frame), so the debug
/// build's counts say nothing about the library. `.ci/run` builds it (`swift build -c release`)
/// before `swift test`; elsewhere the test is skipped, saying so, when that build is missing or
/// older than the sources.
@Suite struct CompiledStepAllocations {
    /// On one thread, and on two, where the kernels that split hand the workers a description of
    /// their work rather than a closure.
    @Test(.enabled(if: AllocationCheck.unavailability == nil, "\(AllocationCheck.unavailability ?? "")"),
          arguments: [1, 2])
    func aWarmCompiledTrainingStepAllocatesNothing(threads: Int) throws {
        let lines = try AllocationCheck.run(["--threads", "\(threads)", "--steps", "10"])
        #expect(lines.count == 3, "\(lines)")
        for line in lines {
            #expect(line.hasSuffix(": 0 allocations in 10 steps"), "\(line) (threads: \(threads))")
        }
    }
}

/// The release build of `backprop-allocation-check`, and why it cannot run, if it cannot.
enum AllocationCheck {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let program = root.appendingPathComponent(".build/release/backprop-allocation-check")

    /// Nil when the program can count: its release build is newer than every source file, and
    /// glibc's malloc debugging library, which it preloads, is installed.
    static let unavailability: String? = {
        let files = FileManager.default
        let build = "build it with `swift build -c release` (as .ci/run does) to count allocations"
        guard let built = try? files.attributesOfItem(atPath: program.path)[.modificationDate] as? Date else {
            return "\(program.path) is missing: \(build)"
        }
        let sources = files.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: [.contentModificationDateKey])
        while let file = sources?.nextObject() as? URL {
            guard ["swift", "c", "h"].contains(file.pathExtension),
                  let changed = try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate else { continue }
            if changed > built { return "\(program.path) is older than \(file.lastPathComponent): \(build)" }
        }
        let directories = ["/lib", "/usr/lib", "/lib64", "/usr/lib64"].flatMap { directory in
            [directory] + ((try? files.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix("-linux-gnu") }
                .map { "\(directory)/\($0)" }
        }
        guard directories.contains(where: { files.fileExists(atPath: "\($0)/libc_malloc_debug.so.0") }) else {
            return "glibc's libc_malloc_debug.so.0, the counting hook, is not installed"
        }
        return nil
    }()

    /// The lines the program prints when run with `arguments`.
    static func run(_ arguments: [String]) throws -> [String] {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: printed, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
