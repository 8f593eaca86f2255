// Sorting and indexing along an axis, composed from the differentiable gather and
// scatter-add by flat index (see Ops/ShapeOps.swift) and `which`: the index computations
// are constants, so the sweep differentiates these ops, to any order, through those primitives.

extension Variable {
    /// The elements sorted along `axis`, and the position along `axis` each came from.
    ///
    /// A stable sort, as `torch.sort(stable=True)`: equal elements keep their order. NaN counts
    /// as larger than every number, as in PyTorch. The gradient of each sorted element flows
    /// to the element it came from.
    ///
    /// - Parameters:
    ///   - axis: the axis to sort along; negative counts from the end.
    ///   - descending: largest first when true.
    /// - Returns: `values` of this variable's shape, and `indices` with
    ///   `values[…, i, …] = self[…, indices[…, i, …], …]` along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sorted(axis: Int = -1, descending: Bool = false) -> (values: Variable, indices: Tensor<Int>) {
        Variable.refuseInTrace("'sorted' has no compiled form yet: its order is found from the value")
        let order = value.sortOrder(axis: axis, descending: descending, keeping: nil, op: "sorted")
        return (gathering(flatIndices: order.positions, shape: order.shape, name: "sorted"), order.indices)
    }

    /// The `k` largest elements along `axis`, largest first, and the position along `axis` each came from.
    ///
    /// As `torch.topk(k, dim=axis)`: NaN counts as the largest value, and of equal values the
    /// one at the lower position comes first. The gradient flows to the selected elements.
    ///
    /// - Parameters:
    ///   - k: how many to keep, from 0 to the size of `axis`.
    ///   - axis: the axis to select along; negative counts from the end.
    /// - Returns: `values` and `indices`, of this variable's shape with `axis` of size `k`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func topK(_ k: Int, axis: Int = -1) -> (values: Variable, indices: Tensor<Int>) {
        Variable.refuseInTrace("'topK' has no compiled form yet: its order is found from the value")
        let order = value.sortOrder(axis: axis, descending: true, keeping: k, op: "topK")
        return (gathering(flatIndices: order.positions, shape: order.shape, name: "topK"), order.indices)
    }

    /// Elements picked along `axis` by an index tensor of this variable's rank, as `torch.gather`.
    ///
    /// `result[i][j][k] = self[indices[i][j][k]][j][k]` for `axis` 0, and likewise for other
    /// axes. The result has the shape of `indices`; gradients of repeated picks add up.
    ///
    /// - Parameters:
    ///   - axis: the axis the indices run along; negative counts from the end.
    ///   - indices: of this variable's rank, no larger than it on every other axis (any size
    ///     along `axis`); each index in `0..<shape[axis]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func takingAlong(axis: Int, indices: Tensor<Int>) -> Variable {
        let positions = checked { () throws(ShapeError) in
            try Shapes.alongAxis(shape, indices: indices, axis: axis, op: "takingAlong")
        }
        return gathering(flatIndices: positions, shape: indices.shape, name: "takingAlong")
    }

    /// This variable with `values` added at the positions `indices` give along `axis`, as `torch.scatter_add`.
    ///
    /// `result[indices[i][j][k]][j][k] += values[i][j][k]` for `axis` 0, and likewise for other
    /// axes; repeated indices add up. Differentiable in both this variable (the gradient passes
    /// through unchanged) and `values` (each used element gets the gradient at its target).
    ///
    /// - Parameters:
    ///   - axis: the axis the indices run along; negative counts from the end.
    ///   - indices: of this variable's rank, no larger than `values` on any axis and no larger
    ///     than this variable on any axis but `axis`; each index in `0..<shape[axis]`.
    ///   - values: of this variable's rank; elements outside the shape of `indices` are not used.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func scatteringAdd(axis: Int, indices: Tensor<Int>, values: Variable) -> Variable {
        let (sources, targets) = checked { () throws(ShapeError) in
            try Shapes.scatteringAdd(shape, indices: indices, values: values.shape, axis: axis)
        }
        let used = indices.shape == values.shape
            ? values.reshaped([-1])
            : values.gathering(flatIndices: sources, shape: [sources.count], name: "takingAlong")
        return self + used.scatterAdding(flatIndices: targets, shape: shape)
    }

    /// This variable with `value` wherever `mask` is true, as PyTorch's `masked_fill`; the
    /// gradient is 0 at the filled positions and passes through elsewhere.
    ///
    /// - Parameters:
    ///   - mask: broadcasts to this variable's shape.
    ///   - value: the element written where `mask` is true, such as `-.infinity` for attention.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func filling(where mask: Tensor<Bool>, with value: Scalar) -> Variable {
        checked { () throws(ShapeError) in try Shapes.filling(shape, mask: mask.shape) }
        return which(mask, Variable(Tensor(value)), self)
    }
}
