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
