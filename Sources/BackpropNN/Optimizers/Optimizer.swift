import Backprop

/// Updates parameters from their gradients.
///
/// Optimizers are classes: `step()` and `zeroGrad()` work through a `let`
/// and through `any Optimizer<Scalar>`.
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar

    /// The parameters this optimizer updates, in the order it was given them: every group's, group after group.
    var parameters: [Variable<Scalar>] { get }

    /// The first group's step size; setting it sets every group's. Schedules change the rates between steps.
    var learningRate: Scalar { get set }

    /// The parameter groups, each with its hyperparameters filled in: PyTorch's `param_groups`.
    ///
    /// Set a group's hyperparameters through it (`optimizer.groups[1].learningRate = 0.01`);
    /// its number of groups and their parameters are fixed. The default implementation
    /// is one group of ``parameters`` at ``learningRate``.
    var groups: [ParameterGroup<Scalar>] { get set }

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

    /// One group of every parameter, at ``learningRate`` and ``initialLearningRate``; setting it sets those two.
    public var groups: [ParameterGroup<Scalar>] {
        get {
            var group = ParameterGroup(parameters: parameters, learningRate: learningRate)
            group.initialLearningRate = initialLearningRate
            return [group]
        }
        set {
            require(newValue.count == 1, "\(type(of: self)): has one parameter group, but was given \(newValue.count)")
            if let rate = newValue[0].learningRate { learningRate = rate }
            initialLearningRate = newValue[0].initialLearningRate
        }
    }

    /// Each group's learning rate, in order; setting it needs one rate per group.
    public var learningRates: [Scalar] {
        get { groups.map { $0.learningRate ?? learningRate } }
        set {
            require(newValue.count == groups.count,
                    "\(type(of: self)): \(newValue.count) learning rates for \(groups.count) parameter groups")
            var groups = groups
            for index in groups.indices { groups[index].learningRate = newValue[index] }
            self.groups = groups
        }
    }

    /// Each group's initial learning rate, PyTorch's `initial_lr`, recorded from its current rate
    /// where no schedule has recorded it yet.
    func recordInitialLearningRates() -> [Scalar] {
        var groups = groups
        let rates = groups.map { $0.initialLearningRate ?? $0.learningRate ?? learningRate }
        for index in groups.indices { groups[index].initialLearningRate = rates[index] }
        self.groups = groups
        return rates
    }

    /// The first group's ``initialLearningRate``, recorded as ``recordInitialLearningRates()`` does.
    func recordInitialLearningRate() -> Scalar { recordInitialLearningRates()[0] }
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
