import Foundation
import Runtime

// Programmer errors (a shape mismatch, a bad axis, a negative probability) stop the program
// with a message that names the op, the offending values and the user's own line: the first
// stack frame outside Backprop and BackpropNN. The backtrace is taken on the failure path
// only, so a correct program pays nothing, and the check holds in release builds, where
// `precondition`'s message is stripped.

/// Stops the program with `message`, prefixed by the caller's source location in the user's code.
///
/// The location is the first stack frame outside Backprop and BackpropNN, printed as
/// `file:line: error: message` on standard error, the way a compiler reports an error. Unlike
/// `precondition`, the message survives `-O`. Standard output is flushed first.
///
/// Use it for checks of a custom op's arguments, with a message of the form
/// `"op: what is wrong, with the values"`.
public func programmerError(_ message: String) -> Never {
    let location = CallSite.userLocation(in: CallSite.capture())
    let prefix = location.map { "\($0): " } ?? ""
    let suffix = location == nil ? " (no source location: the calling code carries no debug information)" : ""
    fflush(nil)    // every output stream: what the program printed so far is not lost
    FileHandle.standardError.write(Data("\(prefix)error: \(message)\(suffix)\n".utf8))
    abort()
}

/// Stops the program with `message` and the user's source location unless `condition` holds.
///
/// A `precondition` for arguments that a user passes: it checks in every build
/// configuration, and ``programmerError(_:)`` reports the failure.
@inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { programmerError(message()) }
}

/// A line of the user's source, as a symbolicated stack frame gives it.
struct SourceLine: Equatable, Sendable, CustomStringConvertible {
    let file: String
    let line: Int
    var description: String { "\(file):\(line)" }
}

/// Finds the user's frame in a backtrace: the first with a source location outside the
/// library's own source folders.
enum CallSite {
    /// The package's root folder, found from this file's own path
    /// (`…/Sources/Backprop/Diagnostics/ProgrammerError.swift`), wherever the package was built.
    static let packageRoot: String = {
        let file = URL(fileURLWithPath: #filePath)
        return (0..<4).reduce(file) { url, _ in url.deletingLastPathComponent() }.path + "/"
    }()

    /// Whether `path` is one of Backprop's or BackpropNN's source files. Debug information names
    /// a file by its full path, or, for code inlined in a release build, relative to the package.
    static func isLibrarySource(_ path: String) -> Bool {
        let relative = path.hasPrefix(packageRoot) ? String(path.dropFirst(packageRoot.count)) : path
        return relative.hasPrefix("Sources/Backprop/") || relative.hasPrefix("Sources/BackpropNN/")
    }

    /// The binaries' layout, read once: capturing it for every backtrace would cost a hundred times more.
    static let images = ImageMap.capture()

    /// A backtrace of the current thread, cheap to take (a few microseconds); symbolicated only when reported.
    @inline(never)
    static func capture() -> Backtrace? {
        try? Backtrace.capture(algorithm: .fast, limit: 48, images: images)
    }

    /// The first frame of `backtrace` in the user's code, or nil if no frame outside the
    /// library has a source location (a stripped binary). The standard library's frames,
    /// inlined into the caller's binary with their own paths, are not the user's either.
    static func userLocation(in backtrace: Backtrace?) -> SourceLine? {
        guard let frames = backtrace?.symbolicated()?.frames else { return nil }
        for frame in frames {
            guard let location = frame.symbol?.sourceLocation, location.line > 0, !location.path.isEmpty,
                  !isLibrarySource(location.path),
                  !location.path.contains("/stdlib/public/") else { continue }
            return SourceLine(file: location.path, line: location.line)
        }
        return nil
    }
}
