import Foundation
import Testing

/// Programmer errors as a user sees them: each case of the `backprop-misuse` executable runs in a child
/// process, and its standard error must name the op, the offending values and the line of `main.swift`
/// that made the mistake. Release builds are checked too when CI has built them (`.ci/run` does, first).
@Suite struct LocatedErrorTests {
    /// Each case and the message it must print after `main.swift:LINE: error: `.
    static let cases: [(name: String, message: String)] = [
        ("crossEntropy-label", "crossEntropy: label 12 is outside 0..<10"),
        ("DataLoader-batchSize", "DataLoader: batch size 0 is not positive"),
        ("Dropout-probability", "Dropout: probability -0.1 is not in [0, 1)"),
        ("Adam-learningRate", "Adam: learning rate must be non-negative, but is nan"),
        ("SGD-learningRate-set", "SGD: learning rate must be non-negative, but is nan"),
        ("meanSquaredError-shape", "meanSquaredError: predictions [4, 1] and targets [4] differ in shape"),
        ("maxPool2d-size", "maxPool2d: window size 0 is not positive"),
        ("matmul-shape", "matmul: [2, 3] × [4, 5]: inner dimensions 3 and 4 differ"),
        ("backward-after-step", "backward: 'matmul' needs the value of input 1, of shape [3, 2], as it was in the forward "
            + "pass, but the value was set since (an optimizer step, or an assignment to `value`, between the forward "
            + "pass and backward()); run the forward pass again after changing it"),
    ]

    /// The misuse program's source, for the line each case is marked on.
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/TestPrograms/misuse/main.swift")

    /// The folder of the running test binary: the build's products, debug or release.
    static let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()

    @Test(arguments: cases.map(\.name))
    func debugBuildNamesTheOpTheValuesAndTheUsersLine(name: String) throws {
        let program = Self.products.appendingPathComponent("backprop-misuse")
        try #require(FileManager.default.isExecutableFile(atPath: program.path), "no backprop-misuse at \(program.path)")
        try expectLocatedError(running: program, case: name)
    }

    @Test(arguments: cases.map(\.name))
    func releaseBuildNamesTheOpTheValuesAndTheUsersLine(name: String) throws {
        let program = Self.products.deletingLastPathComponent().appendingPathComponent("release/backprop-misuse")
        guard FileManager.default.isExecutableFile(atPath: program.path), try modified(program) > modified(Self.source) else {
            print("LocatedErrorTests: skipped in release: no \(program.path) built since its source changed "
                  + "(`swift build -c release` first; CI does)")
            return
        }
        try expectLocatedError(running: program, case: name)
    }

    private func modified(_ file: URL) throws -> Date {
        try #require(FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
    }

    private func expectLocatedError(running program: URL, case name: String) throws {
        let expected = try #require(Self.cases.first { $0.name == name }?.message)
        let lines = try String(contentsOf: Self.source, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasSuffix("// misuse: \(name)") }) + 1

        let process = Process()
        process.executableURL = program
        process.arguments = [name]
        let standardError = Pipe()
        process.standardError = standardError
        process.standardOutput = Pipe()
        process.environment = ["SWIFT_BACKTRACE": "enable=no"]
        try process.run()
        let output = String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationReason == .uncaughtSignal, "\(name) did not stop: \(output)")
        let first = output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first == "\(Self.source.path):\(line): error: \(expected)")
    }
}
