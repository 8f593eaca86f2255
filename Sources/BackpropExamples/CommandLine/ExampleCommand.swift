import Foundation

/// An example program's command line: the flags every example shares
/// (`--epochs`, `--batch-size`, `--learning-rate`, `--seed`, `--threads`,
/// `--output-dir`, `--help`) with the program's defaults, plus its own flags.
///
/// ```
/// let command = ExampleCommand(name: "xor", summary: "…", defaults: .init(epochs: 500, batchSize: 4, learningRate: 0.1))
/// let options = command.parseOrExit()   // usage and exit code 2 on a bad flag
/// ```
public struct ExampleCommand: Sendable {
    /// The shared flags' default values for one program.
    public struct Defaults: Sendable {
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Double
        public var seed: UInt64

        public init(epochs: Int, batchSize: Int, learningRate: Double, seed: UInt64 = 0) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.seed = seed
        }
    }

    public let name: String
    public let summary: String
    public let defaults: Defaults
    /// The program's own flags, after the shared ones.
    public let flags: [Flag]
    /// Help lines that replace the shared flags' usual ones, by flag name, where a flag
    /// means something else in this program (`"epochs": "the most iterations"`).
    public let sharedHelp: [String: String]

    /// - Parameter sharedHelp: replacement help lines for shared flags, by name (`epochs`,
    ///   `batch-size`, `learning-rate`, `seed`, `threads`, `output-dir`).
    public init(name: String, summary: String, defaults: Defaults, flags: [Flag] = [], sharedHelp: [String: String] = [:]) {
        self.name = name
        self.summary = summary
        self.defaults = defaults
        self.flags = flags
        self.sharedHelp = sharedHelp
        let shared = Set(sharedFlags.map(\.name))
        precondition(sharedHelp.keys.allSatisfy(shared.contains), "sharedHelp: not all of \(sharedHelp.keys.sorted()) are shared")
        precondition(flags.allSatisfy { !shared.contains($0.name) && $0.name != "help" }, "a program flag repeats a shared one")
    }

    /// The flags every example shares, with this program's defaults and help lines.
    public var sharedFlags: [Flag] {
        let usual = [
            Flag("epochs", .positiveInteger, help: "passes over the training data", default: "\(defaults.epochs)"),
            Flag("batch-size", .positiveInteger, help: "examples per step", default: "\(defaults.batchSize)"),
            Flag("learning-rate", .positiveNumber, help: "the optimizer's step size", default: "\(defaults.learningRate)"),
            Flag("seed", .seed, help: "seeds data shuffling and initialisation", default: "\(defaults.seed)"),
            Flag("threads", .positiveInteger, help: "worker threads (default: BACKPROP_THREADS, else all cores)"),
            Flag("output-dir", .path, help: "where the charts go", default: "output/\(name)"),
        ]
        return usual.map { flag in
            sharedHelp[flag.name].map { Flag(flag.name, flag.kind, help: $0, default: flag.defaultValue) } ?? flag
        }
    }

    /// The usage text that `--help` prints.
    public var usage: String {
        let rows = (sharedFlags + flags).map { flag in
            ("--\(flag.name)" + (flag.kind.takesValue ? " \(flag.kind.placeholder)" : ""), flag.helpLine)
        } + [("--help", "print this text")]
        let width = rows.map(\.0.count).max() ?? 0
        let lines = rows.map { flag, help in "  " + flag.padding(toLength: width + 2, withPad: " ", startingAt: 0) + help }
        return ([summary, "", "usage: swift run -c release \(name) [options]", "", "options:"] + lines).joined(separator: "\n")
    }

    /// Parses `arguments` (without the program name), checking each value against its flag's kind.
    public func parse(_ arguments: [String]) throws(UsageError) -> ExampleOptions {
        let all = sharedFlags + flags
        var values: [String: String] = [:]
        for flag in all { values[flag.name] = flag.defaultValue }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else { throw UsageError("unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if name == "help" { throw UsageError(helpRequested: true) }
            guard let flag = all.first(where: { $0.name == name }) else { throw UsageError("unknown option '--\(name)'") }
            guard flag.kind.takesValue else {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                values[name] = "true"
                continue
            }
            if inlineValue == nil {
                guard index < arguments.count else { throw UsageError("--\(name) needs a value") }
                index += 1
            }
            let text = inlineValue ?? arguments[index - 1]
            try flag.kind.validate(text, flag: name)
            values[name] = text
        }
        return ExampleOptions(values: values)
    }

    /// Parses the process's arguments. `--help` prints the usage and exits 0; a bad
    /// flag prints the error and the usage to standard error and exits with code 2.
    public func parseOrExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> ExampleOptions {
        do {
            return try parse(arguments)
        } catch {
            if error.helpRequested {
                print(usage)
                exit(0)
            }
            fail(error.message, showingUsage: true)
        }
    }
}

/// A bad command line, or a request for help.
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let helpRequested: Bool

    public init(_ message: String) {
        self.message = message
        self.helpRequested = false
    }

    init(helpRequested: Bool) {
        self.message = "help requested"
        self.helpRequested = helpRequested
    }

    public var description: String { message }
}
