extension Tensor where Scalar: TensorScalar {
    /// Reduces one axis with a kernel, viewing the tensor as `[outer, count, inner]`.
    func reduce(_ op: ReductionKernel, axis: Int, keepDims: Bool, name: String,
                reusing output: ReusableOutput<Scalar>? = nil) -> Tensor {
        let axis = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: name) }
        let count = shape[axis]
        if count == 0 && op != .sum {
            programmerError("\(name): axis \(axis) of shape \(describe(shape)) is empty")
        }
        let (outer, inner) = Shapes.outerAndInner(shape, around: axis)
        return withBuffer { x in
            Tensor(shape: Shapes.reducing(shape, axis: axis, keepDims: keepDims), reusing: output) { out in
                Scalar._run(.reduce(op, x, outer: outer, count: count, inner: inner, out))
            }
        }
    }

    /// Reduces every element to a 0-d tensor.
    func reduceAll(_ op: ReductionKernel, name: String) -> Tensor {
        if count == 0 && op != .sum { programmerError("\(name): the tensor of shape \(describe(shape)) is empty") }
        return withBuffer { x in
            Tensor(shape: []) { out in Scalar._run(.reduce(op, x, outer: 1, count: count, inner: 1, out)) }
        }
    }

    /// The sum of all elements, as a 0-d tensor.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sum() -> Tensor { reduceAll(.sum, name: "sum") }

    /// The sum along `axis` (negative counts from the end).
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { reduce(.sum, axis: axis, keepDims: keepDims, name: "sum") }

    /// The mean of all elements, as a 0-d tensor.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func mean() -> Tensor { sum() / Scalar(Swift.max(count, 1)) }

    /// The mean along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: "mean") }
        return sum(axis: axis, keepDims: keepDims) / Scalar(Swift.max(shape[resolved], 1))
    }

    /// The largest element, as a 0-d tensor.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func max() -> Tensor { reduceAll(.max, name: "max") }

    /// The largest element along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { reduce(.max, axis: axis, keepDims: keepDims, name: "max") }

    /// The smallest element, as a 0-d tensor.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func min() -> Tensor { reduceAll(.min, name: "min") }

    /// The smallest element along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { reduce(.min, axis: axis, keepDims: keepDims, name: "min") }

    /// The position of the first largest element along `axis`; a NaN counts as the largest.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor<Int> {
        reduce(.argmax, axis: axis, keepDims: keepDims, name: "argmax").converted(to: Int.self)
    }

    /// The position of the first smallest element along `axis`; a NaN counts as the smallest.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func argmin(axis: Int, keepDims: Bool = false) -> Tensor<Int> {
        reduce(.argmin, axis: axis, keepDims: keepDims, name: "argmin").converted(to: Int.self)
    }

    /// Flat (row-major) positions of the first extreme element along `axis`, one per output element.
    func extremePositions(_ op: ReductionKernel, axis: Int, name: String) -> [Int] {
        let axis = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: name) }
        let positions = reduce(op, axis: axis, keepDims: false, name: name).scalars
        let count = shape[axis]
        let inner = Shapes.outerAndInner(shape, around: axis).inner
        return positions.enumerated().map { k, position in
            let o = k / inner, i = k % inner
            return (o * count + Int(position)) * inner + i
        }
    }
}
