import Backprop

/// A module that names its state itself, so that its checkpoint keys do not depend on its property names.
///
/// By default a module's parameters, buffers and submodules are found by reflection and named
/// after its stored properties (`runningMean` → `running_mean`), so renaming a property would
/// rename a key and break the files written before. Every layer of the library conforms instead,
/// declaring PyTorch's `state_dict` names; conform your own modules when their files must outlive
/// refactoring.
///
/// ```swift
/// struct Scale: Layer, ExplicitStateNames {
///     let factor = Variable(Tensor<Float>([2]), requiresGrad: true)
///     var stateEntries: [(key: String, value: Any)] { [("weight", factor)] }
///     func callAsFunction(_ x: Variable<Float>) -> Variable<Float> { x * factor }
/// }
/// ```
public protocol ExplicitStateNames {
    /// The module's state under its checkpoint keys, in a fixed order.
    ///
    /// A value may be anything reflection would find in a stored property: a `Variable`
    /// (a parameter), an optional one (nil: absent), a ``Buffer``, a ``TrainingMode``, a
    /// ``RandomGenerator``, a nested module, or an array or dictionary of them. Keys are used
    /// as they are, joined to the enclosing module's by dots; a nested module's keys follow its own rules.
    var stateEntries: [(key: String, value: Any)] { get }
}
