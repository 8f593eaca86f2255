import Foundation

/// Why a checkpoint does not fit a module or the training state passed with it.
///
/// Every message names the file and the tensors or entries at fault.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// A tensor of the file has another shape than the module's tensor of that name.
    case shapeMismatch(URL, name: String, expected: [Int], found: [Int])
    /// Parameters or buffers of the module that the file does not hold.
    case missingTensors(URL, names: [String])
    /// Tensors of the file that the module (and the optimizer, if given) does not have.
    case unexpectedTensors(URL, names: [String])
    /// The optimizer's state is absent from the file, does not fit the optimizer, or cannot be named.
    case invalidOptimizerState(URL, reason: String)
    /// Two tensors would be saved under one name.
    case nameClash(URL, name: String)
    /// Entries of training state (a schedule's step, a generator's state) that a strict load needs
    /// for the module or the objects passed with it, but that the file's metadata does not hold.
    case missingState(URL, names: [String])
    /// An entry of the file's metadata that does not hold the value its name calls for.
    case invalidState(URL, name: String, reason: String)

    /// A message naming the file and the tensors or entries at fault.
    public var description: String {
        switch self {
        case let .shapeMismatch(url, name, expected, found):
            return "\(url.path): tensor \"\(name)\" has shape \(found), but the module's has shape \(expected)"
        case let .missingTensors(url, names):
            return "\(url.path): the file lacks the module's tensors \(names.map { "\"\($0)\"" }.joined(separator: ", "))"
        case let .unexpectedTensors(url, names):
            return "\(url.path): the module has no tensors \(names.map { "\"\($0)\"" }.joined(separator: ", ")) "
                + "(pass strict: false to ignore them)"
        case let .invalidOptimizerState(url, reason):
            return "\(url.path): optimizer state: \(reason)"
        case let .nameClash(url, name):
            return "\(url.path): two tensors are named \"\(name)\""
        case let .missingState(url, names):
            return "\(url.path): the file holds no training state \(names.map { "\"\($0)\"" }.joined(separator: ", ")) "
                + "for the objects being loaded (pass strict: false to leave them as they are)"
        case let .invalidState(url, name, reason):
            return "\(url.path): metadata \"\(name)\": \(reason)"
        }
    }
}
