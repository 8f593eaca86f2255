// Sorting along an axis. Both ops return the source position of each result element, so
// that `Variable` can route gradients through the differentiable gather by flat index.
// NaN sorts as the largest value, as in PyTorch; equal values keep their order (a stable sort).

extension Tensor where Scalar: Comparable {
    /// The elements sorted along `axis`, and the position along `axis` each came from.
    ///
    /// A stable sort, as `torch.sort(stable=True)`: equal elements keep their order, in
    /// either direction. NaN counts as larger than every number (last when ascending, first
    /// when descending), as in PyTorch. `-0.0` and `0.0` are equal.
    ///
    /// - Parameters:
    ///   - axis: the axis to sort along; negative counts from the end. A 0-d tensor takes -1 or 0.
    ///   - descending: largest first when true.
    /// - Returns: `values` of this tensor's shape, and `indices` with
    ///   `values[…, i, …] = self[…, indices[…, i, …], …]` along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func sorted(axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor<Int>) {
        let order = sortOrder(axis: axis, descending: descending, keeping: nil, op: "sorted")
        return (gathering(flatIndices: order.positions, shape: order.shape), order.indices)
    }

    /// The `k` largest elements along `axis`, largest first, and the position along `axis` each came from.
    ///
    /// As `torch.topk(k, dim=axis)`: the first `k` of a stable descending sort, so NaN
    /// counts as the largest value, and of equal values the one at the lower position
    /// comes first (PyTorch leaves the order of ties unspecified).
    ///
    /// - Parameters:
    ///   - k: how many to keep, from 0 to the size of `axis`.
    ///   - axis: the axis to select along; negative counts from the end.
    /// - Returns: `values` and `indices`, of this tensor's shape with `axis` of size `k`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func topK(_ k: Int, axis: Int = -1) -> (values: Tensor, indices: Tensor<Int>) {
        let order = sortOrder(axis: axis, descending: true, keeping: k, op: "topK")
        return (gathering(flatIndices: order.positions, shape: order.shape), order.indices)
    }

    /// The first `keeping` (or all) elements of each sorted lane along `axis`: their flat
    /// positions in this tensor, their positions along `axis`, and the result's shape.
    func sortOrder(axis: Int, descending: Bool, keeping k: Int?, op: String)
        -> (positions: [Int], indices: Tensor<Int>, shape: [Int]) {
        let lanes = checked { () throws(ShapeError) in try Shapes.sortLanes(shape, axis: axis, keeping: k, op: op) }
        let (positions, indices) = withBuffer { x in
            sortedLanes(x, outer: lanes.outer, count: lanes.count, inner: lanes.inner,
                        descending: descending, keeping: k ?? lanes.count)
        }
        return (positions, Tensor<Int>(shape: lanes.shape, scalars: indices), lanes.shape)
    }
}

/// Sorts each lane of `x`, viewed as `[outer, count, inner]`, along its middle axis, stably,
/// NaN last, and keeps the first `keeping` of each: the flat positions of the kept elements
/// in `x` and their positions within the lane, laid out as `[outer, keeping, inner]`.
func sortedLanes<S: Comparable>(_ x: UnsafeBufferPointer<S>, outer: Int, count: Int, inner: Int,
                                descending: Bool, keeping: Int) -> (positions: [Int], indices: [Int]) {
    var positions = [Int](repeating: 0, count: outer * keeping * inner)
    var indices = positions
    var order = [Int](repeating: 0, count: count)
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * count * inner + i
            for j in 0..<count { order[j] = j }
            order.sort { a, b in
                // A total order, positions breaking ties, so that the result does not
                // depend on whether the library's sort is stable.
                let c = compareNaNLast(x[base + a * inner], x[base + b * inner])
                return (descending ? -c : c) < 0 || (c == 0 && a < b)
            }
            for r in 0..<keeping {
                let t = (o * keeping + r) * inner + i
                indices[t] = order[r]
                positions[t] = base + order[r] * inner
            }
        }
    }
    return (positions, indices)
}

/// -1, 0 or 1 as `a` sorts before, with, or after `b`, NaN after every number and equal to NaN.
@inline(__always)
func compareNaNLast<S: Comparable>(_ a: S, _ b: S) -> Int {
    if a < b { return -1 }
    if b < a { return 1 }
    let (aIsNaN, bIsNaN) = (a != a, b != b)     // only NaN differs from itself
    return aIsNaN == bIsNaN ? 0 : (aIsNaN ? 1 : -1)
}

extension Shapes {
    /// The lanes of a sort along `axis` of `shape`, as `[outer, count, inner]`, and the shape
    /// of the result keeping `k` (or all) of each lane. A 0-d shape is one lane of one element.
    static func sortLanes(_ shape: [Int], axis: Int, keeping k: Int?, op: String) throws(ShapeError)
        -> (outer: Int, count: Int, inner: Int, shape: [Int]) {
        let lanesShape = shape.isEmpty ? [1] : shape
        let resolved = try Shapes.axis(axis, rank: lanesShape.count, op: op)
        let size = lanesShape[resolved]
        let kept = k ?? size
        guard kept >= 0 && kept <= size else {
            throw ShapeError(op, "k = \(kept) is outside 0...\(size) for axis \(resolved) of shape \(describe(shape))")
        }
        var outShape = lanesShape
        outShape[resolved] = kept
        if shape.isEmpty && kept == 1 { outShape = [] }
        let (outer, inner) = outerAndInner(lanesShape, around: resolved)
        return (outer, size, inner, outShape)
    }
}
