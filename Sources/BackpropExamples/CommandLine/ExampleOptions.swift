import Backprop
import Foundation

/// One program-specific flag of an ``ExampleCommand``.
public struct Flag: Sendable {
    /// What a flag accepts; values are checked while parsing.
    public enum Kind: Sendable, Equatable {
        case integer
        case number
        case text
        case choice([String])
        /// A switch without a value.
        case toggle

        var takesValue: Bool { self != .toggle }

        var placeholder: String {
            switch self {
            case .integer: "N"
            case .number: "X"
            case .text: "VALUE"
            case .choice(let choices): choices.joined(separator: "|")
            case .toggle: ""
            }
        }

        func validate(_ text: String, flag: String) throws(UsageError) {
            switch self {
            case .integer:
                guard Int(text) != nil else { throw UsageError("--\(flag) expects a whole number, not '\(text)'") }
            case .number:
                guard let value = Double(text), value.isFinite else {
                    throw UsageError("--\(flag) expects a number, not '\(text)'")
                }
            case .text:
                guard !text.isEmpty else { throw UsageError("--\(flag) needs a value") }
            case .choice(let choices):
                guard choices.contains(text) else {
                    throw UsageError("--\(flag) expects one of \(choices.joined(separator: ", ")), not '\(text)'")
                }
            case .toggle: break
            }
        }
    }

    public let name: String
    public let kind: Kind
    public let help: String
    /// The value when the flag is absent; `nil` for none.
    public let defaultValue: String?

    public init(_ name: String, _ kind: Kind, help: String, default defaultValue: String? = nil) {
        self.name = name
        self.kind = kind
        self.help = help
        self.defaultValue = defaultValue
    }

    var helpLine: String { defaultValue.map { "\(help) (default \($0))" } ?? help }
}

/// The parsed command line of an example program.
public struct ExampleOptions: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var seed: UInt64
    /// `--threads`, or `nil` to keep `Backprop.threadCount`'s default.
    public var threads: Int?
    public var outputDirectory: String
    /// The program's own flags, by name, as given (already validated).
    public var values: [String: String]

    /// A program flag's text, or its default.
    public func text(_ name: String) -> String? { values[name] }

    /// A program flag of kind `.integer`.
    public func integer(_ name: String) -> Int? { values[name].flatMap { Int($0) } }

    /// A program flag of kind `.number`.
    public func number(_ name: String) -> Double? { values[name].flatMap { Double($0) } }

    /// Whether a `.toggle` flag was given.
    public func isSet(_ name: String) -> Bool { values[name] == "true" }

    /// Applies `--threads` and creates the output directory.
    public func prepare() throws {
        if let threads { Backprop.threadCount = threads }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
    }

    /// A file inside the output directory.
    public func outputPath(_ fileName: String) -> String {
        (outputDirectory as NSString).appendingPathComponent(fileName)
    }
}
