import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation
import Testing

@Suite struct ExampleCommandTests {
    let command = ExampleCommand(
        name: "demo", summary: "A demonstration.", defaults: .init(epochs: 10, batchSize: 16, learningRate: 0.05, seed: 7),
        flags: [Flag("width", .integer, help: "hidden units", default: "8"), Flag("plot", .toggle, help: "draw")]
    )
    /// One flag of each checked kind, with a shared flag's help replaced.
    let kinds = ExampleCommand(
        name: "kinds", summary: "Flag kinds.", defaults: .init(epochs: 1, batchSize: 1, learningRate: 1),
        flags: [
            Flag("count", .positiveInteger, help: "a count", default: "3"),
            Flag("samples", .nonNegativeInteger, help: "samples", default: "0"),
            Flag("scale", .positiveNumber, help: "a scale", default: "1"),
            Flag("noise", .nonNegativeNumber, help: "noise", default: "0.5"),
            Flag("words", .path, help: "a word list"),
        ],
        sharedHelp: ["epochs": "iterations at most"]
    )

    @Test func defaultsWithoutArguments() throws {
        let options = try command.parse([])
        #expect(options.epochs == 10)
        #expect(options.batchSize == 16)
        #expect(options.learningRate == 0.05)
        #expect(options.seed == 7)
        #expect(options.threads == nil)
        #expect(options.outputDirectory == "output/demo")
        #expect(options.integer("width") == 8)
        #expect(!options.isSet("plot"))
    }

    @Test func valuesAsSeparateArgumentsOrAfterEquals() throws {
        let options = try command.parse(["--epochs", "3", "--learning-rate=0.1", "--seed", "0", "--threads=2",
                                         "--output-dir", "/tmp/x", "--width", "32", "--plot"])
        #expect(options.epochs == 3)
        #expect(options.learningRate == 0.1)
        #expect(options.seed == 0)
        #expect(options.threads == 2)
        #expect(options.outputDirectory == "/tmp/x")
        #expect(options.integer("width") == 32)
        #expect(options.isSet("plot"))
        #expect(options.outputPath("a.svg") == "/tmp/x/a.svg")
    }

    @Test func badFlagsThrowUsageErrors() {
        #expect(throws: UsageError("unknown option '--epoch'")) { try command.parse(["--epoch", "3"]) }
        #expect(throws: UsageError("--epochs expects a positive whole number, not '0'")) { try command.parse(["--epochs", "0"]) }
        #expect(throws: UsageError("--seed expects a whole number from 0 to \(UInt64.max), not '-1'")) {
            try command.parse(["--seed", "-1"])
        }
        #expect(throws: UsageError("--learning-rate expects a positive number, not 'fast'")) {
            try command.parse(["--learning-rate", "fast"])
        }
        #expect(throws: UsageError("--batch-size needs a value")) { try command.parse(["--batch-size"]) }
        #expect(throws: UsageError("--width expects a whole number, not 'wide'")) { try command.parse(["--width=wide"]) }
        #expect(throws: UsageError("--plot takes no value")) { try command.parse(["--plot=yes"]) }
        #expect(throws: UsageError("unexpected argument 'extra'")) { try command.parse(["extra"]) }
    }

    @Test func flagKindsAcceptTheirValues() throws {
        let defaults = try kinds.parse([])
        #expect(defaults.integer("count") == 3 && defaults.integer("samples") == 0)
        #expect(defaults.number("scale") == 1 && defaults.number("noise") == 0.5 && defaults.text("words") == nil)
        let given = try kinds.parse(["--count=12", "--samples", "0", "--scale", "2.5e-3", "--noise=0", "--words", "a/b.txt",
                                     "--seed", "\(UInt64.max)"])
        #expect(given.integer("count") == 12 && given.integer("samples") == 0)
        #expect(given.number("scale") == 0.0025 && given.number("noise") == 0)
        #expect(given.text("words") == "a/b.txt")
        #expect(given.seed == UInt64.max)
    }

    @Test func flagKindsRejectValuesOutOfRange() {
        let rejected: [([String], String)] = [
            (["--count", "0"], "--count expects a positive whole number, not '0'"),
            (["--count=-2"], "--count expects a positive whole number, not '-2'"),
            (["--count", "1.5"], "--count expects a positive whole number, not '1.5'"),
            (["--samples", "-1"], "--samples expects a whole number of 0 or more, not '-1'"),
            (["--scale", "0"], "--scale expects a positive number, not '0'"),
            (["--scale", "inf"], "--scale expects a positive number, not 'inf'"),
            (["--noise", "-0.1"], "--noise expects a number of 0 or more, not '-0.1'"),
            (["--noise", "nan"], "--noise expects a number of 0 or more, not 'nan'"),
            (["--words="], "--words needs a path"),
            (["--output-dir", ""], "--output-dir needs a path"),
            (["--threads", "0"], "--threads expects a positive whole number, not '0'"),
            (["--learning-rate", "-1"], "--learning-rate expects a positive number, not '-1'"),
            (["--epochs", "x"], "--epochs expects a positive whole number, not 'x'"),
        ]
        for (arguments, message) in rejected {
            #expect(throws: UsageError(message)) { try kinds.parse(arguments) }
        }
    }

    @Test func usageListsEveryFlagWithItsPlaceholderAndHelp() {
        #expect(kinds.usage == """
            Flag kinds.

            usage: swift run -c release kinds [options]

            options:
              --epochs N         iterations at most (default 1)
              --batch-size N     examples per step (default 1)
              --learning-rate X  the optimizer's step size (default 1.0)
              --seed N           seeds data shuffling and initialisation (default 0)
              --threads N        worker threads (default: BACKPROP_THREADS, else all cores)
              --output-dir PATH  where the charts go (default output/kinds)
              --count N          a count (default 3)
              --samples N        samples (default 0)
              --scale X          a scale (default 1)
              --noise X          noise (default 0.5)
              --words PATH       a word list
              --help             print this text
            """)
    }

    @Test func errorsAreDescribedByTheirSystemReason() throws {
        // A real file-system error: a directory cannot be made inside a regular file.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ExampleCommandTests-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try FileManager.default.createDirectory(atPath: file.appendingPathComponent("charts").path,
                                                    withIntermediateDirectories: true)
            Issue.record("created a directory inside a file")
        } catch {
            #expect(readableDescription(of: error) == "Not a directory")
        }
        do {
            _ = try Data(contentsOf: file.appendingPathExtension("missing"))
            Issue.record("read a file that does not exist")
        } catch {
            #expect(readableDescription(of: error) == "No such file or directory")
        }
        // The output directory cannot be a file.
        let options = try kinds.parse(["--output-dir", file.path])
        #expect(throws: POSIXError(.ENOTDIR)) { try options.prepare() }
        #expect(readableDescription(of: POSIXError(.EACCES)) == "Permission denied")
        #expect(readableDescription(of: UsageError("--epochs needs a value")) == "--epochs needs a value")
    }

    @Test func helpIsAskedForNotAnError() throws {
        do {
            _ = try command.parse(["--epochs", "3", "--help"])
            Issue.record("--help parsed as options")
        } catch {
            #expect(error.helpRequested)
        }
        #expect(command.usage.contains("usage: swift run -c release demo [options]"))
        #expect(command.usage.contains("(default 10)"))
        #expect(command.usage.contains("--width N"))
    }
}
