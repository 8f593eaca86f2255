import Backprop

/// Everything that training changes in a module, held so that it can be put back bit for bit.
///
/// It holds each parameter's value and gradient, each buffer's value, each layer's
/// training mode and each layer's own random generator (Dropout's masks), together
/// with the objects they belong to: ``restore()`` writes them back into those objects.
/// Tensors share storage copy-on-write, so holding them costs no copy until training
/// writes to the originals.
struct ModuleSnapshot<Scalar: TensorScalar> {
    private var parameters: [(variable: Variable<Scalar>, value: Tensor<Scalar>, grad: Tensor<Scalar>?)] = []
    private var buffers: [(buffer: Buffer<Scalar>, value: Tensor<Scalar>)] = []
    private var modes: [(mode: TrainingMode, isTraining: Bool)] = []
    private var generators: [(generator: RandomGenerator, state: UInt64)] = []

    /// Takes a snapshot of `module`, and of the variables in `others` that are not among its parameters
    /// (those of an optimizer, say).
    init(of module: some Module<Scalar>, including others: [Variable<Scalar>] = []) {
        ModuleWalk<Scalar>.walk(module) { _, item in
            switch item {
            case .parameter(let variable): parameters.append((variable, variable.value, variable.grad))
            case .buffer(let buffer): buffers.append((buffer, buffer.value))
            case .mode(let mode): modes.append((mode, mode.isTraining))
            case .generator(let generator): generators.append((generator, generator.state))
            case .module: break
            }
        }
        var seen = Set(parameters.map { ObjectIdentifier($0.variable) })
        for variable in others where seen.insert(ObjectIdentifier(variable)).inserted {
            parameters.append((variable, variable.value, variable.grad))
        }
    }

    /// Writes every value, gradient, mode and generator back where it was taken from.
    func restore() {
        for (variable, value, grad) in parameters {
            variable.value = value
            variable.grad = grad
        }
        for (buffer, value) in buffers { buffer.value = value }
        for (mode, isTraining) in modes { mode.isTraining = isTraining }
        for (generator, state) in generators { generator.state = state }
    }
}
