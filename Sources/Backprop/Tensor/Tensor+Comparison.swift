// Comparisons give masks (`Tensor<Bool>`), and masks pick elements (`which`). All broadcast
// by NumPy's rules.

extension Tensor where Scalar: Comparable {
    /// `true` where this tensor's element is greater than the other's.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func isGreater(than other: Tensor) -> Tensor<Bool> { comparing(other, name: "isGreater", >) }

    /// `true` where this tensor's element is at least the other's.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func isGreaterOrEqual(to other: Tensor) -> Tensor<Bool> { comparing(other, name: "isGreaterOrEqual", >=) }

    /// `true` where this tensor's element is less than the other's.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func isLess(than other: Tensor) -> Tensor<Bool> { comparing(other, name: "isLess", <) }

    /// `true` where this tensor's element is at most the other's.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func isLessOrEqual(to other: Tensor) -> Tensor<Bool> { comparing(other, name: "isLessOrEqual", <=) }
}

extension Tensor {
    /// `true` where the elements are equal.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func isEqual(to other: Tensor) -> Tensor<Bool> { comparing(other, name: "isEqual", ==) }

    /// `true` where the elements differ.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    @specialized(where Scalar == Int)
    public func isNotEqual(to other: Tensor) -> Tensor<Bool> { comparing(other, name: "isNotEqual", !=) }

    /// `relation(a, b)` at each broadcast position of this tensor and `other`.
    @inline(__always)
    func comparing(_ other: Tensor, name: String, _ relation: (Scalar, Scalar) -> Bool) -> Tensor<Bool> {
        let outShape = checked { () throws(ShapeError) in try Shapes.broadcast(shape, other.shape, op: name) }
        let lhs = Shapes.broadcastStrides(shape, to: outShape), rhs = Shapes.broadcastStrides(other.shape, to: outShape)
        return withBuffer { a in
            other.withBuffer { b in
                Tensor<Bool>(shape: outShape) { out in
                    guard let a = a.baseAddress, let b = b.baseAddress else { return }
                    walkRows(outShape, lhs, rhs, rhs, count: out.count) { x, y, _, o, n, sx, sy, _ in
                        for i in 0..<n { out[o + i] = relation(a[x + i * sx], b[y + i * sy]) }
                    }
                }
            }
        }
    }
}

extension Tensor where Scalar == Bool {
    /// `true` where this mask is `false`.
    public func logicalNot() -> Tensor { Tensor(shape: shape, scalars: scalars.map { !$0 }) }

    /// `true` where both masks are `true`, broadcasting.
    public func logicalAnd(_ other: Tensor) -> Tensor { comparing(other, name: "logicalAnd") { $0 && $1 } }

    /// `true` where either mask is `true`, broadcasting.
    public func logicalOr(_ other: Tensor) -> Tensor { comparing(other, name: "logicalOr") { $0 || $1 } }
}

/// Picks `a` where `condition` is `true` and `b` elsewhere; all three broadcast together.
///
/// As `torch.where(condition, a, b)`. Works for every element type: masks, labels and values.
@specialized(where S == Float)
@specialized(where S == Double)
@specialized(where S == Int)
public func which<S: TensorElement>(_ condition: Tensor<Bool>, _ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
    let shape = checked { () throws(ShapeError) in
        try Shapes.broadcast(try Shapes.broadcast(condition.shape, a.shape, op: "which"), b.shape, op: "which")
    }
    let (sc, sa, sb) = (Shapes.broadcastStrides(condition.shape, to: shape), Shapes.broadcastStrides(a.shape, to: shape),
                        Shapes.broadcastStrides(b.shape, to: shape))
    return condition.withBuffer { c in
        a.withBuffer { x in
            b.withBuffer { y in
                Tensor(shape: shape) { out in
                    guard let c = c.baseAddress, let x = x.baseAddress, let y = y.baseAddress else { return }
                    walkRows(shape, sc, sa, sb, count: out.count) { ci, xi, yi, o, n, dc, dx, dy in
                        for i in 0..<n { out[o + i] = c[ci + i * dc] ? x[xi + i * dx] : y[yi + i * dy] }
                    }
                }
            }
        }
    }
}

/// Picks `a` where `condition` is non-zero and `b` elsewhere.
@available(*, deprecated, message: "pass a Tensor<Bool> condition, such as x.isGreater(than: y), or mask.converted(to: Bool.self)")
public func which<S: TensorScalar>(_ condition: Tensor<S>, _ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
    which(condition.converted(to: Bool.self), a, b)
}
