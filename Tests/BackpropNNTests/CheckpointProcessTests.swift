import Foundation
import Testing

/// Resuming in a new process, as the checkpoint promises: the `backprop-resume-check` program
/// (Sources/TestPrograms/resume-check) trains, saves and resumes, and prints its final parameters' bits.
@Suite struct CheckpointAcrossProcesses {
    @Test func resumingInANewProcessIsBitIdentical() throws {
        let program = try resumeCheckProgram()
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("run.safetensors").path
            let straight = try output(of: program, ["1", "5"])
            let interrupted = try output(of: program, ["1", "2", "--save", file])
            let resumed = try output(of: program, ["7", "5", "--resume", file])     // built from another seed
            let unresumed = try output(of: program, ["7", "5"])
            #expect(straight.first == "start 0" && interrupted.first == "start 0" && resumed.first == "start 2")
            // Four parameters, each a name and its elements' bits: 3·8 + 8 + 8·4 + 4.
            let words = straight.dropFirst().map { $0.split(separator: " ") }
            #expect(words.map { $0.first ?? "" } == ["0.weight", "0.bias", "3.weight", "3.bias"])
            #expect(words.map(\.count) == [1 + 24, 1 + 8, 1 + 32, 1 + 4])
            #expect(resumed.dropFirst() == straight.dropFirst())
            #expect(interrupted.dropFirst() != straight.dropFirst() && unresumed.dropFirst() != straight.dropFirst())
        }
    }

    @Test func programReportsBadCheckpoints() throws {
        let program = try resumeCheckProgram()
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("absent.safetensors")
            let error = #expect(throws: ProgramFailure.self) { try output(of: program, ["1", "3", "--resume", file.path]) }
            #expect(error?.status == 1)
            #expect(error?.standardError == "backprop-resume-check: \(file.path): no such file\n")
        }
    }
}

/// A run of a program that exited with a status other than 0.
private struct ProgramFailure: Error, CustomStringConvertible {
    let status: Int32
    let standardError: String
    var description: String { "the program exited with status \(status): \(standardError)" }
}

/// A program that the tests need but that is not beside them.
private struct ProgramNotFound: Error, CustomStringConvertible {
    let name: String
    let searched: [String]
    var description: String {
        "\(name) was not found beside the test bundle (searched \(searched.joined(separator: ", "))). "
            + "`swift test` builds every target of the package; to run the tests another way, "
            + "build it first with `swift build --product \(name)`."
    }
}

/// The built `backprop-resume-check`, which SwiftPM puts in the directory of the test bundle.
private func resumeCheckProgram() throws -> URL {
    let name = "backprop-resume-check"
    var directories = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    directories += Bundle.allBundles.filter { $0.bundleURL.pathExtension == "xctest" }.map { $0.bundleURL.deletingLastPathComponent() }
    directories += [Bundle.main.executableURL, CommandLine.arguments.first.map { URL(fileURLWithPath: $0) }]
        .compactMap { $0?.deletingLastPathComponent() }
    let candidates = directories.map { $0.appendingPathComponent(name).standardizedFileURL }
    guard let program = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw ProgramNotFound(name: name, searched: Array(Set(candidates.map { $0.deletingLastPathComponent().path })).sorted())
    }
    return program
}

/// The lines that `program` prints when run with `arguments`.
@discardableResult
private func output(of program: URL, _ arguments: [String]) throws -> [String] {
    let process = Process()
    process.executableURL = program
    process.arguments = arguments
    let (output, errors) = (Pipe(), Pipe())
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    let complaint = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ProgramFailure(status: process.terminationStatus, standardError: String(decoding: complaint, as: UTF8.self))
    }
    return String(decoding: printed, as: UTF8.self).split(separator: "\n").map(String.init)
}
