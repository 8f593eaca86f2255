import Backprop

/// Why a state dictionary does not fit a module, naming the entries at fault.
public enum StateDictionaryError: Error, CustomStringConvertible, Equatable {
    /// An entry has another shape than the module's tensor of that name.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// Parameters or buffers of the module that the dictionary does not hold.
    case missingKeys([String])
    /// Entries of the dictionary that name no parameter or buffer of the module.
    case unexpectedKeys([String])

    /// A message naming the entries at fault.
    public var description: String {
        func quoted(_ names: [String]) -> String { names.map { "\"\($0)\"" }.joined(separator: ", ") }
        switch self {
        case let .shapeMismatch(name, expected, found):
            return "state dictionary: \"\(name)\" has shape \(found), but the module's has shape \(expected)"
        case let .missingKeys(names):
            return "state dictionary: missing the module's tensors \(quoted(names)) (pass strict: false to keep their values)"
        case let .unexpectedKeys(names):
            return "state dictionary: the module has no tensors \(quoted(names)) (pass strict: false to ignore them)"
        }
    }
}

extension Module {
    /// Every parameter and buffer by dotted name, as PyTorch's `state_dict()`: `weight`, `0.bias`, `norm.running_mean`.
    ///
    /// The names are those of ``namedParameters()`` and ``namedBuffers()``, the ones that
    /// checkpoints use. The tensors are values: changing the module later does not change them.
    public func stateDictionary() -> [String: Tensor<Scalar>] {
        var result: [String: Tensor<Scalar>] = [:]
        for (name, parameter) in namedParameters() { result[name] = parameter.value }
        for (name, buffer) in namedBuffers() { result[name] = buffer.value }
        return result
    }

    /// Sets parameters and buffers from a dictionary keyed by dotted name, as PyTorch's `load_state_dict`.
    ///
    /// Everything is checked before anything changes: if it throws, the module is as it was.
    /// Shapes must match even when not strict, as in PyTorch.
    ///
    /// - Parameters:
    ///   - stateDictionary: Tensors by dotted name, as ``stateDictionary()`` returns them.
    ///   - strict: Whether every parameter and buffer must be in the dictionary and every entry
    ///     must belong to the module. When false, missing tensors keep their values and extra entries are ignored.
    /// - Throws: ``StateDictionaryError/shapeMismatch(name:expected:found:)``, and when strict
    ///   ``StateDictionaryError/missingKeys(_:)`` or ``StateDictionaryError/unexpectedKeys(_:)``.
    public func load(stateDictionary: [String: Tensor<Scalar>], strict: Bool = true) throws {
        var assignments: [(set: (Tensor<Scalar>) -> Void, value: Tensor<Scalar>)] = []
        var missing: [String] = []
        var known: Set<String> = []
        func take(_ name: String, current: Tensor<Scalar>, set: @escaping (Tensor<Scalar>) -> Void) throws {
            known.insert(name)
            guard let value = stateDictionary[name] else { return missing.append(name) }
            guard value.shape == current.shape else {
                throw StateDictionaryError.shapeMismatch(name: name, expected: current.shape, found: value.shape)
            }
            assignments.append((set, value))
        }
        for (name, parameter) in namedParameters() { try take(name, current: parameter.value) { parameter.value = $0 } }
        for (name, buffer) in namedBuffers() { try take(name, current: buffer.value) { buffer.value = $0 } }
        if strict {
            guard missing.isEmpty else { throw StateDictionaryError.missingKeys(missing) }
            let unexpected = stateDictionary.keys.filter { !known.contains($0) }.sorted()
            guard unexpected.isEmpty else { throw StateDictionaryError.unexpectedKeys(unexpected) }
        }
        for (set, value) in assignments { set(value) }
    }

    /// Stops every parameter from training: sets `requiresGrad` to false, as PyTorch's `requires_grad_(False)`.
    ///
    /// Freeze a part by calling it on that submodule (`model.encoder.freeze()`): parameters are
    /// shared references, so the whole model sees the change. Optimizers skip parameters without a gradient.
    public func freeze() { for parameter in parameters() { parameter.requiresGrad = false } }

    /// Lets every parameter train again: sets `requiresGrad` to true.
    public func unfreeze() { for parameter in parameters() { parameter.requiresGrad = true } }

    /// Every module inside this one, and this one, with dotted names, as PyTorch's `named_modules()`
    /// but children before parents: `0`, `1`, …, then `""` for this module.
    ///
    /// Modules are found in stored properties, optionals, arrays and dictionaries, as parameters are.
    public func namedModules() -> [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = []
        ModuleWalk<Scalar>.walk(self) { path, item in
            if case .module(let module) = item { result.append((path, module)) }
        }
        return result
    }

    /// Calls `body` on every submodule, children first, then on this module, as PyTorch's `apply`.
    ///
    /// Modules are values, but their parameters and buffers are shared references, so `body`
    /// changes the model by setting them: for example, re-initialising every `Linear`'s weight.
    /// Use ``namedModules()`` to see the names too.
    public func apply(_ body: (any Module) throws -> Void) rethrows {
        for (_, module) in namedModules() { try body(module) }
    }
}
