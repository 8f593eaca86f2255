import Backprop

// Losses, each a composition of core ops: the sweep differentiates them.

/// How a loss combines its per-element values.
public enum Reduction: Sendable {
    /// The average (the default everywhere, as in PyTorch).
    case mean
    /// The total.
    case sum
    /// No reduction: one loss per element (per target for the class losses).
    case none
    /// The total divided by the batch size, the length of the first axis of the unreduced losses
    /// (1 for a scalar): PyTorch's `kl_div(reduction="batchmean")`, the default of ``klDivergence(logProbabilities:targets:reduction:)``.
    ///
    /// PyTorch allows it only for `kl_div`; here every loss accepts it with this one meaning. For the
    /// losses with one value per sample (``crossEntropy(logits:labels:weights:ignoreIndex:labelSmoothing:reduction:)``
    /// on `[N, C]` logits without weights or ignored labels, the margin losses on `[N, D]` inputs) it equals
    /// `.mean`; for element-wise losses on `[N, …]` it is the per-sample total averaged over the batch.
    case batchMean

    func apply<S: TensorScalar>(_ losses: Variable<S>) -> Variable<S> {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        case .batchMean: return losses.sum() / S(Swift.max(losses.shape.first ?? 1, 1))
        }
    }
}

private func checkSameShape<S: TensorScalar>(_ op: String, _ a: Variable<S>, _ b: Variable<S>) {
    require(a.shape == b.shape, "\(op): predictions \(a.shape) and targets \(b.shape) differ in shape")
}

/// The mean squared error: `reduce((predicted − expected)²)`.
@specialized(where S == Float)
@specialized(where S == Double)
public func meanSquaredError<S: TensorScalar>(predicted: Variable<S>, expected: Variable<S>,
                                              reduction: Reduction = .mean) -> Variable<S> {
    checkSameShape("meanSquaredError", predicted, expected)
    let difference = predicted - expected
    return reduction.apply(difference * difference)
}

/// The mean absolute error: `reduce(|predicted − expected|)`.
@specialized(where S == Float)
@specialized(where S == Double)
public func l1Loss<S: TensorScalar>(predicted: Variable<S>, expected: Variable<S>, reduction: Reduction = .mean) -> Variable<S> {
    checkSameShape("l1Loss", predicted, expected)
    return reduction.apply(abs(predicted - expected))
}

/// The Huber loss: `½d²` where `|d| < delta`, else `delta·(|d| − ½delta)`, with `d = predicted − expected`.
@specialized(where S == Float)
@specialized(where S == Double)
public func huberLoss<S: TensorScalar>(predicted: Variable<S>, expected: Variable<S>, delta: S = 1,
                                       reduction: Reduction = .mean) -> Variable<S> {
    checkSameShape("huberLoss", predicted, expected)
    let difference = predicted - expected
    let magnitude = abs(difference)
    let quadratic = difference * difference * 0.5
    let linear = (magnitude - delta * 0.5) * delta
    return reduction.apply(which(magnitude.value.isLess(than: Tensor(delta)), quadratic, linear))
}

/// Binary cross-entropy on logits, stable for any logit:
/// `reduce(softplus(x) − x·t)`, which equals `−t·log σ(x) − (1 − t)·log(1 − σ(x))`.
///
/// - Parameters:
///   - logits: raw scores `x`, any shape.
///   - labels: `t` in [0, 1] (class labels 0 and 1, or probabilities), shaped like `logits`.
@specialized(where S == Float)
@specialized(where S == Double)
public func binaryCrossEntropy<S: TensorScalar>(logits: Variable<S>, labels: Variable<S>,
                                                reduction: Reduction = .mean) -> Variable<S> {
    checkSameShape("binaryCrossEntropy", logits, labels)
    return reduction.apply(softplus(logits) - logits * labels)
}

/// The former spelling of ``binaryCrossEntropy(logits:labels:reduction:)``.
@available(*, deprecated, renamed: "binaryCrossEntropy(logits:labels:reduction:)")
public func binaryCrossEntropy<S: TensorScalar>(logits: Variable<S>, targets: Variable<S>,
                                                reduction: Reduction = .mean) -> Variable<S> {
    binaryCrossEntropy(logits: logits, labels: targets, reduction: reduction)
}

/// Binary cross-entropy on probabilities, as PyTorch's `binary_cross_entropy`:
/// `reduce(−(t·max(log p, −100) + (1 − t)·max(log(1 − p), −100)))`.
///
/// The logarithms are clamped at −100, as in PyTorch, so a probability of exactly 0 or 1 gives a
/// finite loss (at most 100 per element). Prefer ``binaryCrossEntropy(logits:labels:reduction:)``, which
/// is stable for any score. The gradient is that of this formula: where a logarithm is clamped
/// (p ≤ e⁻¹⁰⁰, or 1 − p ≤ e⁻¹⁰⁰) its term contributes 0, where PyTorch's own backward
/// gives `(p − t) / max(p·(1 − p), 10⁻¹²)`; the two agree for 0 < p < 1 away from those ends.
///
/// - Parameters:
///   - probabilities: `p` in [0, 1], any shape.
///   - labels: `t` in [0, 1] (class labels 0 and 1, or probabilities), shaped like `probabilities`.
@specialized(where S == Float)
@specialized(where S == Double)
public func binaryCrossEntropy<S: TensorScalar>(probabilities: Variable<S>, labels: Variable<S>,
                                                reduction: Reduction = .mean) -> Variable<S> {
    checkSameShape("binaryCrossEntropy", probabilities, labels)
    let logP = clampedLog(probabilities), logNotP = clampedLog(1 - probabilities)
    return reduction.apply(-(labels * logP + (1 - labels) * logNotP))
}

/// The former spelling of ``binaryCrossEntropy(probabilities:labels:reduction:)``.
@available(*, deprecated, renamed: "binaryCrossEntropy(probabilities:labels:reduction:)")
public func binaryCrossEntropy<S: TensorScalar>(probabilities: Variable<S>, targets: Variable<S>,
                                                reduction: Reduction = .mean) -> Variable<S> {
    binaryCrossEntropy(probabilities: probabilities, labels: targets, reduction: reduction)
}

/// max(log x, −100), differentiable everywhere: the clamped elements pass no gradient (and no 0/0 from log's VJP).
private func clampedLog<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    let floor = Tensor(S(-100))
    let inside = x.value.isGreater(than: exp(floor))
    let safe = which(inside, x, Variable(Tensor(S(1))))
    return which(inside, log(safe), Variable(floor))
}
