import Backprop

// Softmax cross-entropy and negative log-likelihood, with PyTorch's layout and options: logits
// [N, C, d₁, …] (classes on axis 1), class weights, an ignored label, label smoothing, and
// probability targets. Compositions of core ops: the sweep differentiates them.

/// Softmax cross-entropy with integer class labels, as PyTorch's `cross_entropy`:
/// `−w[y]·log softmax(z)[y]` per target, softmax over the class axis 1.
///
/// With `labelSmoothing` ε the target is `(1 − ε)·onehot(y) + ε/C`, so each target's loss is
/// `(1 − ε)·w[y]·(−log p[y]) + (ε/C)·Σ_c w[c]·(−log p[c])`, with `w` all ones without `weights`.
/// `.mean` divides the total by `Σ w[y]` over the targets that are not ignored (their count without
/// `weights`), as PyTorch does, so with every target ignored it is NaN (0/0, with zero gradients).
/// `.batchMean` divides the total by N.
///
/// - Parameters:
///   - logits: raw scores `[N, C]` or `[N, C, d₁, …]` (for example `[N, C, H, W]` for segmentation).
///   - labels: class indices `[N]` or `[N, d₁, …]`, each in `0..<C` or equal to `ignoreIndex`.
///   - weights: `[C]` class weights, or nil for all ones.
///   - ignoreIndex: a label whose targets contribute 0 and are left out of `.mean`'s denominator,
///     or nil to ignore none. Unlike PyTorch (which ignores −100 by default) nothing is ignored by default.
///   - labelSmoothing: ε in [0, 1].
///   - reduction: `.none` gives one loss per target, shaped like `labels`.
/// Mismatched shapes, a label outside `0..<C` (other than `ignoreIndex`), `weights` not `[C]` or ε
/// outside [0, 1] stop with a message naming the values.
@specialized(where S == Float)
@specialized(where S == Double)
public func crossEntropy<S: TensorScalar>(logits: Variable<S>, labels: Tensor<Int>, weights: Tensor<S>? = nil,
                                          ignoreIndex: Int? = nil, labelSmoothing: S = 0,
                                          reduction: Reduction = .mean) -> Variable<S> {
    require(logits.shape.count >= 2, "crossEntropy: logits of shape \(logits.shape) are not [N, C] or [N, C, d₁, …]")
    return classLoss(logSoftmax(logits, axis: 1), labels: labels, weights: weights, ignoreIndex: ignoreIndex,
                     labelSmoothing: labelSmoothing, reduction: reduction, op: "crossEntropy", input: "logits")
}

/// Softmax cross-entropy with an array of labels `[N]` for logits `[N, C]`: the same as
/// ``crossEntropy(logits:labels:weights:ignoreIndex:labelSmoothing:reduction:)`` with `Tensor(labels)`.
@specialized(where S == Float)
@specialized(where S == Double)
public func crossEntropy<S: TensorScalar>(logits: Variable<S>, labels: [Int], weights: Tensor<S>? = nil,
                                          ignoreIndex: Int? = nil, labelSmoothing: S = 0,
                                          reduction: Reduction = .mean) -> Variable<S> {
    crossEntropy(logits: logits, labels: Tensor(labels), weights: weights, ignoreIndex: ignoreIndex,
                 labelSmoothing: labelSmoothing, reduction: reduction)
}

/// Softmax cross-entropy with probability targets, as PyTorch's `cross_entropy` with a float target:
/// `−Σ_c w[c]·t[c]·log softmax(z)[c]` per position, softmax over the class axis 1.
///
/// With `labelSmoothing` ε the targets become `(1 − ε)·t + ε/C`. `.mean` divides the total by the
/// number of positions `N·d₁·…` (not by the weights, as in PyTorch); `.batchMean` divides it by N.
/// The loss is differentiable in `targets` too.
///
/// - Parameters:
///   - logits: raw scores `[N, C]` or `[N, C, d₁, …]`.
///   - targets: shaped like `logits`; usually a distribution over axis 1 (not checked, as in PyTorch).
///   - weights: `[C]` class weights, or nil for all ones.
///   - labelSmoothing: ε in [0, 1].
///   - reduction: `.none` gives one loss per position, `[N, d₁, …]`.
/// Mismatched shapes, `weights` not `[C]` or ε outside [0, 1] stop with a message naming the values.
@specialized(where S == Float)
@specialized(where S == Double)
public func crossEntropy<S: TensorScalar>(logits: Variable<S>, targets: Variable<S>, weights: Tensor<S>? = nil,
                                          labelSmoothing: S = 0, reduction: Reduction = .mean) -> Variable<S> {
    require(logits.shape.count >= 2, "crossEntropy: logits of shape \(logits.shape) are not [N, C] or [N, C, d₁, …]")
    require(targets.shape == logits.shape,
            "crossEntropy: targets \(targets.shape) and logits \(logits.shape) differ in shape")
    checkSmoothing("crossEntropy", labelSmoothing)
    let classes = logits.shape[1]
    var targets = targets
    if labelSmoothing > 0 { targets = targets * (1 - labelSmoothing) + labelSmoothing / S(classes) }
    var products = logSoftmax(logits, axis: 1) * targets
    if let weights { products = products * Variable(classWeights("crossEntropy", weights, classes, rank: logits.shape.count)) }
    return reduction.apply(-products.sum(axis: 1))
}

/// The negative log-likelihood of integer labels under log-probabilities, as PyTorch's `nll_loss`:
/// `−w[y]·logProbabilities[y]` per target, classes on axis 1.
///
/// `.mean` divides the total by `Σ w[y]` over the targets that are not ignored, as in
/// ``crossEntropy(logits:labels:weights:ignoreIndex:labelSmoothing:reduction:)``, which equals this
/// loss of `logSoftmax(logits, axis: 1)`.
///
/// - Parameters:
///   - logProbabilities: `[N, C]` or `[N, C, d₁, …]`.
///   - labels: class indices `[N]` or `[N, d₁, …]`, each in `0..<C` or equal to `ignoreIndex`.
///   - weights: `[C]` class weights, or nil for all ones.
///   - ignoreIndex: a label whose targets contribute 0 and are left out of `.mean`'s denominator, or nil.
@specialized(where S == Float)
@specialized(where S == Double)
public func negativeLogLikelihood<S: TensorScalar>(logProbabilities: Variable<S>, labels: Tensor<Int>,
                                                   weights: Tensor<S>? = nil, ignoreIndex: Int? = nil,
                                                   reduction: Reduction = .mean) -> Variable<S> {
    require(logProbabilities.shape.count >= 2,
            "negativeLogLikelihood: log-probabilities of shape \(logProbabilities.shape) are not [N, C] or [N, C, d₁, …]")
    return classLoss(logProbabilities, labels: labels, weights: weights, ignoreIndex: ignoreIndex, labelSmoothing: 0,
                     reduction: reduction, op: "negativeLogLikelihood", input: "log-probabilities")
}

/// The negative log-likelihood of an array of labels `[N]` under log-probabilities `[N, C]`: the same as
/// ``negativeLogLikelihood(logProbabilities:labels:weights:ignoreIndex:reduction:)`` with `Tensor(labels)`.
@specialized(where S == Float)
@specialized(where S == Double)
public func negativeLogLikelihood<S: TensorScalar>(logProbabilities: Variable<S>, labels: [Int],
                                                   weights: Tensor<S>? = nil, ignoreIndex: Int? = nil,
                                                   reduction: Reduction = .mean) -> Variable<S> {
    negativeLogLikelihood(logProbabilities: logProbabilities, labels: Tensor(labels), weights: weights,
                          ignoreIndex: ignoreIndex, reduction: reduction)
}

/// The class-index loss behind `crossEntropy` and `negativeLogLikelihood`, on log-probabilities `[N, C, d₁, …]`.
private func classLoss<S: TensorScalar>(_ logProbabilities: Variable<S>, labels: Tensor<Int>, weights: Tensor<S>?,
                                        ignoreIndex: Int?, labelSmoothing: S, reduction: Reduction,
                                        op: String, input: String) -> Variable<S> {
    let shape = logProbabilities.shape, classes = shape[1]
    let labelShape = [shape[0]] + shape.dropFirst(2)
    require(labels.shape == labelShape,
            "\(op): labels of shape \(labels.shape) do not fit \(input) \(shape); they must be \(labelShape)")
    checkSmoothing(op, labelSmoothing)
    let classWeight = weights.map { classWeights(op, $0, classes, rank: 1).scalars }
    // Each target's weight w[y] (0 where ignored), and its label with ignored ones replaced by 0 to pick something.
    var safeLabels = labels.scalars, targetWeights = [S](repeating: 1, count: safeLabels.count)
    var kept = targetWeights, anyIgnored = false
    for (i, label) in safeLabels.enumerated() {
        if label == ignoreIndex {
            safeLabels[i] = 0
            targetWeights[i] = 0
            kept[i] = 0
            anyIgnored = true
        } else if label < 0 || label >= classes {
            let exception = ignoreIndex.map { " (and is not the ignoreIndex \($0))" } ?? ""
            programmerError("\(op): label \(label) is outside 0..<\(classes)\(exception)")
        } else if let classWeight {
            targetWeights[i] = classWeight[label]
        }
    }
    let weighted = weights != nil || anyIgnored
    let targetWeight = Variable(Tensor(shape: labelShape, scalars: targetWeights))
    var losses = -logProbabilities.picking(Tensor(shape: labelShape, scalars: safeLabels), axis: 1)
    if weighted { losses = losses * targetWeight }
    if labelSmoothing > 0 {
        // (ε/C)·Σ_c w[c]·(−log p[c]) per target, 0 where ignored.
        var all = logProbabilities
        if let weights { all = all * Variable(classWeights(op, weights, classes, rank: shape.count)) }
        var smooth = -all.sum(axis: 1)
        if anyIgnored { smooth = smooth * Variable(Tensor(shape: labelShape, scalars: kept)) }
        losses = losses * (1 - labelSmoothing) + smooth * (labelSmoothing / S(classes))
    }
    guard reduction == .mean, weighted else { return reduction.apply(losses) }
    let total = targetWeights.reduce(0, +)
    // Every target ignored (or of weight 0): NaN, as PyTorch's 0/0, but with zero gradients as PyTorch's.
    guard total != 0 else { return losses.sum() * 0 + S.nan }
    return losses.sum() / total
}

/// `weights` checked to be `[classes]`, shaped `[1, C, 1, …]` to broadcast against a tensor of `rank` (just `[C]` for rank 1).
private func classWeights<S: TensorScalar>(_ op: String, _ weights: Tensor<S>, _ classes: Int, rank: Int) -> Tensor<S> {
    require(weights.shape == [classes], "\(op): weights of shape \(weights.shape) are not [\(classes)], one per class")
    guard rank > 1 else { return weights }
    return weights.reshaped([1, classes] + Array(repeating: 1, count: rank - 2))
}

private func checkSmoothing<S: TensorScalar>(_ op: String, _ labelSmoothing: S) {
    require(labelSmoothing >= 0 && labelSmoothing <= 1, "\(op): label smoothing \(labelSmoothing) is not in [0, 1]")
}
