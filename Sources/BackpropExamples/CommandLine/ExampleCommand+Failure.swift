import Foundation

extension ExampleCommand {
    /// Prints `name: message` to standard error and exits: with code 2 and the usage
    /// after it for a bad command line, with code 1 otherwise (a file that cannot be written).
    public func fail(_ message: String, showingUsage: Bool = false) -> Never {
        let text = showingUsage ? "\(name): \(message)\n\n\(usage)\n" : "\(name): \(message)\n"
        FileHandle.standardError.write(Data(text.utf8))
        exit(showingUsage ? 2 : 1)
    }
}

extension ExampleOptions {
    /// ``prepare()``, or `command`'s failure message when the output directory cannot be created.
    public func prepareOrExit(_ command: ExampleCommand) {
        do {
            try prepare()
        } catch {
            command.fail("cannot create the output directory \(outputDirectory): \(error.localizedDescription)")
        }
    }
}
