import BackpropNN
import BackpropPlot
import Foundation

extension ExampleCommand {
    /// Prints `name: message` to standard error and exits: with code 2 and the usage
    /// after it for a bad command line, with code 1 otherwise (a file that cannot be written).
    public func fail(_ message: String, showingUsage: Bool = false) -> Never {
        let text = showingUsage ? "\(name): \(message)\n\n\(usage)\n" : "\(name): \(message)\n"
        FileHandle.standardError.write(Data(text.utf8))
        exit(showingUsage ? 2 : 1)
    }

    /// Prints `name: message: reason` to standard error, the reason being
    /// ``readableDescription(of:)`` of `error`, and exits with code 1.
    public func fail(_ message: String, because error: any Error) -> Never {
        fail("\(message): \(readableDescription(of: error))")
    }

    /// Calls `write` with `path`, or exits with `cannot write PATH: reason` if it throws.
    public func writeOrExit(_ path: String, _ write: (_ path: String) throws -> Void) {
        do {
            try write(path)
        } catch {
            fail("cannot write \(path)", because: error)
        }
    }
}

extension ExampleOptions {
    /// ``prepare()``, or `command`'s failure message when the output directory cannot be created.
    public func prepareOrExit(_ command: ExampleCommand) {
        do {
            try prepare()
        } catch {
            command.fail("cannot create the output directory \(outputDirectory)", because: error)
        }
    }
}
