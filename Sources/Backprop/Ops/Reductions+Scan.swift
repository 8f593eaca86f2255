// The running sum: a primitive whose VJP is the running sum taken from the other end,
// itself the same primitive, so gradients of any order follow.

extension Variable {
    /// The running sum along `axis` (negative counts from the end): `yᵢ = Σ_{j ≤ i} xⱼ`,
    /// as PyTorch's `cumsum`. The result has this variable's shape.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func cumulativeSum(axis: Int) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: shape.count, op: "cumulativeSum") }
        return cumulativeSum(resolvedAxis: resolved, reverse: false)
    }

    /// The running sum along a resolved `axis`, from its end when `reverse`.
    func cumulativeSum(resolvedAxis axis: Int, reverse: Bool) -> Variable {
        Variable(value.cumulativeSum(resolvedAxis: axis, reverse: reverse), recordedAs: "cumulativeSum", inputs: [self], savesValues: false) { g, _ in
            // xⱼ reaches every yᵢ with i ≥ j, so ∂L/∂xⱼ = Σ_{i ≥ j} gᵢ: the running sum from the other end.
            [g.cumulativeSum(resolvedAxis: axis, reverse: !reverse)]
        }.traced((axis, reverse)) { $0[0].cumulativeSum(resolvedAxis: $1.0, reverse: $1.1) }
    }
}
