// Splitting and padding. Splits are slices, so each piece's VJP is a slice's; padding is a
// primitive whose VJP gathers the gradient back from the interior.

extension Variable {
    /// Consecutive pieces along `axis` of the given sizes, which must add up to the axis's size.
    ///
    /// `[6, 4]` split by sizes `[1, 2, 3]` gives `[1, 4]`, `[2, 4]` and `[3, 4]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func split(sizes: [Int], axis: Int = 0) -> [Variable] {
        let (ranges, axis) = checked { () throws(ShapeError) in try Shapes.split(shape, sizes: sizes, axis: axis) }
        return ranges.map { slicing($0, axis: axis) }
    }

    /// At most `count` consecutive pieces along `axis`, as PyTorch's `chunk`: each of
    /// `⌈n / count⌉` elements, the last one smaller when they do not divide evenly, and fewer
    /// than `count` pieces when there are too few elements (7 in 4 chunks: 2, 2, 2, 1; 5 in 4: 2, 2, 1).
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func chunked(_ count: Int, axis: Int = 0) -> [Variable] {
        let (ranges, axis) = checked { () throws(ShapeError) in try Shapes.chunks(shape, count: count, axis: axis) }
        return ranges.map { slicing($0, axis: axis) }
    }

    /// The variable with `value` added around it: `padding[i]` elements before and after along
    /// axis `i`, one pair per leading axis; the remaining axes are not padded.
    ///
    /// `[2, 3]` padded by `[(1, 1), (0, 2)]` is `[4, 5]`. The gradient is the padded gradient's interior.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func padded(_ padding: [(before: Int, after: Int)], value: Scalar = 0) -> Variable {
        let shape = self.shape
        let (outShape, positions) = checked { () throws(ShapeError) in try Shapes.padding(shape, padding) }
        let result = self.value.padded(to: outShape, positions: positions, value: value)
        return Variable(result, recordedAs: "padded", inputs: [self], savesValues: false) { g, _ in
            [g.gathering(flatIndices: positions, shape: shape)]
        }.traced((outShape, positions, value)) { $0[0].padded(to: $1.0, positions: $1.1, value: $1.2) }
    }
}
