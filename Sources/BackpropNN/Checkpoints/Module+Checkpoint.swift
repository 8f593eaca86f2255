import Backprop
import Foundation

extension Module {
    /// Saves every parameter and buffer, and optionally an optimizer's state, to a safetensors file.
    ///
    /// Each tensor is stored under its dotted name from ``namedParameters()``
    /// or ``namedBuffers()`` (`0.weight`, `norm.running_mean`), as PyTorch's
    /// `state_dict()` names it. With an optimizer, its step count is stored as
    /// the 0-d tensor `optimizer.step`, and each per-parameter tensor as
    /// `optimizer.<parameter name>.<key>` (`optimizer.0.weight.exp_avg`). The
    /// write is atomic, as ``saveSafetensors(_:to:metadata:)``'s is.
    ///
    /// - Parameters:
    ///   - url: The file to create or replace.
    ///   - optimizer: An optimizer over this module's parameters whose state to save too.
    /// - Throws: ``CheckpointError/invalidOptimizerState(_:reason:)`` if the optimizer updates a
    ///   variable that is not a parameter of this module; ``CheckpointError/nameClash(_:name:)`` if
    ///   two tensors would get one name; a ``SafetensorsError`` if the file cannot be written.
    public func save(to url: URL, optimizer: (any Optimizer<Scalar>)? = nil) throws {
        var tensors: [String: Tensor<Scalar>] = [:]
        func add(_ name: String, _ tensor: Tensor<Scalar>) throws {
            guard tensors.updateValue(tensor, forKey: name) == nil else { throw CheckpointError.nameClash(url, name: name) }
        }
        for (name, parameter) in namedParameters() { try add(name, parameter.value) }
        for (name, buffer) in namedBuffers() { try add(name, buffer.value) }
        if let optimizer {
            let state = optimizer.state()
            let prefixes = try optimizerPrefixes(optimizer, url: url)
            guard state.perParameter.isEmpty || state.perParameter.count == prefixes.count else {
                throw CheckpointError.invalidOptimizerState(url, reason: "the optimizer's state has \(state.perParameter.count) "
                                                                + "parameter entries for \(prefixes.count) parameters")
            }
            try add(optimizerStepName, Tensor(Scalar(state.step)))
            for (prefix, entries) in zip(prefixes, state.perParameter) {
                for (key, tensor) in entries { try add(prefix + key, tensor) }
            }
        }
        try saveSafetensors(tensors, to: url)
    }

    /// Loads every parameter and buffer, and optionally an optimizer's state, from a safetensors file.
    ///
    /// Tensors are matched by dotted name, so a checkpoint saved by
    /// ``save(to:optimizer:)``, or PyTorch's `state_dict()` written with
    /// `safetensors.torch.save_file`, loads into a module of the same
    /// structure. F16, BF16, F32, F64, I32 and I64 tensors convert to `Scalar`.
    ///
    /// Everything is checked before anything changes: if loading throws, the
    /// module and the optimizer are exactly as they were.
    ///
    /// - Parameters:
    ///   - url: The file to read.
    ///   - optimizer: An optimizer over this module's parameters whose state to restore too.
    ///     Without one, the file's `optimizer.…` tensors are ignored.
    ///   - strict: Whether every parameter and buffer must be in the file and every tensor
    ///     of the file must belong to the module (or the optimizer). When false, as with
    ///     PyTorch's `strict=False`, missing ones keep their values and extra ones are ignored.
    /// - Throws: ``CheckpointError/shapeMismatch(_:name:expected:found:)`` naming the tensor and
    ///   both shapes; ``CheckpointError/missingTensors(_:names:)`` and
    ///   ``CheckpointError/unexpectedTensors(_:names:)`` when strict;
    ///   ``CheckpointError/invalidOptimizerState(_:reason:)`` if the optimizer's state is absent or
    ///   does not fit; a ``SafetensorsError`` if the file is missing or malformed.
    public func load(from url: URL, optimizer: (any Optimizer<Scalar>)? = nil, strict: Bool = true) throws {
        let tensors: [String: Tensor<Scalar>] = try loadSafetensors(from: url)
        var used: Set<String> = []
        var missing: [String] = []
        func take(_ name: String, shapedLike current: Tensor<Scalar>) throws -> Tensor<Scalar>? {
            guard let tensor = tensors[name] else {
                missing.append(name)
                return nil
            }
            guard tensor.shape == current.shape else {
                throw CheckpointError.shapeMismatch(url, name: name, expected: current.shape, found: tensor.shape)
            }
            used.insert(name)
            return tensor
        }
        let parameters = try namedParameters().map { ($0.parameter, try take($0.name, shapedLike: $0.parameter.value)) }
        let buffers = try namedBuffers().map { ($0.buffer, try take($0.name, shapedLike: $0.buffer.value)) }
        let state = try optimizer.map { try optimizerState(for: $0, from: tensors, used: &used, url: url) }
        let unexpected = tensors.keys.filter { name in
            !used.contains(name) && (optimizer != nil || !name.hasPrefix(optimizerPrefix))
        }
        if strict {
            guard missing.isEmpty else { throw CheckpointError.missingTensors(url, names: missing) }
            guard unexpected.isEmpty else { throw CheckpointError.unexpectedTensors(url, names: unexpected.sorted()) }
        }
        if let optimizer, let state {
            do {
                try optimizer.load(state)         // first: it may still refuse, and then changes nothing
            } catch {
                throw CheckpointError.invalidOptimizerState(url, reason: "\(error)")
            }
        }
        for case let (parameter, value?) in parameters { parameter.value = value }
        for case let (buffer, value?) in buffers { buffer.value = value }
    }

    /// The name prefix, `optimizer.<parameter name>.`, of each of the optimizer's parameters.
    private func optimizerPrefixes(_ optimizer: any Optimizer<Scalar>, url: URL) throws -> [String] {
        let names = Dictionary(namedParameters().map { (ObjectIdentifier($0.parameter), $0.name) }) { first, _ in first }
        return try optimizer.parameters.enumerated().map { index, parameter in
            guard let name = names[ObjectIdentifier(parameter)] else {
                throw CheckpointError.invalidOptimizerState(url, reason: "the optimizer's parameter \(index) "
                                                                + "is not a parameter of the module")
            }
            return optimizerPrefix + name + "."
        }
    }

    /// The optimizer state stored in `tensors`, one dictionary per parameter; marks the tensors it takes as used.
    private func optimizerState(for optimizer: any Optimizer<Scalar>, from tensors: [String: Tensor<Scalar>],
                                used: inout Set<String>, url: URL) throws -> OptimizerState<Scalar> {
        guard let stepTensor = tensors[optimizerStepName] else {
            throw CheckpointError.invalidOptimizerState(url, reason: "the file holds no \(optimizerStepName)")
        }
        guard stepTensor.shape == [], let step = stepTensor.scalars.first.flatMap({ Int(exactly: $0) }), step >= 0 else {
            throw CheckpointError.invalidOptimizerState(url, reason: "\(optimizerStepName) is not a 0-d tensor "
                                                            + "holding a non-negative integer")
        }
        used.insert(optimizerStepName)
        let perParameter = try optimizerPrefixes(optimizer, url: url).map { prefix in
            var entries: [String: Tensor<Scalar>] = [:]
            for (name, tensor) in tensors where name.hasPrefix(prefix) {
                entries[String(name.dropFirst(prefix.count))] = tensor
                used.insert(name)
            }
            return entries
        }
        return OptimizerState(step: step, perParameter: perParameter)
    }
}

/// The prefix of every optimizer tensor's name in a checkpoint.
private let optimizerPrefix = "optimizer."

/// The name of the optimizer's step count in a checkpoint.
private let optimizerStepName = "optimizer.step"

/// Why a checkpoint does not fit a module or its optimizer.
///
/// Every message names the file and the tensors at fault.
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

    /// A message naming the file and the tensors at fault.
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
        }
    }
}
