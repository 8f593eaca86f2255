import Backprop

/// Watches a model train and warns, in plain language, when training goes wrong: vanishing,
/// exploding or non-finite gradients, dead ReLU units, saturated tanh and sigmoid units, a graph
/// kept alive across steps, a diverging loss.
///
/// Create it with the model, then call ``backward(_:)`` in the training loop where
/// `loss.backward()` would go. Each call is one step: it measures, backpropagates, appends
/// a ``TrainingStepRecord`` to ``history`` and checks it. Warnings go to `report` (by default
/// printed) once per kind, and every occurrence is kept in ``warnings``. A step raises at most one
/// warning of each kind: where several layers qualify, it names the worst and counts the others.
///
/// ```
/// let monitor = TrainingMonitor(model: model)
/// for batch in loader {
///     optimizer.zeroGrad()
///     let loss = crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
///     monitor.backward(loss)
///     optimizer.step()
/// }
/// print(monitor.layerGradientNorms(atStep: 0))   // first layer to last: chart these to see a gradient vanish
/// ```
///
/// What each step measures:
/// - **Gradient norms per layer.** A hook on every parameter receives the gradient of this
///   backward alone (not what `grad` accumulated before). A layer is a parameter's dotted name
///   without its last part (`layers.3.weight` and `layers.3.bias` make `layers.3`; a parameter
///   without a dot is a layer of its own), and its norm is √(Σ over its parameters' elements g²).
/// - **Update ratios.** The parameters' values are noted at each call; at the next call
///   ‖w_now − w_noted‖ / ‖w_noted‖ per layer is the size of the optimizer step in between,
///   stored in the previous record. So no optimizer hook is needed, at the cost of one copy of
///   the parameters' values, and the last record has none.
/// - **Activations.** Before the sweep, ``Variable/recordedNodes()`` lists the loss's graph. Each
///   ReLU, tanh and sigmoid node (fused `linear` ones too) is attributed to the nearest layer
///   upstream: the first parameter the monitor knows, searching the node's inputs breadth-first
///   up to 6 levels. A ReLU unit (a feature on the last axis; a channel for 4-d NCHW maps) is
///   dead when it has been 0 for every one of the last `deadUnitExamples` examples (256 by
///   default), counted across steps: one batch is too few to tell a dead unit from one that
///   fires rarely. A tanh output is saturated when |y| > 0.99, a sigmoid output when y < 0.01
///   or y > 0.99: its local derivative is then below 0.02.
/// - **Graph size and leaks.** The number of recorded ops, and weak references to them. Nodes of
///   steps before the previous one that are still alive are held by the user's code across
///   steps, as summing losses as Variables (`total = total + loss`) does.
/// - **Divergence.** A bias-corrected moving average of the loss (β = 0.9), compared after
///   `divergenceWarmupSteps` steps with its lowest value and its first: it diverges when it is
///   `divergenceFactor` times the lowest and above the first (so that a loss near 0 that
///   wobbles late in training does not count). A loss that is not finite diverges at once.
///
/// The monitor costs the core library nothing: counting nodes, hooks and statistics happen
/// in ``backward(_:)`` only, and a loop without a monitor (the `scalar-chain` benchmark) runs
/// exactly the code it ran before. Hooks run only while ``backward(_:)`` sweeps: other
/// sweeps, such as `gradients(of:wrt:)`, are not recorded. The hooks are removed when the monitor is freed.
public final class TrainingMonitor<Scalar: TensorScalar> {
    /// The layers, in the order of the model's parameters: the names that key each record's numbers.
    public let layers: [String]
    /// When to warn.
    public let thresholds: MonitorThresholds
    /// One record per call of ``backward(_:)``, in order.
    public private(set) var history: [TrainingStepRecord] = []
    /// Every warning raised, in order, including those not reported again.
    public private(set) var warnings: [TrainingWarning] = []

    /// Each parameter with the index of its layer in ``layers``.
    let parameters: [(variable: Variable<Scalar>, layer: Int)]
    /// The index in ``layers`` of each parameter, by identity.
    let layerOfParameter: [ObjectIdentifier: Int]
    /// What receives each warning raised for the first time for its kind.
    private let report: (TrainingWarning) -> Void
    /// The handles of the gradient hooks, removed in `deinit`.
    private var hooks: [HookHandle] = []
    /// Whether ``backward(_:)`` is sweeping: the hooks record only then.
    private var isSweeping = false
    /// The gradient each parameter received in the current sweep, in parameter order.
    private var sweepGradients: [Tensor<Scalar>?]
    /// The parameters' values at the last call, for the update ratios.
    private var notedWeights: [Tensor<Scalar>]?
    /// Weak references to the recorded ops of recent steps, and of older steps whose nodes are still alive.
    private var recentNodes: [(step: Int, nodes: [WeakNode<Scalar>])] = []
    /// The moving average of the loss, for divergence.
    var smoothing = LossSmoothing()
    /// For each layer with a ReLU, the number of consecutive examples for which each unit has been 0.
    var silentExamples: [Int: [Int]] = [:]
    /// The kinds already reported.
    private var reportedKinds: Set<TrainingWarning.Kind> = []

    /// Attaches a monitor to every parameter of `model`.
    ///
    /// - Parameters:
    ///   - model: the model to watch; its parameters are found as ``Module/namedParameters()`` finds them.
    ///   - thresholds: when to warn.
    ///   - report: receives each warning the first time its kind is raised; by default it prints
    ///     `warning: …` to standard output.
    public init(model: some Module<Scalar>, thresholds: MonitorThresholds = MonitorThresholds(),
                report: @escaping (TrainingWarning) -> Void = { print("warning: \($0)") }) {
        let named = model.namedParameters()
        var layers: [String] = [], index: [String: Int] = [:]
        var parameters: [(variable: Variable<Scalar>, layer: Int)] = []
        for (name, variable) in named {
            let layer = Self.layerName(of: name)
            let position = index[layer] ?? layers.count
            if position == layers.count {
                layers.append(layer)
                index[layer] = position
            }
            parameters.append((variable, position))
        }
        self.layers = layers
        self.parameters = parameters
        self.layerOfParameter = Dictionary(parameters.map { (ObjectIdentifier($0.variable), $0.layer) },
                                           uniquingKeysWith: { first, _ in first })
        self.thresholds = thresholds
        self.report = report
        sweepGradients = Array(repeating: nil, count: parameters.count)
        hooks = parameters.enumerated().map { position, parameter in
            parameter.variable.registerHook { [weak self] gradient in
                self?.receive(gradient.value, at: position)
                return nil
            }
        }
    }

    deinit { for hook in hooks { hook.remove() } }

    /// The layer of a parameter named `name`: the name without its last dotted part, or the name itself without a dot.
    static func layerName(of name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }

    /// Measures the graph of `loss`, calls `loss.backward()`, records the step and checks it.
    ///
    /// Call it once per optimizer step, where `loss.backward()` would go, before `step()`.
    ///
    /// - Parameter loss: a one-element result that requires a gradient, as for `backward()`.
    public func backward(_ loss: Variable<Scalar>) {
        require(loss.value.count == 1, "TrainingMonitor.backward: the loss must hold one element, but has shape \(loss.shape)")
        let step = history.count
        fillUpdateRatios()
        notedWeights = parameters.map(\.variable.value)

        let nodes = loss.recordedNodes().filter { !$0.isLeaf }
        var record = TrainingStepRecord(step: step, loss: Double(loss.scalar), nodeCount: nodes.count)
        let activations = measureActivations(in: nodes, into: &record)
        let outliving = noteNodes(nodes, step: step)
        record.outlivingNodeCount = outliving.nodes

        isSweeping = true
        loss.backward()
        isSweeping = false
        let nonFinite = closeGradients(into: &record)

        history.append(record)
        check(record, nonFiniteElements: nonFinite, activations: activations, outlivingSteps: outliving.steps)
    }

    /// Adds a gradient that reached parameter `position` in the current sweep.
    private func receive(_ gradient: Tensor<Scalar>, at position: Int) {
        guard isSweeping else { return }
        sweepGradients[position] = sweepGradients[position].map { $0 + gradient } ?? gradient
    }

    /// Fills the layers' gradient norms from the sweep's gradients and clears them. Returns the number
    /// of non-finite gradient elements of each layer that has any.
    private func closeGradients(into record: inout TrainingStepRecord) -> [Int: Int] {
        var squares: [Int: Double] = [:], nonFinite: [Int: Int] = [:]
        for (position, gradient) in sweepGradients.enumerated() {
            guard let gradient else { continue }
            let layer = parameters[position].layer
            let (sum, bad) = squaredNorm(gradient)
            squares[layer, default: 0] += sum
            if bad > 0 { nonFinite[layer, default: 0] += bad }
        }
        for (layer, sum) in squares { record.gradientNorms[layers[layer]] = sum.squareRoot() }
        sweepGradients = Array(repeating: nil, count: parameters.count)
        return nonFinite
    }

    /// Stores in the last record each layer's update ratio, from the values noted at the last call.
    private func fillUpdateRatios() {
        guard let notedWeights, !history.isEmpty else { return }
        var change = Array(repeating: 0.0, count: layers.count), size = change
        for ((variable, layer), before) in zip(parameters, notedWeights) {
            let now = variable.value
            guard now.shape == before.shape else { continue }
            change[layer] += squaredNorm(now - before).sum
            size[layer] += squaredNorm(before).sum
        }
        for (layer, name) in layers.enumerated() where size[layer] > 0 {
            history[history.count - 1].updateRatios[name] = (change[layer] / size[layer]).squareRoot()
        }
    }

    /// Keeps weak references to this step's `nodes` and drops those of older steps that died. Returns
    /// the number of nodes of steps before the previous one still alive, and of the steps they come from.
    private func noteNodes(_ nodes: [Variable<Scalar>], step: Int) -> (nodes: Int, steps: Int) {
        recentNodes = recentNodes.compactMap { entry in
            guard entry.step < step - 1 else { return entry }
            let alive = entry.nodes.filter { $0.node != nil }
            return alive.isEmpty ? nil : (entry.step, alive)
        }
        let outliving = recentNodes.filter { $0.step < step - 1 }
        recentNodes.append((step, nodes.map(WeakNode.init)))
        return (outliving.reduce(0) { $0 + $1.nodes.count }, outliving.count)
    }

    /// Records `warning`, and reports it unless a warning of its kind was reported before.
    func raise(_ warning: TrainingWarning) {
        warnings.append(warning)
        if reportedKinds.insert(warning.kind).inserted { report(warning) }
    }
}

/// A weak reference to a node, to see whether something else keeps it alive.
struct WeakNode<Scalar: TensorScalar> {
    weak var node: Variable<Scalar>?
    init(_ node: Variable<Scalar>) { self.node = node }
}

/// The squared L2 norm of a tensor's finite elements, summed in Double (a Float sum of squares would
/// overflow for gradients above 1e19), and the number of elements that are not finite.
func squaredNorm<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) -> (sum: Double, nonFinite: Int) {
    var sum = 0.0, nonFinite = 0
    for element in tensor.scalars {
        if element.isFinite {
            let value = Double(element)
            sum += value * value
        } else {
            nonFinite += 1
        }
    }
    return (sum, nonFinite)
}
