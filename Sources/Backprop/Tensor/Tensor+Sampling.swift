// Sampling from discrete distributions. Each sampler draws a fixed number of values from
// the generator per element, in row-major order, and uses only basic arithmetic and
// `portableLog` on them: a seed gives the same samples, bit for bit, on every platform.

extension SeededGenerator {
    /// A uniform sample in (0, 1), never 0, from 53 random bits: safe to take the logarithm of.
    mutating func nextOpenUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

    /// An exponential sample of rate 1, `−log u`; positive and finite.
    mutating func nextExponential() -> Double { -portableLog(nextOpenUnit()) }
}

extension Tensor where Scalar: TensorScalar {
    /// Samples of 0 or 1, each 1 with the probability at its position: `xᵢ ~ Bernoulli(pᵢ)`.
    ///
    /// As `torch.bernoulli`, the result has the probabilities' shape and element type, so it
    /// can scale values directly (a dropout mask); `converted(to: Bool.self)` makes it a mask.
    /// Draws one uniform `u` per element, in row-major order, and gives 1 where `u < p`.
    ///
    /// - Parameter probabilities: each in [0, 1]; anything else (NaN included) stops with a message.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func bernoulli(probabilities: Tensor, using generator: inout SeededGenerator) -> Tensor {
        checked { () throws(ShapeError) in try probabilities.checkProbabilities(op: "bernoulli") }
        return probabilities.withBuffer { p in
            Tensor(shape: probabilities.shape) { out in
                for i in p.indices { out[i] = generator.nextUnit() < Double(p[i]) ? 1 : 0 }
            }
        }
    }

    /// Samples of 0 or 1, each 1 with the probability at its position, from a generator seeded with `seed`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func bernoulli(probabilities: Tensor, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return bernoulli(probabilities: probabilities, using: &generator)
    }

    /// One category per lane along `axis`, drawn with probabilities `softmax(logits)`, as
    /// `jax.random.categorical`.
    ///
    /// By the Gumbel-max trick: the position of the largest `logitᵢ − log(−log uᵢ)`, with one
    /// uniform `uᵢ` drawn per element in row-major order. A logit of `-infinity` is never drawn.
    ///
    /// - Parameters:
    ///   - logits: unnormalized log-probabilities; NaN and `+infinity` stop with a message, as
    ///     does a lane that is all `-infinity`.
    ///   - axis: the axis of the categories; negative counts from the end.
    /// - Returns: indices along `axis`, of the shape of `logits` without `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func categorical(logits: Tensor, axis: Int = -1, using generator: inout SeededGenerator) -> Tensor<Int> {
        let (resolved, outShape) = checked { () throws(ShapeError) in try logits.checkLogits(axis: axis) }
        let size = logits.shape[resolved]
        let (_, inner) = Shapes.outerAndInner(logits.shape, around: resolved)
        var keys = [Double](repeating: 0, count: logits.count)
        logits.withBuffer { x in
            for i in x.indices { keys[i] = Double(x[i]) - portableLog(generator.nextExponential()) }
        }
        let samples = (0..<Shapes.count(outShape)).map { lane in
            let base = (lane / inner) * size * inner + lane % inner
            var best = 0
            for j in 1..<size where keys[base + j * inner] > keys[base + best * inner] { best = j }
            return best
        }
        return Tensor<Int>(shape: outShape, scalars: samples)
    }

    /// One category per lane along `axis`, drawn with probabilities `softmax(logits)`, from a
    /// generator seeded with `seed`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func categorical(logits: Tensor, axis: Int = -1, seed: UInt64) -> Tensor<Int> {
        var generator = SeededGenerator(seed: seed)
        return categorical(logits: logits, axis: axis, using: &generator)
    }

    /// `count` distinct categories per row (along the last axis), drawn one after another
    /// without replacement, each with probability proportional to its weight among those left,
    /// as `torch.multinomial(weights, count, replacement=False)`.
    ///
    /// By exponential races: category `i` arrives at `eᵢ / wᵢ`, with one exponential `eᵢ`
    /// drawn per element in row-major order, and the first `count` to arrive are drawn, in
    /// order of arrival. A category of weight 0 is never drawn.
    ///
    /// - Parameters:
    ///   - probabilities: non-negative, finite weights of any rank ≥ 1, not necessarily summing to 1.
    ///   - count: how many to draw per row, at most the number of positive weights in each row.
    /// - Returns: indices into the last axis, of the shape of `probabilities` with its last axis of size `count`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func multinomial(probabilities: Tensor, count: Int, using generator: inout SeededGenerator) -> Tensor<Int> {
        checked { () throws(ShapeError) in try probabilities.checkWeights(count: count) }
        let arrivals = probabilities.withBuffer { w in
            w.map { weight in
                let e = generator.nextExponential()
                return weight > 0 ? e / Double(weight) : Double.infinity
            }
        }
        let size = probabilities.shape.last!
        let order = arrivals.withUnsafeBufferPointer { keys in
            sortedLanes(keys, outer: probabilities.count / Swift.max(size, 1), count: size, inner: 1,
                        descending: false, keeping: count)
        }
        return Tensor<Int>(shape: Array(probabilities.shape.dropLast()) + [count], scalars: order.indices)
    }

    /// `count` distinct categories per row, drawn without replacement, from a generator seeded with `seed`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func multinomial(probabilities: Tensor, count: Int, seed: UInt64) -> Tensor<Int> {
        var generator = SeededGenerator(seed: seed)
        return multinomial(probabilities: probabilities, count: count, using: &generator)
    }
}

extension Tensor where Scalar: TensorScalar {
    /// Checks that every element is a probability, in [0, 1].
    func checkProbabilities(op: String) throws(ShapeError) {
        if let i = scalars.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw ShapeError(op, "probability \(self[flat: i]) at flat position \(i) is outside [0, 1]")
        }
    }

    /// Checks logits for `categorical` along `axis`: the resolved axis and the samples' shape.
    func checkLogits(axis: Int) throws(ShapeError) -> (axis: Int, shape: [Int]) {
        let op = "categorical"
        let resolved = try Shapes.axis(axis, rank: rank, op: op)
        guard shape[resolved] > 0 else {
            throw ShapeError(op, "axis \(resolved) of shape \(describe(shape)) has no categories")
        }
        if let i = scalars.firstIndex(where: { $0.isNaN || $0 == .infinity }) {
            throw ShapeError(op, "logit \(self[flat: i]) at flat position \(i) is NaN or +infinity")
        }
        var outShape = shape
        outShape.remove(at: resolved)
        let (_, inner) = Shapes.outerAndInner(shape, around: resolved)
        let allNegativeInfinity = withBuffer { x in
            (0..<Shapes.count(outShape)).first { lane in
                let base = (lane / inner) * shape[resolved] * inner + lane % inner
                return (0..<shape[resolved]).allSatisfy { x[base + $0 * inner] == -.infinity }
            }
        }
        if let lane = allNegativeInfinity {
            throw ShapeError(op, "lane \(lane) of shape \(describe(shape)) along axis \(resolved) is all -infinity")
        }
        return (resolved, outShape)
    }

    /// Checks weights for `multinomial`: non-negative and finite, of rank ≥ 1, with at least
    /// `count` positive weights in each row.
    func checkWeights(count: Int) throws(ShapeError) {
        let op = "multinomial"
        guard let size = shape.last else { throw ShapeError(op, "the weights are 0-d; they need an axis of categories") }
        if let i = scalars.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw ShapeError(op, "weight \(self[flat: i]) at flat position \(i) is negative or not finite")
        }
        guard count >= 0 && count <= size else {
            throw ShapeError(op, "count \(count) is outside 0...\(size) for weights of shape \(describe(shape))")
        }
        let rows = size == 0 ? 0 : self.count / size
        let positive = withBuffer { w in (0..<rows).map { r in (0..<size).count(where: { w[r * size + $0] > 0 }) } }
        if let row = positive.firstIndex(where: { $0 < count }) {
            let n = positive[row]
            throw ShapeError(op, "row \(row) of weights of shape \(describe(shape)) has \(n) positive weight\(n == 1 ? "" : "s"), "
                             + "too few to draw \(count) without replacement")
        }
    }
}
