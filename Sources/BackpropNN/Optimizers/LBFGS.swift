import Backprop

/// Limited-memory BFGS on a closure that re-evaluates the loss: PyTorch's `LBFGS`.
///
/// Each call to ``step(_:)`` runs up to `maxIterations` quasi-Newton iterations on all
/// parameters, flattened into one vector θ with gradient g:
///
///     d ← −H·g           (H: the inverse Hessian built from the last `historySize` pairs
///                         s = θₖ₊₁ − θₖ, y = gₖ₊₁ − gₖ with y·s > 1e-10, by the two-loop recursion,
///                         scaled by y·s / y·y; d = −g on the very first iteration)
///     t ← γ              (on the first iteration ever: min(1, 1/‖g‖₁)·γ)
///     θ ← θ + t·d        (with `strongWolfe`, t is found by a strong-Wolfe line search from that guess)
///
/// It stops early when max |g| ≤ `gradientTolerance`, when the directional derivative g·d,
/// max |t·d| or the change of the loss falls within `changeTolerance`, or after `maxEvaluations`
/// evaluations of the closure. The history persists between calls, as in PyTorch.
///
/// Its state is not saved in checkpoints: ``state()`` reports the iteration count only,
/// and ``load(_:)`` accepts only the state of an optimizer that has not stepped.
public final class LBFGS<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates, flattened into one vector in this order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The one parameter group: L-BFGS, as PyTorch's, supports no more.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The step size γ, the initial guess of the line search: non-negative.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The learning rate when the first schedule was attached (PyTorch's `initial_lr`), the base rate of every schedule.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    private var table: ParameterGroups<Scalar>
    /// The most iterations one call to ``step(_:)`` runs.
    public let maxIterations: Int
    /// The most evaluations of the closure one call to ``step(_:)`` makes.
    public let maxEvaluations: Int
    /// The step stops once the largest gradient element is at most this: first-order optimality.
    public let gradientTolerance: Scalar
    /// The step stops once the loss, the parameters or the directional derivative change by less than this.
    public let changeTolerance: Scalar
    /// The number of (s, y) pairs kept for the inverse-Hessian estimate.
    public let historySize: Int
    /// Whether the step length comes from a strong-Wolfe line search instead of being γ.
    public let strongWolfe: Bool
    /// The closure evaluations over all steps: PyTorch's `func_evals`.
    public private(set) var functionEvaluations = 0
    /// The iterations over all steps: PyTorch's `n_iter`.
    public private(set) var iterations = 0
    /// What the iterations remember between steps.
    private var memory = Memory()

    /// The search direction, step length and curvature pairs: PyTorch's `d`, `t`, `old_dirs`, `old_stps`, `ro`, `H_diag`.
    struct Memory {
        var direction: [Scalar] = []
        var stepLength: Scalar = 0
        var gradientChanges: [[Scalar]] = []
        var parameterChanges: [[Scalar]] = []
        var reciprocalCurvatures: [Scalar] = []
        var hessianScale: Scalar = 1
        var previousGradient: [Scalar] = []
        var previousLoss: Scalar = 0
    }

    /// Creates an L-BFGS optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ, non-negative (default 1).
    ///   - maxIterations: iterations per step, positive (default 20).
    ///   - maxEvaluations: closure evaluations per step (default nil: `maxIterations · 5 / 4`, rounded down).
    ///   - gradientTolerance: the first-order optimality tolerance (default 1e-7).
    ///   - changeTolerance: the tolerance on changes of the loss and the parameters (default 1e-9).
    ///   - historySize: the curvature pairs kept, positive (default 100).
    ///   - strongWolfe: find each step length by a strong-Wolfe line search (default false: step by γ),
    ///     PyTorch's `line_search_fn="strong_wolfe"`.
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 1, maxIterations: Int = 20,
                            maxEvaluations: Int? = nil, gradientTolerance: Scalar = 1e-7, changeTolerance: Scalar = 1e-9,
                            historySize: Int = 100, strongWolfe: Bool = false) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, maxIterations: maxIterations,
                  maxEvaluations: maxEvaluations, gradientTolerance: gradientTolerance, changeTolerance: changeTolerance,
                  historySize: historySize, strongWolfe: strongWolfe)
    }

    /// Creates an L-BFGS optimizer over exactly one parameter group, which may set its learning rate.
    ///
    /// L-BFGS flattens every parameter into one vector, so, as PyTorch's, it supports one group:
    /// more stop with a message.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 1, maxIterations: Int = 20,
                maxEvaluations: Int? = nil, gradientTolerance: Scalar = 1e-7, changeTolerance: Scalar = 1e-9,
                historySize: Int = 100, strongWolfe: Bool = false) {
        require(groups.count == 1, "LBFGS: supports exactly one parameter group, as PyTorch's, but was given \(groups.count)")
        requireNonNegative(["learning rate": learningRate], in: "LBFGS")
        require(maxIterations > 0, "LBFGS: maxIterations must be positive, but is \(maxIterations)")
        require(historySize > 0, "LBFGS: historySize must be positive, but is \(historySize)")
        table = ParameterGroups(owner: "LBFGS", groups: groups, defaults: ParameterGroup(parameters: [], learningRate: learningRate))
        self.maxIterations = maxIterations
        self.maxEvaluations = maxEvaluations ?? maxIterations * 5 / 4
        self.gradientTolerance = gradientTolerance
        self.changeTolerance = changeTolerance
        self.historySize = historySize
        self.strongWolfe = strongWolfe
    }

    /// Not available: L-BFGS evaluates the loss several times per step, so it needs ``step(_:)``.
    public func step() {
        programmerError("LBFGS: step() cannot re-evaluate the loss; call step(_ closure:) with a closure "
                        + "that zeroes the gradients, computes the loss, calls backward() and returns the loss")
    }

    /// Runs up to `maxIterations` iterations and returns the loss the first evaluation of `closure` gave.
    ///
    /// - Parameter closure: zeroes the gradients, computes the loss from the parameters' current
    ///   values, calls `backward()` on it and returns it, as in PyTorch. It is called at least once.
    @discardableResult
    public func step(_ closure: () -> Variable<Scalar>) -> Variable<Scalar> {
        let originalLoss = closure()
        var loss = originalLoss.scalar
        var evaluations = 1
        functionEvaluations += 1
        var gradient = flatGradient()
        if maxMagnitude(gradient) <= gradientTolerance || parameters.isEmpty { return originalLoss }

        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            iterations += 1
            if iterations == 1 {
                memory = Memory(direction: gradient.map { -$0 })
            } else {
                memory.remember(gradient: gradient, historySize: historySize)
                memory.direction = memory.descentDirection(gradient)
            }
            memory.previousGradient = gradient
            memory.previousLoss = loss
            memory.stepLength = iterations == 1 ? min(1, 1 / gradient.reduce(0) { $0 + Swift.abs($1) }) * learningRate
                : learningRate
            let slope = dot(gradient, memory.direction)
            if slope > -changeTolerance { break }

            var optimal = false
            var lineEvaluations = 0
            if strongWolfe {
                let start = parameters.map(\.value)
                let search = searchLine(closure, from: start, along: memory.direction, step: memory.stepLength,
                                        loss: loss, gradient: gradient, slope: slope,
                                        maxEvaluations: maxEvaluations - evaluations)
                (loss, gradient, memory.stepLength, lineEvaluations) = search
                move(by: memory.stepLength, along: memory.direction)
                optimal = maxMagnitude(gradient) <= gradientTolerance
            } else {
                move(by: memory.stepLength, along: memory.direction)
                // The last iteration does not re-evaluate: the next step starts with an evaluation.
                if iteration != maxIterations {
                    loss = closure().scalar
                    gradient = flatGradient()
                    optimal = maxMagnitude(gradient) <= gradientTolerance
                    lineEvaluations = 1
                }
            }
            evaluations += lineEvaluations
            functionEvaluations += lineEvaluations

            if iteration == maxIterations || evaluations >= maxEvaluations || optimal { break }
            if maxMagnitude(memory.direction) * Swift.abs(memory.stepLength) <= changeTolerance { break }
            if Swift.abs(loss - memory.previousLoss) < changeTolerance { break }
        }
        return originalLoss
    }

    /// The iteration count as the step count, and no per-parameter state: the history is not saved.
    public func state() -> OptimizerState<Scalar> {
        OptimizerState(step: iterations, perParameter: Array(repeating: [:], count: parameters.count))
    }

    /// Accepts only the state of an optimizer that has not stepped; throws ``OptimizerStateError`` otherwise.
    public func load(_ state: OptimizerState<Scalar>) throws {
        guard state.step == 0, state.perParameter.allSatisfy(\.isEmpty) else {
            throw OptimizerStateError("LBFGS: its curvature history is not saved, so a state after \(state.step) "
                                      + "iterations cannot be restored")
        }
        guard state.perParameter.count == parameters.count else {
            throw OptimizerStateError("LBFGS: the state has \(state.perParameter.count) parameter entries, "
                                      + "but the optimizer has \(parameters.count) parameters")
        }
    }

    // MARK: Flat vectors

    /// Every parameter's gradient, flattened and joined in parameter order; zeros for a parameter without one.
    func flatGradient() -> [Scalar] {
        parameters.flatMap { $0.grad?.scalars ?? Array(repeating: 0, count: $0.value.scalars.count) }
    }

    /// θ ← θ + t·d, on the parameters' values.
    ///
    /// Here and in the two-loop recursion, `a + s·b` is one fused multiply-add, as PyTorch's
    /// `add_(b, alpha: s)` computes it on the CPU: Rosenbrock's valley turns a last-bit
    /// difference into a visible one within a hundred iterations.
    func move(by step: Scalar, along direction: [Scalar]) {
        var offset = 0
        for parameter in parameters {
            let values = parameter.value.scalars
            let moved = values.indices.map { values[$0].addingProduct(step, direction[offset + $0]) }
            parameter.value = Tensor(shape: parameter.shape, scalars: moved)
            offset += values.count
        }
    }

    /// The loss and flat gradient at θ + t·d, with the parameters put back to `start` afterwards.
    func evaluate(_ closure: () -> Variable<Scalar>, at start: [Tensor<Scalar>], step: Scalar,
                  along direction: [Scalar]) -> (loss: Scalar, gradient: [Scalar]) {
        move(by: step, along: direction)
        let loss = closure().scalar
        let gradient = flatGradient()
        for (parameter, value) in zip(parameters, start) { parameter.value = value }
        return (loss, gradient)
    }
}

extension LBFGS.Memory {
    /// Adds the pair (s, y) from the last move if its curvature y·s exceeds 1e-10, dropping the oldest when full.
    mutating func remember(gradient: [Scalar], historySize: Int) {
        let y = zip(gradient, previousGradient).map { $0 - $1 }
        let s = direction.map { $0 * stepLength }
        let curvature = dot(y, s)
        guard curvature > 1e-10 else { return }
        if gradientChanges.count == historySize {
            gradientChanges.removeFirst()
            parameterChanges.removeFirst()
            reciprocalCurvatures.removeFirst()
        }
        gradientChanges.append(y)
        parameterChanges.append(s)
        reciprocalCurvatures.append(1 / curvature)
        hessianScale = curvature / dot(y, y)
    }

    /// −H·g by the two-loop recursion over the stored pairs, newest first, then oldest first.
    func descentDirection(_ gradient: [Scalar]) -> [Scalar] {
        let count = gradientChanges.count
        var alphas = [Scalar](repeating: 0, count: count)
        var q = gradient.map { -$0 }
        for i in stride(from: count - 1, through: 0, by: -1) {
            alphas[i] = dot(parameterChanges[i], q) * reciprocalCurvatures[i]
            for j in q.indices { q[j] = q[j].addingProduct(-alphas[i], gradientChanges[i][j]) }
        }
        var r = q.map { $0 * hessianScale }
        for i in 0..<count {
            let beta = dot(gradientChanges[i], r) * reciprocalCurvatures[i]
            for j in r.indices { r[j] = r[j].addingProduct(alphas[i] - beta, parameterChanges[i][j]) }
        }
        return r
    }
}

/// Σ aᵢbᵢ, summed in order.
func dot<S: TensorScalar>(_ a: [S], _ b: [S]) -> S {
    var sum: S = 0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}

/// The largest |aᵢ|, 0 for an empty vector.
func maxMagnitude<S: TensorScalar>(_ a: [S]) -> S { a.reduce(0) { Swift.max($0, Swift.abs($1)) } }
