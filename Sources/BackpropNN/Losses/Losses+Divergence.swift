import Backprop

/// The Kullback–Leibler divergence of `targets` from the distribution whose logarithms are `logProbabilities`,
/// as PyTorch's `kl_div` (with `log_target=False`):
/// `reduce(t·(log t − x))`, where a zero target contributes 0 (`0·log 0 = 0`).
///
/// The default `.batchMean` divides the total by the batch size, the first axis, which gives the true
/// divergence per sample; `.mean` divides by the element count, as PyTorch's `"mean"` does.
/// The gradient with respect to `targets` is `log t + 1 − x` where `t > 0`, and `−x` where `t = 0`.
///
/// - Parameters:
///   - logProbabilities: `x`, log-probabilities (for example from `logSoftmax`), any shape.
///   - targets: probabilities `t ≥ 0`, shaped like `logProbabilities`.
@specialized(where S == Float)
@specialized(where S == Double)
public func klDivergence<S: TensorScalar>(logProbabilities: Variable<S>, targets: Variable<S>,
                                          reduction: Reduction = .batchMean) -> Variable<S> {
    require(logProbabilities.shape == targets.shape,
            "klDivergence: log-probabilities \(logProbabilities.shape) and targets \(targets.shape) differ in shape")
    let positive = targets.value.isGreater(than: Tensor(S(0)))
    let safeTargets = which(positive, targets, Variable(Tensor(S(1))))
    let entropyTerm = which(positive, targets * log(safeTargets), Variable(Tensor(S(0))))
    return reduction.apply(entropyTerm - targets * logProbabilities)
}
