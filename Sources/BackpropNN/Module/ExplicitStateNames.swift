/// A module that names its own state entries instead of letting reflection derive them.
///
/// Reflection names a stored property after itself (`weightIh` → `weight_ih`, an array's
/// elements `.0`, `.1`, …), which cannot spell keys such as PyTorch's `weight_ih_l0`.
/// A conforming module lists its entries here, keyed by checkpoint name and in the
/// order PyTorch's `state_dict` uses; the walk then visits these instead of the
/// stored properties. Each value is walked exactly as a reflected child would be:
/// a `Variable` (parameter), an optional, a `Buffer`, a `TrainingMode`, a
/// `RandomGenerator` or a nested module (whose own names follow the key).
public protocol ExplicitStateNames {
    /// The module's state, each entry under its checkpoint name.
    var stateEntries: [(key: String, value: Any)] { get }
}
