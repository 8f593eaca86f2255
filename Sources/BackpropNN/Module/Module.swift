import Backprop

/// A model or a part of one: a function with trainable parameters.
///
/// Conform any struct or class. Its parameters are found automatically, by
/// reflection, in its stored properties: `Variable`s, optional `Variable`s,
/// nested modules, and arrays or dictionaries of them, in declaration order.
/// Names are dotted paths in PyTorch's style (`encoder.layers.0.weight`),
/// with Swift's camelCase property names written in snake_case
/// (`runningMean` → `running_mean`), so that PyTorch checkpoints line up.
public protocol Module<Scalar> {
    /// The scalar type of the parameters.
    associatedtype Scalar: TensorScalar
    /// What the module consumes.
    associatedtype Input
    /// What the module produces.
    associatedtype Output

    /// Applies the module.
    func callAsFunction(_ input: Input) -> Output
}

/// A module from one variable to another: what `Sequential` chains.
///
/// A conforming type needs only `callAsFunction`: its `Scalar` is inferred from it.
public protocol Layer<Scalar>: Module where Input == Variable<Scalar>, Output == Variable<Scalar> {
    // Restated, so that Swift infers `Scalar` from a conforming type's `callAsFunction`.
    associatedtype Scalar
    /// Applies the layer.
    func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar>
}

/// A tensor that a module keeps but does not train, such as BatchNorm's running statistics.
///
/// Buffers are saved in checkpoints beside the parameters.
public final class Buffer<Scalar: TensorScalar> {
    /// The current value.
    public var value: Tensor<Scalar>

    /// Creates a buffer holding `value`.
    public init(_ value: Tensor<Scalar>) { self.value = value }
}

/// Whether a module is training, shared by the layers whose behaviour depends on it (Dropout, BatchNorm).
public final class TrainingMode {
    /// True while training (the default), false in evaluation.
    public var isTraining: Bool

    /// Creates a switch in training mode.
    public init(isTraining: Bool = true) { self.isTraining = isTraining }
}

extension Module {
    /// The trainable parameters with their dotted names, in a stable order.
    public func namedParameters() -> [(name: String, parameter: Variable<Scalar>)] {
        var result: [(name: String, parameter: Variable<Scalar>)] = []
        ModuleWalk<Scalar>.walk(self) { path, item in
            if case .parameter(let variable) = item { result.append((path, variable)) }
        }
        return result
    }

    /// The trainable parameters, in the order of ``namedParameters()``.
    public func parameters() -> [Variable<Scalar>] { namedParameters().map(\.parameter) }

    /// The buffers (non-trainable state) with their dotted names.
    public func namedBuffers() -> [(name: String, buffer: Buffer<Scalar>)] {
        var result: [(name: String, buffer: Buffer<Scalar>)] = []
        ModuleWalk<Scalar>.walk(self) { path, item in
            if case .buffer(let buffer) = item { result.append((path, buffer)) }
        }
        return result
    }

    /// The random generators that the module draws from as it runs (``Dropout``'s), with their dotted names.
    ///
    /// Checkpoints save and restore their states, so that a resumed run draws the same masks.
    public func namedGenerators() -> [(name: String, generator: RandomGenerator)] {
        var result: [(name: String, generator: RandomGenerator)] = []
        ModuleWalk<Scalar>.walk(self) { path, item in
            if case .generator(let generator) = item { result.append((path, generator)) }
        }
        return result
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

    /// Puts every layer in training mode: Dropout drops, BatchNorm uses batch statistics.
    public func train() { setTraining(true) }

    /// Puts every layer in evaluation mode: Dropout passes through, BatchNorm uses running statistics.
    public func eval() { setTraining(false) }

    private func setTraining(_ isTraining: Bool) {
        ModuleWalk<Scalar>.walk(self) { _, item in
            if case .mode(let mode) = item { mode.isTraining = isTraining }
        }
    }

    /// Clears the gradient of every parameter.
    public func zeroGrad() { for parameter in parameters() { parameter.zeroGrad() } }
}
