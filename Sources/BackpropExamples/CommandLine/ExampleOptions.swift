import Backprop
import Foundation

/// The parsed command line of an example program.
public struct ExampleOptions: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var seed: UInt64
    /// `--threads`, or `nil` to keep `Backprop.threadCount`'s default.
    public var threads: Int?
    public var outputDirectory: String
    /// Every flag's value as given, or its default, by name (already checked against its kind).
    public var values: [String: String]

    /// Reads the shared flags out of checked `values`, which hold every shared flag that has a default.
    init(values: [String: String]) {
        self.values = values
        epochs = Int(values["epochs"]!)!
        batchSize = Int(values["batch-size"]!)!
        learningRate = Double(values["learning-rate"]!)!
        seed = UInt64(values["seed"]!)!
        threads = values["threads"].flatMap { Int($0) }
        outputDirectory = values["output-dir"]!
    }

    /// A program flag's text, or its default.
    public func text(_ name: String) -> String? { values[name] }

    /// A program flag of one of the integer kinds.
    public func integer(_ name: String) -> Int? { values[name].flatMap { Int($0) } }

    /// A program flag of one of the number kinds.
    public func number(_ name: String) -> Double? { values[name].flatMap { Double($0) } }

    /// Whether a `.toggle` flag was given.
    public func isSet(_ name: String) -> Bool { values[name] == "true" }

    /// Applies `--threads` and creates the output directory.
    ///
    /// - Throws: `POSIXError(.ENOTDIR)` if the output directory is a file; else `FileManager`'s error.
    public func prepare() throws {
        if let threads { Backprop.threadCount = threads }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw POSIXError(.ENOTDIR)    // createDirectory would say only "File exists"
        }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
    }

    /// A file inside the output directory.
    public func outputPath(_ fileName: String) -> String {
        (outputDirectory as NSString).appendingPathComponent(fileName)
    }
}
