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
    public let flags: [Flag]

    public init(name: String, summary: String, defaults: Defaults, flags: [Flag] = []) {
        self.name = name
        self.summary = summary
        self.defaults = defaults
        self.flags = flags
    }

    /// The usage text that `--help` prints.
    public var usage: String {
        var lines = [summary, "", "usage: swift run -c release \(name) [options]", "", "options:"]
        let shared: [(String, String)] = [
            ("--epochs N", "passes over the training data (default \(defaults.epochs))"),
            ("--batch-size N", "examples per step (default \(defaults.batchSize))"),
            ("--learning-rate X", "the optimizer's step size (default \(defaults.learningRate))"),
            ("--seed N", "seeds data shuffling and initialisation (default \(defaults.seed))"),
            ("--threads N", "worker threads (default: BACKPROP_THREADS, else all cores)"),
            ("--output-dir PATH", "where charts and checkpoints go (default output/\(name))"),
        ]
        let own = flags.map { flag in
            ("--\(flag.name)" + (flag.kind.takesValue ? " \(flag.kind.placeholder)" : ""), flag.helpLine)
        }
        let width = (shared + own).map(\.0.count).max() ?? 0
        for (flag, help) in shared + own + [("--help", "print this text")] {
            lines.append("  " + flag.padding(toLength: width + 2, withPad: " ", startingAt: 0) + help)
        }
        return lines.joined(separator: "\n")
    }

    /// Parses `arguments` (without the program name).
    public func parse(_ arguments: [String]) throws(UsageError) -> ExampleOptions {
        var options = ExampleOptions(
            epochs: defaults.epochs, batchSize: defaults.batchSize, learningRate: defaults.learningRate,
            seed: defaults.seed, threads: nil, outputDirectory: "output/\(name)", values: [:]
        )
        for flag in flags { options.values[flag.name] = flag.defaultValue }
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
            let own = flags.first { $0.name == name }
            let takesValue = own?.kind.takesValue ?? true
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard index < arguments.count else { throw UsageError("--\(name) needs a value") }
                index += 1
                return arguments[index - 1]
            }
            switch name {
            case "epochs": options.epochs = try Self.positiveInteger(value(), flag: name)
            case "batch-size": options.batchSize = try Self.positiveInteger(value(), flag: name)
            case "learning-rate": options.learningRate = try Self.positiveNumber(value(), flag: name)
            case "seed":
                let text = try value()
                guard let seed = UInt64(text) else {
                    throw UsageError("--seed expects a whole number from 0 to \(UInt64.max), not '\(text)'")
                }
                options.seed = seed
            case "threads": options.threads = try Self.positiveInteger(value(), flag: name)
            case "output-dir":
                let path = try value()
                guard !path.isEmpty else { throw UsageError("--output-dir needs a path") }
                options.outputDirectory = path
            default:
                guard let own else { throw UsageError("unknown option '--\(name)'") }
                if takesValue {
                    let text = try value()
                    try own.kind.validate(text, flag: name)
                    options.values[name] = text
                } else {
                    guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                    options.values[name] = "true"
                }
            }
        }
        return options
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
            FileHandle.standardError.write(Data("\(name): \(error.message)\n\n\(usage)\n".utf8))
            exit(2)
        }
    }

    static func positiveInteger(_ text: String, flag: String) throws(UsageError) -> Int {
        guard let value = Int(text), value > 0 else {
            throw UsageError("--\(flag) expects a positive whole number, not '\(text)'")
        }
        return value
    }

    static func positiveNumber(_ text: String, flag: String) throws(UsageError) -> Double {
        guard let value = Double(text), value.isFinite, value > 0 else {
            throw UsageError("--\(flag) expects a positive number, not '\(text)'")
        }
        return value
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
