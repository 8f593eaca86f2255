// Reductions. `max` and `min` route the gradient to the first extreme element
// (as PyTorch's max(dim) does) through a scatter, which is itself differentiable.

extension Variable {
    /// The sum of all elements, as a 0-d variable.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sum() -> Variable {
        let shape = self.shape
        return Variable(value.sum(), recordedAs: "sum", inputs: [self], savesValues: false) { g, _ in [g.broadcast(to: shape)] }
            .traced { $0[0].sum() }
    }

    /// The sum along `axis` (negative counts from the end); `keepDims` keeps it with size 1.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sum(axis: Int, keepDims: Bool = false) -> Variable {
        let shape = self.shape
        return Variable(value.sum(axis: axis, keepDims: keepDims), recordedAs: "sum", inputs: [self], savesValues: false) { g, _ in
            [(keepDims ? g : g.expandingDims(axis: axis < 0 ? axis + shape.count : axis)).broadcast(to: shape)]
        }.traced((axis, keepDims), reusing: { $0[0].reduce(.sum, axis: $2.0, keepDims: $2.1, name: "sum", reusing: $1) })
    }

    /// Sums over the axes that broadcasting added or stretched, to give `shape` again.
    ///
    /// The VJP of every broadcasting op reduces its gradient through this one helper;
    /// a custom op that broadcasts should too.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func sum(toShape shape: [Int]) -> Variable {
        if self.shape == shape { return self }
        checked { () throws(ShapeError) in
            guard try Shapes.broadcast(shape, self.shape, op: "sum(toShape:)") == self.shape else {
                throw ShapeError("sum(toShape:)", "\(describe(self.shape)) is not a broadcast of \(describe(shape))")
            }
        }
        // Neighbouring axes that are both summed, or both kept, merge into one, so that
        // [N, C, H, W] → [1, C, 1, 1] takes two passes over [N, C, H·W] rather than three.
        let padded = [Int](repeating: 1, count: self.shape.count - shape.count) + shape
        var merged: [(size: Int, summed: Bool)] = []
        for (size, target) in zip(self.shape, padded) {
            let summed = target == 1 && size != 1
            if size == 1 { continue }
            if let last = merged.last, last.summed == summed {
                merged[merged.count - 1].size *= size
            } else {
                merged.append((size, summed))
            }
        }
        var result = reshaped(merged.map(\.size))
        for axis in merged.indices.reversed() where merged[axis].summed { result = result.sum(axis: axis) }
        return result.reshaped(shape)
    }

    /// The mean of all elements, as a 0-d variable.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func mean() -> Variable { sum() / Scalar(Swift.max(value.count, 1)) }

    /// The mean along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func mean(axis: Int, keepDims: Bool = false) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: shape.count, op: "mean") }
        return sum(axis: axis, keepDims: keepDims) / Scalar(Swift.max(shape[resolved], 1))
    }

    /// The largest element, as a 0-d variable. Tied largest elements share the gradient
    /// evenly, as PyTorch's `max()` over every element does.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func max() -> Variable { extremeOfAll(isMax: true) }

    /// The largest element along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func max(axis: Int, keepDims: Bool = false) -> Variable { extreme(.argmax, axis: axis, keepDims: keepDims, name: "max") }

    /// The smallest element, as a 0-d variable. Tied smallest elements share the gradient
    /// evenly, as PyTorch's `min()` over every element does.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func min() -> Variable { extremeOfAll(isMax: false) }

    /// `extreme`, the largest or smallest element, with its gradient shared by the elements equal to it.
    private func extremeOfAll(isMax: Bool) -> Variable {
        Variable(isMax ? value.max() : value.min(), recordedAs: isMax ? "max" : "min", inputs: [self]) { g, output in
            let share = Variable.derivedConstant("ties", from: [output.input(0), output]) {
                let ties = $0[0].isEqual(to: $0[1]).converted(to: Scalar.self)
                return ties / ties.sum()
            }
            return [g * share]
        }.traced(isMax) { $1 ? $0[0].max() : $0[0].min() }
    }

    /// The smallest element along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func min(axis: Int, keepDims: Bool = false) -> Variable { extreme(.argmin, axis: axis, keepDims: keepDims, name: "min") }

    private func extreme(_ op: ReductionKernel, axis: Int, keepDims: Bool, name: String) -> Variable {
        Variable.refuseInTrace("'\(name)(axis:)' has no compiled form yet: its gradient follows positions found from the value")
        let positions = value.extremePositions(op, axis: axis, name: name)
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: shape.count, op: name) }
        var outShape = shape
        if keepDims { outShape[resolved] = 1 } else { outShape.remove(at: resolved) }
        return gathering(flatIndices: positions, shape: outShape, name: name)
    }

    /// `log Σ exp(x)` along `axis`, computed stably by shifting by the maximum.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: shape.count, op: "logSumExp") }
        return Variable(value.logSumExp(axis: resolved, keepDims: keepDims), recordedAs: "logSumExp", inputs: [self]) { g, output in
            // ∂/∂x = softmax(x) = exp(x − logSumExp(x)).
            let expand = { (v: Variable) in keepDims ? v : v.expandingDims(axis: resolved) }
            return [expand(g) * exp(output.input(0) - expand(output))]
        }.traced((resolved, keepDims)) { $0[0].logSumExp(axis: $1.0, keepDims: $1.1) }
    }

    /// `log Σ exp(x)` over all elements, as a 0-d variable.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func logSumExp() -> Variable { reshaped([-1]).logSumExp(axis: 0) }
}

/// The softmax along `axis`: `exp(x − logSumExp(x))`, stable for large logits.
@specialized(where S == Float)
@specialized(where S == Double)
public func softmax<S: TensorScalar>(_ x: Variable<S>, axis: Int = -1) -> Variable<S> {
    exp(logSoftmax(x, axis: axis, name: "softmax"))
}

/// The log-softmax along `axis`: `x − logSumExp(x)`, stable for large logits.
@specialized(where S == Float)
@specialized(where S == Double)
public func logSoftmax<S: TensorScalar>(_ x: Variable<S>, axis: Int = -1) -> Variable<S> {
    logSoftmax(x, axis: axis, name: "logSoftmax")
}

/// A primitive, for speed: one fused kernel (see `logSoftmaxKernel`) instead of seven passes.
private func logSoftmax<S: TensorScalar>(_ x: Variable<S>, axis: Int, name: String) -> Variable<S> {
    let axis = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: x.shape.count, op: name) }
    return Variable(x.value.logSoftmax(axis: axis), recordedAs: "logSoftmax", inputs: [x]) { g, output in
        // ∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ, so the VJP is g − softmax(x) · Σᵢ gᵢ, and softmax(x) = exp(y).
        [g - exp(output) * g.sum(axis: axis, keepDims: true)]
    }.traced(axis, reusing: { $0[0].logSoftmax(axis: $2, reusing: $1) })
}

extension Tensor where Scalar: TensorScalar {
    /// log Σ exp along `axis` (resolved), shifted by each row's maximum so that no exp overflows.
    func logSumExp(axis: Int, keepDims: Bool) -> Tensor {
        let shift = stabilizingShift(axis: axis)
        let result = log((self - shift).map(.exp).sum(axis: axis, keepDims: true)) + shift
        return keepDims ? result : result.squeezed(axis: axis)
    }

    /// The maximum along `axis` (kept), or 0 where it is not finite: what to subtract
    /// before exponentiating so that nothing overflows.
    func stabilizingShift(axis: Int) -> Tensor {
        var shift = max(axis: axis, keepDims: true)
        shift.withMutableBuffer { for i in $0.indices where !$0[i].isFinite { $0[i] = 0 } }
        return shift
    }
}
