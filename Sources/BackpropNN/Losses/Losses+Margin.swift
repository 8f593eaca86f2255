import Backprop

// The margin losses, as PyTorch's: each hinge is max(·, 0), built on relu, so at exactly 0 it
// passes no gradient (PyTorch's clamp_min passes it); the two agree everywhere else.

/// The margin ranking loss, as PyTorch's `margin_ranking_loss`: `reduce(max(0, −y·(x₁ − x₂) + margin))`.
///
/// `y = 1` asks for `x₁` to rank above `x₂` by at least `margin`, `y = −1` for the reverse.
///
/// - Parameters:
///   - first: scores `x₁`, any shape.
///   - second: scores `x₂`, shaped like `first`.
///   - target: `y`, 1 or −1 per element, shaped like `first`; a constant.
///   - margin: the required gap.
@specialized(where S == Float)
@specialized(where S == Double)
public func marginRankingLoss<S: TensorScalar>(_ first: Variable<S>, _ second: Variable<S>, target: Tensor<S>,
                                               margin: S = 0, reduction: Reduction = .mean) -> Variable<S> {
    require(first.shape == second.shape && first.shape == target.shape,
            "marginRankingLoss: inputs \(first.shape) and \(second.shape) and target \(target.shape) differ in shape")
    return reduction.apply(relu((second - first) * Variable(target) + margin))
}

/// The cosine embedding loss, as PyTorch's `cosine_embedding_loss`: per pair,
/// `1 − cos(x₁, x₂)` where `y = 1` and `max(0, cos(x₁, x₂) − margin)` where `y = −1`, with
/// `cos = x₁·x₂ / √((‖x₁‖² + ε)(‖x₂‖² + ε))`, `ε = 10⁻¹²`, over the last axis.
///
/// - Parameters:
///   - first: `[N, D]` embeddings, or one `[D]` embedding.
///   - second: shaped like `first`.
///   - target: `y`, 1 or −1 per pair: `[N]` (or a scalar for `[D]` inputs); a constant.
///   - margin: how dissimilar pairs must be, in [−1, 1]; PyTorch suggests 0 to 0.5.
@specialized(where S == Float)
@specialized(where S == Double)
public func cosineEmbeddingLoss<S: TensorScalar>(_ first: Variable<S>, _ second: Variable<S>, target: Tensor<S>,
                                                 margin: S = 0, reduction: Reduction = .mean) -> Variable<S> {
    require(first.shape == second.shape && (first.shape.count == 1 || first.shape.count == 2)
                && target.shape == Array(first.shape.dropLast()),
            "cosineEmbeddingLoss: inputs \(first.shape) and \(second.shape) are not both [N, D] or [D] with target \(target.shape) [N] or []")
    let epsilon = S(1e-12)
    let product = (first * second).sum(axis: -1)
    let squares = ((first * first).sum(axis: -1) + epsilon) * ((second * second).sum(axis: -1) + epsilon)
    let cosine = product / sqrt(squares)
    let zero = Variable(Tensor<S>.zeros(cosine.shape))
    let similar = which(target.isEqual(to: Tensor(S(1))), 1 - cosine, zero)
    let dissimilar = which(target.isEqual(to: Tensor(S(-1))), relu(cosine - margin), zero)
    return reduction.apply(similar + dissimilar)
}

/// The triplet margin loss, as PyTorch's `triplet_margin_loss` (without `swap`):
/// `reduce(max(d(a, p) − d(a, n) + margin, 0))`, with `d(x, y) = ‖x − y + ε‖_p` over the last axis, `ε = 10⁻⁶`.
///
/// - Parameters:
///   - anchor: `[N, D]` embeddings, or one `[D]` embedding.
///   - positive: shaped like `anchor`; to be pulled closer.
///   - negative: shaped like `anchor`; to be pushed at least `margin` further away.
///   - p: the norm's degree, `≥ 1`.
@specialized(where S == Float)
@specialized(where S == Double)
public func tripletMarginLoss<S: TensorScalar>(anchor: Variable<S>, positive: Variable<S>, negative: Variable<S>,
                                               margin: S = 1, p: S = 2, reduction: Reduction = .mean) -> Variable<S> {
    require(anchor.shape == positive.shape && anchor.shape == negative.shape
                && (anchor.shape.count == 1 || anchor.shape.count == 2),
            "tripletMarginLoss: anchor \(anchor.shape), positive \(positive.shape) and negative \(negative.shape) are not all [N, D] or [D]")
    require(p >= 1, "tripletMarginLoss: p \(p) is below 1")
    func distance(_ x: Variable<S>, _ y: Variable<S>) -> Variable<S> {
        let difference = x - y + S(1e-6)
        if p == 2 { return sqrt((difference * difference).sum(axis: -1)) }
        if p == 1 { return abs(difference).sum(axis: -1) }
        return pow(pow(abs(difference), p).sum(axis: -1), 1 / p)
    }
    return reduction.apply(relu(distance(anchor, positive) - distance(anchor, negative) + margin))
}
