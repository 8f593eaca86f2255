import BackpropNN
import BackpropPlot
import Foundation

/// Graphviz's `dot` program, found on `PATH`, for rendering DOT text to SVG.
public struct Graphviz: Sendable {
    /// The `dot` executable.
    public let executable: URL

    /// Finds `dot` in the directories of the `PATH` environment variable; nil when it is not installed.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let path = directories.map({ ($0 as NSString).appendingPathComponent("dot") })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        executable = URL(fileURLWithPath: path)
    }

    /// Why rendering failed.
    public struct RenderError: Error, CustomStringConvertible {
        /// What went wrong, with `dot`'s own message when it printed one.
        public let description: String
    }

    /// Runs `dot -Tsvg input -o output`, throwing a ``RenderError`` if it cannot start or exits with an error.
    public func renderSVG(from input: String, to output: String) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-Tsvg", input, "-o", output]
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw RenderError(description: "cannot run \(executable.path): \(readableDescription(of: error))")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw RenderError(description: "\(executable.path) failed (status \(process.terminationStatus)): "
                              + message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
