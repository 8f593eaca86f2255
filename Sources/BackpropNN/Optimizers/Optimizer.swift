import Backprop

/// Updates parameters from their gradients.
///
/// Optimizers are classes: `step()` and `zeroGrad()` work through a `let`
/// and through `any Optimizer<Scalar>`.
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar

    /// The parameters this optimizer updates, in the order it was given them.
    var parameters: [Variable<Scalar>] { get }

    /// The step size; schedules change it between steps.
    var learningRate: Scalar { get set }

    /// The learning rate when the first schedule was attached, nil before: PyTorch's `initial_lr`.
    ///
    /// The first ``LearningRateSchedule`` made on the optimizer records it, and
    /// every schedule takes it as its base rate γ₀, so a schedule made after
    /// another starts from the rate you chose, not the one the other left behind.
    /// The default implementation stores nothing; a schedule on such an optimizer
    /// takes the current rate as its base. The optimizers here store it.
    var initialLearningRate: Scalar? { get set }

    /// Updates every parameter that has a gradient, outside the graph.
    func step()

    /// The optimizer's state (step count and per-parameter tensors), for checkpoints.
    func state() -> OptimizerState<Scalar>

    /// Restores state saved by ``state()``; throws if it does not fit these parameters.
    func load(_ state: OptimizerState<Scalar>) throws
}

extension Optimizer {
    /// Clears the gradient of every parameter.
    public func zeroGrad() { for parameter in parameters { parameter.zeroGrad() } }

    /// Stores nothing: an optimizer without storage for it gives its schedules its current rate as their base.
    public var initialLearningRate: Scalar? {
        get { nil }
        set {}
    }

    /// ``initialLearningRate``, recorded from the current rate if no schedule has recorded it yet.
    func recordInitialLearningRate() -> Scalar {
        if let rate = initialLearningRate { return rate }
        initialLearningRate = learningRate
        return learningRate
    }
}

/// What an optimizer remembers between steps.
public struct OptimizerState<Scalar: TensorScalar>: Equatable, Sendable {
    /// The number of steps taken.
    public var step: Int
    /// One dictionary per parameter, in the optimizer's order, such as
    /// `["exp_avg": …, "exp_avg_sq": …]` (PyTorch's names); empty before the first step.
    public var perParameter: [[String: Tensor<Scalar>]]

    public init(step: Int, perParameter: [[String: Tensor<Scalar>]]) {
        self.step = step
        self.perParameter = perParameter
    }
}

/// A state that does not fit the optimizer it is loaded into.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
