import BackpropExamples
import Testing

@Suite struct ExampleCommandTests {
    let command = ExampleCommand(
        name: "demo", summary: "A demonstration.", defaults: .init(epochs: 10, batchSize: 16, learningRate: 0.05, seed: 7),
        flags: [Flag("width", .integer, help: "hidden units", default: "8"), Flag("plot", .toggle, help: "draw")]
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
