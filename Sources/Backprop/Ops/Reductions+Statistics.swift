// Reductions over several axes, and the statistics built on them. All are compositions of
// primitives, so the sweep differentiates them to any order.

extension Variable {
    /// The sum over `axes` (negative ones count from the end); `keepDims` keeps them with size 1.
    /// An empty list sums nothing, as NumPy's `axis=()`.
    ///
    /// Stops with a message if an axis is out of range or repeats.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sum(axes: [Int], keepDims: Bool = false) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axes(axes, rank: shape.count, op: "sum") }
        let kept = Shapes.keepingDims(shape, axes: resolved)
        // sum(toShape:) merges neighbouring summed axes, so [N, C, H, W] over [0, 2, 3] takes two passes.
        let total = sum(toShape: kept)
        return keepDims ? total : total.reshaped(Shapes.removing(resolved, from: shape))
    }

    /// The mean over `axes`: their sum divided by the number of elements summed.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func mean(axes: [Int], keepDims: Bool = false) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axes(axes, rank: shape.count, op: "mean") }
        let count = resolved.reduce(1) { $0 * shape[$1] }
        return sum(axes: resolved, keepDims: keepDims) / Scalar(Swift.max(count, 1))
    }

    /// The variance along `axis`: `Σ (x − mean)² / (n − 1)`, or `/ n` when `unbiased` is false.
    ///
    /// Computed in two passes (the mean first), which keeps it accurate when the mean is large.
    /// With `unbiased` and one element per slice, the result is NaN, as in PyTorch.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func variance(axis: Int, unbiased: Bool = true, keepDims: Bool = false) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: shape.count, op: "variance") }
        let n = shape[resolved]
        let deviation = self - mean(axis: resolved, keepDims: true)
        let squares = (deviation * deviation).sum(axis: resolved, keepDims: keepDims)
        return squares / Scalar(Swift.max(unbiased ? n - 1 : n, 0))
    }

    /// The standard deviation along `axis`: the square root of ``variance(axis:unbiased:keepDims:)``.
    ///
    /// Its gradient is infinite or NaN where every element of a slice is equal, as in PyTorch.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func standardDeviation(axis: Int, unbiased: Bool = true, keepDims: Bool = false) -> Variable {
        sqrt(variance(axis: axis, unbiased: unbiased, keepDims: keepDims))
    }

    /// The product along `axis`: `Πᵢ xᵢ`, 1 for an empty axis.
    ///
    /// Multiplies halves of the axis pairwise, `⌈log₂ n⌉` rounds of elementwise products, so its
    /// gradients are exact even where elements are 0 (where dividing the product by `xᵢ` would
    /// fail), and so are gradients of gradients.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func product(axis: Int, keepDims: Bool = false) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: shape.count, op: "product") }
        if shape[resolved] == 0 {
            var outShape = shape
            outShape[resolved] = 1
            let ones = Variable(Tensor.ones(outShape))
            return keepDims ? ones : ones.squeezed(axis: resolved)
        }
        var x = self
        while x.shape[resolved] > 1 {
            let n = x.shape[resolved], half = n / 2
            let pairs = x.slicing(0..<half, axis: resolved) * x.slicing(half..<(2 * half), axis: resolved)
            x = n.isMultiple(of: 2) ? pairs : Variable.concatenated([pairs, x.slicing((n - 1)..<n, axis: resolved)], axis: resolved)
        }
        return keepDims ? x : x.squeezed(axis: resolved)
    }
}

extension Shapes {
    /// Resolves a list of possibly negative axes against `rank`, sorted; no axis may repeat.
    static func axes(_ axes: [Int], rank: Int, op: String) throws(ShapeError) -> [Int] {
        var resolved: [Int] = []
        for a in axes { resolved.append(try axis(a, rank: rank, op: op)) }
        resolved.sort()
        if let repeated = zip(resolved, resolved.dropFirst()).first(where: { $0 == $1 })?.0 {
            throw ShapeError(op, "axes \(axes) name axis \(repeated) twice")
        }
        return resolved
    }

    /// `shape` with the (resolved) `axes` set to 1.
    static func keepingDims(_ shape: [Int], axes: [Int]) -> [Int] {
        var kept = shape
        for a in axes { kept[a] = 1 }
        return kept
    }

    /// `shape` without the (resolved) `axes`.
    static func removing(_ axes: [Int], from shape: [Int]) -> [Int] {
        shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
    }
}
