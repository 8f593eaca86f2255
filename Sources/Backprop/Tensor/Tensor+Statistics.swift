extension Tensor where Scalar: TensorScalar {
    /// The sum over `axes` (negative ones count from the end); `keepDims` keeps them with size 1.
    /// An empty list sums nothing, as NumPy's `axis=()`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let resolved = checked { () throws(ShapeError) in try Shapes.axes(axes, rank: rank, op: "sum") }
        var total = self
        for axis in resolved.reversed() { total = total.sum(axis: axis, keepDims: true) }
        return keepDims ? total : total.reshaped(Shapes.removing(resolved, from: shape))
    }

    /// The mean over `axes`: their sum divided by the number of elements summed.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let resolved = checked { () throws(ShapeError) in try Shapes.axes(axes, rank: rank, op: "mean") }
        let count = resolved.reduce(1) { $0 * shape[$1] }
        return sum(axes: resolved, keepDims: keepDims) / Scalar(Swift.max(count, 1))
    }

    /// The variance along `axis`: `Σ (x − mean)² / (n − 1)`, or `/ n` when `unbiased` is false.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func variance(axis: Int, unbiased: Bool = true, keepDims: Bool = false) -> Tensor {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: "variance") }
        let n = shape[resolved]
        let deviation = self - mean(axis: resolved, keepDims: true)
        return (deviation * deviation).sum(axis: resolved, keepDims: keepDims) / Scalar(Swift.max(unbiased ? n - 1 : n, 0))
    }

    /// The standard deviation along `axis`: the square root of ``variance(axis:unbiased:keepDims:)``.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func standardDeviation(axis: Int, unbiased: Bool = true, keepDims: Bool = false) -> Tensor {
        sqrt(variance(axis: axis, unbiased: unbiased, keepDims: keepDims))
    }

    /// The product along `axis`: `Πᵢ xᵢ`, 1 for an empty axis.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func product(axis: Int, keepDims: Bool = false) -> Tensor {
        let axis = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: "product") }
        let count = shape[axis]
        let (outer, inner) = Shapes.outerAndInner(shape, around: axis)
        var outShape = shape
        if keepDims { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        return withBuffer { x in
            Tensor(shape: outShape) { out in
                for o in 0..<outer {
                    for i in 0..<inner {
                        var total: Scalar = 1
                        for c in 0..<count { total *= x[(o * count + c) * inner + i] }
                        out[o * inner + i] = total
                    }
                }
            }
        }
    }

    /// The running sum along `axis`: `yᵢ = Σ_{j ≤ i} xⱼ`, as PyTorch's `cumsum`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func cumulativeSum(axis: Int) -> Tensor {
        let axis = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: "cumulativeSum") }
        return cumulativeSum(resolvedAxis: axis, reverse: false)
    }

    /// The running sum along a resolved `axis`, from its end when `reverse` (`yᵢ = Σ_{j ≥ i} xⱼ`).
    func cumulativeSum(resolvedAxis axis: Int, reverse: Bool) -> Tensor {
        let count = shape[axis]
        let (outer, inner) = Shapes.outerAndInner(shape, around: axis)
        return withBuffer { x in
            Tensor(shape: shape) { out in
                // Whole rows of `inner` elements at a time, so the inner loop runs over contiguous memory.
                for o in 0..<outer {
                    for step in 0..<count {
                        let c = reverse ? count - 1 - step : step
                        let row = (o * count + c) * inner
                        if step == 0 {
                            for i in 0..<inner { out[row + i] = x[row + i] }
                        } else {
                            let previous = (o * count + (reverse ? c + 1 : c - 1)) * inner
                            for i in 0..<inner { out[row + i] = out[previous + i] + x[row + i] }
                        }
                    }
                }
            }
        }
    }
}
