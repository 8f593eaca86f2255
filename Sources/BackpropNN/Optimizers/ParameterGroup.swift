import Backprop

/// Parameters that share hyperparameters within one optimizer: an entry of PyTorch's `param_groups`.
///
/// A hyperparameter left nil takes the optimizer's default; the optimizer fills it in
/// when it is made, so the groups it exposes hold every value it uses, as PyTorch's do.
/// Setting a hyperparameter the optimizer does not have (``momentum`` on Adam,
/// ``betas`` on SGD, ``weightDecay`` on L-BFGS) stops with a message.
///
///     let decayed = model.namedParameters().filter { $0.name.hasSuffix("weight") }.map(\.parameter)
///     let optimizer = AdamW(groups: [ParameterGroup(parameters: decayed, weightDecay: 0.01),
///                                    ParameterGroup(parameters: others, weightDecay: 0)])
public struct ParameterGroup<Scalar: TensorScalar> {
    /// The group's parameters; an optimizer's groups never share one.
    public let parameters: [Variable<Scalar>]
    /// The group's step size γ; nil: the optimizer's.
    public var learningRate: Scalar?
    /// The group's weight decay λ; nil: the optimizer's.
    public var weightDecay: Scalar?
    /// The group's momentum μ (SGD, RMSProp); nil: the optimizer's.
    public var momentum: Scalar?
    /// The group's (β₁, β₂) (the Adam family and Lion); nil: the optimizer's.
    public var betas: (Scalar, Scalar)?
    /// The group's learning rate when the first schedule was made (PyTorch's `initial_lr`): its schedules' base rate.
    public var initialLearningRate: Scalar?

    /// Creates a group; each nil hyperparameter takes the optimizer's default.
    ///
    /// - Parameters:
    ///   - parameters: the variables in the group.
    ///   - learningRate: γ for this group.
    ///   - weightDecay: λ for this group.
    ///   - momentum: μ for this group, where the optimizer has momentum.
    ///   - betas: (β₁, β₂) for this group, where the optimizer has them.
    public init(parameters: [Variable<Scalar>], learningRate: Scalar? = nil, weightDecay: Scalar? = nil,
                momentum: Scalar? = nil, betas: (Scalar, Scalar)? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.betas = betas
    }
}

extension ParameterGroup {
    /// γ, filled in by the optimizer.
    var lr: Scalar { learningRate! }
    /// λ, filled in by the optimizer that has it.
    var decay: Scalar { weightDecay! }
    /// μ, filled in by the optimizer that has it.
    var mu: Scalar { momentum! }
    /// β₁, filled in by the optimizer that has it.
    var beta1: Scalar { betas!.0 }
    /// β₂, filled in by the optimizer that has it.
    var beta2: Scalar { betas!.1 }
}

/// An optimizer's groups with their defaults filled in, and the checks that setting them needs.
struct ParameterGroups<Scalar: TensorScalar> {
    /// The optimizer's name, for messages.
    let owner: String
    /// The optimizer's defaults; nil for a hyperparameter it does not have.
    private let defaults: ParameterGroup<Scalar>
    /// Which betas are valid: [0, 1) for the Adam family, [0, 1] for Lion.
    private let betasInClosedRange: Bool
    /// Every group's parameters, in order.
    let parameters: [Variable<Scalar>]
    /// The groups, each hyperparameter filled in; setting them checks the values and keeps the parameters.
    var groups: [ParameterGroup<Scalar>] {
        didSet {
            require(groups.count == oldValue.count && zip(groups, oldValue).allSatisfy { new, old in
                new.parameters.count == old.parameters.count && zip(new.parameters, old.parameters).allSatisfy { $0 === $1 }
            }, "\(owner): setting groups may change their hyperparameters, not their number or their parameters")
            groups = groups.map(filled)
        }
    }

    /// The groups of an optimizer whose defaults are `defaults`: a nil hyperparameter there is one it lacks.
    init(owner: String, groups: [ParameterGroup<Scalar>], defaults: ParameterGroup<Scalar>, betasInClosedRange: Bool = false) {
        require(!groups.isEmpty, "\(owner): groups must not be empty")
        self.owner = owner
        self.defaults = defaults
        self.betasInClosedRange = betasInClosedRange
        parameters = groups.flatMap(\.parameters)
        let identities = Set(parameters.map(ObjectIdentifier.init))
        require(identities.count == parameters.count, "\(owner): a parameter appears in more than one group or twice in one")
        self.groups = []
        self.groups = groups.map(filled)
    }

    /// `group` with nil hyperparameters taken from the defaults, after checking its values.
    private func filled(_ group: ParameterGroup<Scalar>) -> ParameterGroup<Scalar> {
        var group = group
        for (name, has, set) in [("weightDecay", defaults.weightDecay != nil, group.weightDecay != nil),
                                 ("momentum", defaults.momentum != nil, group.momentum != nil),
                                 ("betas", defaults.betas != nil, group.betas != nil)] where set && !has {
            programmerError("\(owner): a parameter group sets \(name), which \(owner) does not have")
        }
        group.learningRate = group.learningRate ?? defaults.learningRate
        group.weightDecay = group.weightDecay ?? defaults.weightDecay
        group.momentum = group.momentum ?? defaults.momentum
        group.betas = group.betas ?? defaults.betas
        requireNonNegative(["learning rate": group.lr], in: owner)
        if let decay = group.weightDecay { requireNonNegative(["weight decay": decay], in: owner) }
        if let momentum = group.momentum { requireNonNegative(["momentum": momentum], in: owner) }
        if let (beta1, beta2) = group.betas {
            let valid = betasInClosedRange ? (0...1).contains(beta1) && (0...1).contains(beta2)
                : (0..<1).contains(beta1) && (0..<1).contains(beta2)
            require(valid, "\(owner): betas must be in [0, 1\(betasInClosedRange ? "]" : ")"), but are \(beta1), \(beta2)")
        }
        return group
    }

    /// The first group's rate; setting it sets every group's, as a loop over PyTorch's `param_groups` does.
    var learningRate: Scalar {
        get { groups[0].lr }
        set { for index in groups.indices { groups[index].learningRate = newValue } }
    }

    /// The first group's initial rate; setting it sets every group's.
    var initialLearningRate: Scalar? {
        get { groups[0].initialLearningRate }
        set { for index in groups.indices { groups[index].initialLearningRate = newValue } }
    }
}
