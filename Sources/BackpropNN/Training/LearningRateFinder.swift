import Backprop

/// The curve that a learning-rate range test records, and the rate it suggests.
///
/// Entry i is the step taken at learning rate `learningRates[i]`; its loss is
/// measured before that step's update, as fastai's `lr_find` records it.
public struct LearningRateSweep<Scalar: TensorScalar>: Equatable, Sendable {
    /// The learning rate of each step, rising geometrically.
    public let learningRates: [Scalar]
    /// The loss of each step's batch.
    public let losses: [Scalar]
    /// The losses smoothed by a bias-corrected exponential moving average: the curve to read.
    public let smoothedLosses: [Scalar]
    /// The number of steps the sweep was to take: more than it recorded if it diverged.
    public let stepCount: Int
    /// Whether the loss diverged, which ends the sweep: its smoothed value passed the
    /// divergence threshold (that step is the curve's last entry) or it was not finite
    /// (that step is left out of the curve).
    public let diverged: Bool

    /// Creates a sweep from its curve.
    public init(learningRates: [Scalar], losses: [Scalar], smoothedLosses: [Scalar], stepCount: Int, diverged: Bool) {
        require(learningRates.count == losses.count && losses.count == smoothedLosses.count,
                "LearningRateSweep: \(learningRates.count) learning rates, \(losses.count) losses "
                + "and \(smoothedLosses.count) smoothed losses")
        require(learningRates.count <= stepCount,
                "LearningRateSweep: \(learningRates.count) steps recorded of stepCount \(stepCount)")
        self.learningRates = learningRates
        self.losses = losses
        self.smoothedLosses = smoothedLosses
        self.stepCount = stepCount
        self.diverged = diverged
    }

    /// The index of the lowest smoothed loss after the first tenth of ``stepCount`` (the first, if
    /// several tie), or nil if the curve ends before then.
    ///
    /// The first smoothed values average only a few batches, and so carry their noise: a lucky
    /// first batch would otherwise be the minimum. fastai leaves them out likewise.
    public var minimumIndex: Int? {
        let kept = smoothedLosses.indices.dropFirst(stepCount / 10)
        return kept.min { smoothedLosses[$0] < smoothedLosses[$1] }
    }

    /// A learning rate to train with: a tenth of the rate at the lowest smoothed loss.
    ///
    ///     suggestion = learningRates[minimumIndex] / 10
    ///
    /// The rule of Smith's range test as fastai first applied it (its `minimum`
    /// suggestion): at the minimum the rate is already near the largest that training
    /// survives, so one order of magnitude below it the loss still falls fast and
    /// training is stable. Nil when ``minimumIndex`` is.
    public var suggestion: Scalar? { minimumIndex.map { learningRates[$0] / 10 } }
}

/// Runs a learning-rate range test: trains with a geometrically rising learning rate, records the
/// loss, then puts the model and the optimizer back exactly as they were.
///
/// This is Smith's test (*Cyclical Learning Rates for Training Neural Networks*, 2015)
/// as fastai's `lr_find` runs it. Step i of n (i = 0…n−1) sets the optimizer's rate to
///
///     γᵢ = start · (end / start)^(i / (n − 1))
///
/// then computes the loss of the next batch, records it, and takes a step. The
/// smoothed loss is the bias-corrected moving average
///
///     aᵢ = β·aᵢ₋₁ + (1 − β)·lossᵢ   (a₋₁ = 0),   smoothedᵢ = aᵢ / (1 − βⁱ⁺¹)
///
/// The sweep stops early when the smoothed loss exceeds `divergenceThreshold` times the
/// lowest so far, or when a loss is not finite. When `batches` runs out it starts over,
/// so a short loader serves any number of steps (a shuffling ``DataLoader`` draws a new
/// order for each pass, which advances its generator as training would).
///
/// The model is in training mode during the sweep. Afterwards every parameter's value
/// and gradient, every buffer, every layer's mode and random generator (Dropout's
/// masks), and the optimizer's ``Optimizer/state()`` and learning rate are restored bit
/// for bit, also when `loss` throws. It works with any optimizer: it sets the rate
/// through ``Optimizer/learningRate``, and takes steps through ``Optimizer/step()``.
///
/// ```
/// let sweep = findLearningRate(model: model, optimizer: optimizer, batches: loader) { batch in
///     crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
/// }
/// optimizer.learningRate = sweep.suggestion ?? optimizer.learningRate
/// ```
///
/// - Parameters:
///   - model: the model, whose buffers, modes and generators are restored beside its parameters.
///   - optimizer: an optimizer over the model's parameters (or some of them).
///   - batches: the batches to train on, in order, taken again from the start when they run out.
///   - startLearningRate: the first rate, positive (default 1e-7, as fastai).
///   - endLearningRate: the last rate, above the first (default 10, as fastai).
///   - stepCount: the number of steps, at least 2 (default 100, as fastai).
///   - smoothing: the moving average's β in [0, 1) (default 0.98, as fastai).
///   - divergenceThreshold: the factor over the lowest smoothed loss that stops the sweep,
///     above 1 (default 4, as fastai).
///   - loss: the loss of one batch, a variable with one positive element (the threshold is a ratio),
///     computed through `model`.
/// - Returns: the curve, and its ``LearningRateSweep/suggestion``.
public func findLearningRate<Model: Module, Batches: Sequence>(
    model: Model, optimizer: any Optimizer<Model.Scalar>, batches: Batches,
    startLearningRate: Model.Scalar = 1e-7, endLearningRate: Model.Scalar = 10, stepCount: Int = 100,
    smoothing: Model.Scalar = 0.98, divergenceThreshold: Model.Scalar = 4,
    loss: (Batches.Element) throws -> Variable<Model.Scalar>
) rethrows -> LearningRateSweep<Model.Scalar> {
    typealias Scalar = Model.Scalar
    let (start, end) = (startLearningRate, endLearningRate)
    require(start > 0 && start.isFinite, "findLearningRate: startLearningRate must be positive and finite, but is \(start)")
    require(end > start && end.isFinite,
            "findLearningRate: endLearningRate must be finite and above startLearningRate \(start), but is \(end)")
    require(stepCount >= 2, "findLearningRate: stepCount must be at least 2, but is \(stepCount)")
    require(smoothing >= 0 && smoothing < 1, "findLearningRate: smoothing must be in [0, 1), but is \(smoothing)")
    require(divergenceThreshold > 1, "findLearningRate: divergenceThreshold must be above 1, but is \(divergenceThreshold)")

    let snapshot = ModuleSnapshot(of: model, including: optimizer.parameters)
    let (savedState, savedRate) = (optimizer.state(), optimizer.learningRate)
    defer {
        snapshot.restore()
        do {
            try optimizer.load(savedState)
        } catch {
            programmerError("findLearningRate: the optimizer refused to load the state it had before the sweep: \(error)")
        }
        optimizer.learningRate = savedRate
    }

    model.train()
    var rates: [Scalar] = [], losses: [Scalar] = [], smoothed: [Scalar] = []
    var average: Scalar = 0
    var lowest = Scalar.infinity
    var diverged = false
    var pass = batches.makeIterator()
    for step in 0..<stepCount {
        guard let batch = pass.next() ?? { pass = batches.makeIterator(); return pass.next() }() else {
            programmerError("findLearningRate: batches yielded no batch for step \(step)")
        }
        let rate = step == stepCount - 1 ? end : start * Scalar.pow(end / start, Scalar(step) / Scalar(stepCount - 1))
        optimizer.learningRate = rate
        optimizer.zeroGrad()
        let value = try loss(batch)
        let scalar = value.scalar
        guard scalar.isFinite else {
            diverged = true
            break
        }
        average = smoothing * average + (1 - smoothing) * scalar
        let smooth = average / (1 - Scalar.pow(smoothing, Scalar(step + 1)))
        rates.append(rate)
        losses.append(scalar)
        smoothed.append(smooth)
        lowest = min(lowest, smooth)
        if smooth > divergenceThreshold * lowest {
            diverged = true
            break
        }
        value.backward()
        optimizer.step()
    }
    return LearningRateSweep(learningRates: rates, losses: losses, smoothedLosses: smoothed, stepCount: stepCount,
                             diverged: diverged)
}
