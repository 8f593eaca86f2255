/// One flag of an ``ExampleCommand``: its name without the leading `--`, what it accepts,
/// its help line and its default.
public struct Flag: Sendable {
    /// What a flag accepts. The parser checks every value against its flag's kind, so a
    /// program reads only values that fit.
    public enum Kind: Sendable, Equatable {
        /// Any whole number.
        case integer
        /// A whole number greater than 0: a count or a size.
        case positiveInteger
        /// A whole number of 0 or more.
        case nonNegativeInteger
        /// Any finite number.
        case number
        /// A finite number greater than 0.
        case positiveNumber
        /// A finite number of 0 or more.
        case nonNegativeNumber
        /// A random generator's seed: a whole number from 0 to `UInt64.max`.
        case seed
        /// Any text that is not empty.
        case text
        /// A file or directory; not empty, shown as `PATH` in the usage.
        case path
        /// One of the listed words.
        case choice([String])
        /// A switch without a value.
        case toggle

        var takesValue: Bool { self != .toggle }

        /// What the usage shows after the flag's name.
        var placeholder: String {
            switch self {
            case .integer, .positiveInteger, .nonNegativeInteger, .seed: "N"
            case .number, .positiveNumber, .nonNegativeNumber: "X"
            case .text: "VALUE"
            case .path: "PATH"
            case .choice(let choices): choices.joined(separator: "|")
            case .toggle: ""
            }
        }

        /// Throws a ``UsageError`` that says what `--flag` expects when `text` is not of this kind.
        func validate(_ text: String, flag: String) throws(UsageError) {
            let finite = Double(text).flatMap { $0.isFinite ? $0 : nil }
            let expected: String? = switch self {
            case .integer: Int(text) == nil ? "a whole number" : nil
            case .positiveInteger: (Int(text) ?? 0) > 0 ? nil : "a positive whole number"
            case .nonNegativeInteger: (Int(text) ?? -1) >= 0 ? nil : "a whole number of 0 or more"
            case .number: finite == nil ? "a number" : nil
            case .positiveNumber: (finite ?? 0) > 0 ? nil : "a positive number"
            case .nonNegativeNumber: (finite ?? -1) >= 0 ? nil : "a number of 0 or more"
            case .seed: UInt64(text) == nil ? "a whole number from 0 to \(UInt64.max)" : nil
            case .choice(let choices): choices.contains(text) ? nil : "one of \(choices.joined(separator: ", "))"
            case .text, .path, .toggle: nil
            }
            if let expected { throw UsageError("--\(flag) expects \(expected), not '\(text)'") }
            if text.isEmpty { throw UsageError("--\(flag) needs \(self == .path ? "a path" : "a value")") }
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
