// Indexing along an axis with an index tensor of the input's rank (PyTorch's `gather` and
// `scatter_add`), and filling under a mask (`masked_fill`). Each op resolves its indices to
// flat positions once, so that `Variable` can reuse the differentiable gather and scatter.

extension Tensor {
    /// Elements picked along `axis` by an index tensor of this tensor's rank, as `torch.gather`.
    ///
    /// `result[i][j][k] = self[indices[i][j][k]][j][k]` for `axis` 0, and likewise for other axes.
    /// The result has the shape of `indices`.
    ///
    /// - Parameters:
    ///   - axis: the axis the indices run along; negative counts from the end.
    ///   - indices: of this tensor's rank, no larger than it on every other axis (any size
    ///     along `axis`); each index in `0..<shape[axis]` (negative indices are not counted from the end).
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func takingAlong(axis: Int, indices: Tensor<Int>) -> Tensor {
        let positions = checked { () throws(ShapeError) in
            try Shapes.alongAxis(shape, indices: indices, axis: axis, op: "takingAlong")
        }
        return gathering(flatIndices: positions, shape: indices.shape)
    }

    /// This tensor with `value` wherever `mask` is true, as PyTorch's `masked_fill`.
    ///
    /// - Parameters:
    ///   - mask: broadcasts to this tensor's shape.
    ///   - value: the element written where `mask` is true.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func filling(where mask: Tensor<Bool>, with value: Scalar) -> Tensor {
        checked { () throws(ShapeError) in try Shapes.filling(shape, mask: mask.shape) }
        return which(mask, Tensor(value), self)
    }
}

extension Tensor where Scalar: Numeric {
    /// This tensor with `values` added at the positions `indices` give along `axis`, as `torch.scatter_add`.
    ///
    /// `result[indices[i][j][k]][j][k] += values[i][j][k]` for `axis` 0, and likewise for other
    /// axes, over every position of `indices`; repeated indices add up. Elements of `values`
    /// outside the shape of `indices` are not used.
    ///
    /// - Parameters:
    ///   - axis: the axis the indices run along; negative counts from the end.
    ///   - indices: of this tensor's rank, no larger than `values` on any axis and no larger than
    ///     this tensor on any axis but `axis`; each index in `0..<shape[axis]`.
    ///   - values: of this tensor's rank.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func scatteringAdd(axis: Int, indices: Tensor<Int>, values: Tensor) -> Tensor {
        let (sources, targets) = checked { () throws(ShapeError) in
            try Shapes.scatteringAdd(shape, indices: indices, values: values.shape, axis: axis)
        }
        var result = self
        values.withBuffer { source in
            result.withMutableBuffer { out in
                for (s, t) in zip(sources, targets) { out[t] += source[s] }
            }
        }
        return result
    }
}

extension Shapes {
    /// The flat positions in a tensor of `shape` that `indices` pick along `axis`, by
    /// `torch.gather`'s rule, one per element of `indices` in row-major order.
    static func alongAxis(_ shape: [Int], indices: Tensor<Int>, axis: Int, op: String) throws(ShapeError) -> [Int] {
        let resolved = try Shapes.axis(axis, rank: Swift.max(shape.count, 1), op: op)
        guard indices.rank == shape.count else {
            throw ShapeError(op, "indices of shape \(describe(indices.shape)) for a tensor of shape \(describe(shape)): "
                             + "ranks differ")
        }
        if let d = shape.indices.first(where: { $0 != resolved && indices.shape[$0] > shape[$0] }) {
            throw ShapeError(op, "indices of shape \(describe(indices.shape)) exceed the tensor's shape "
                             + "\(describe(shape)) at axis \(d)")
        }
        let size = shape.isEmpty ? 1 : shape[resolved]
        let strides = Shapes.strides(shape), indexStrides = Shapes.strides(indices.shape)
        var positions: [Int] = []
        positions.reserveCapacity(indices.count)
        for (k, index) in indices.scalars.enumerated() {
            guard index >= 0 && index < size else {
                throw ShapeError(op, "index \(index) is out of range for axis \(resolved) of shape \(describe(shape)) "
                                 + "(indices of shape \(describe(indices.shape)))")
            }
            var rest = k, position = 0
            for d in shape.indices {
                let coordinate = rest / indexStrides[d]
                rest -= coordinate * indexStrides[d]
                position += (d == resolved ? index : coordinate) * strides[d]
            }
            positions.append(position)
        }
        return positions
    }

    /// The flat positions in `values` and in a tensor of `shape` that a `torch.scatter_add`
    /// along `axis` reads from and adds to, one pair per element of `indices`.
    static func scatteringAdd(_ shape: [Int], indices: Tensor<Int>, values: [Int], axis: Int) throws(ShapeError)
        -> (sources: [Int], targets: [Int]) {
        let op = "scatteringAdd"
        guard values.count == shape.count else {
            throw ShapeError(op, "values of shape \(describe(values)) for a tensor of shape \(describe(shape)): ranks differ")
        }
        let targets = try alongAxis(shape, indices: indices, axis: axis, op: op)
        if indices.shape == values { return (Array(0..<indices.count), targets) }
        if let d = values.indices.first(where: { indices.shape[$0] > values[$0] }) {
            throw ShapeError(op, "indices of shape \(describe(indices.shape)) exceed the values' shape "
                             + "\(describe(values)) at axis \(d)")
        }
        return (block(indices.shape, in: values), targets)
    }

    /// The flat positions, in a tensor of `shape`, of the leading block of shape `block`
    /// (no larger on any axis), in the block's row-major order.
    static func block(_ block: [Int], in shape: [Int]) -> [Int] {
        let strides = Shapes.strides(shape), blockStrides = Shapes.strides(block)
        return (0..<count(block)).map { k in
            var rest = k, position = 0
            for d in block.indices {
                let coordinate = rest / blockStrides[d]
                rest -= coordinate * blockStrides[d]
                position += coordinate * strides[d]
            }
            return position
        }
    }

    /// Checks that a mask of shape `mask` broadcasts to `shape` without enlarging it.
    static func filling(_ shape: [Int], mask: [Int]) throws(ShapeError) {
        guard try broadcast(shape, mask, op: "filling") == shape else {
            throw ShapeError("filling", "a mask of shape \(describe(mask)) does not broadcast to \(describe(shape))")
        }
    }
}
