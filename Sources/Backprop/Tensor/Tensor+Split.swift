extension Tensor {
    /// Consecutive pieces along `axis` of the given sizes, which must add up to the axis's size.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let (ranges, axis) = checked { () throws(ShapeError) in try Shapes.split(shape, sizes: sizes, axis: axis) }
        return ranges.map { slicing($0, axis: axis) }
    }

    /// At most `count` consecutive pieces along `axis`, as PyTorch's `chunk`: each of
    /// `⌈n / count⌉` elements, the last one smaller when they do not divide evenly, and fewer
    /// than `count` pieces when there are too few elements.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func chunked(_ count: Int, axis: Int = 0) -> [Tensor] {
        let (ranges, axis) = checked { () throws(ShapeError) in try Shapes.chunks(shape, count: count, axis: axis) }
        return ranges.map { slicing($0, axis: axis) }
    }
}

extension Shapes {
    /// The ranges of a split into pieces of `sizes` along `axis`, and the resolved axis.
    static func split(_ shape: [Int], sizes: [Int], axis: Int) throws(ShapeError) -> ([Range<Int>], Int) {
        let axis = try Shapes.axis(axis, rank: shape.count, op: "split")
        guard !sizes.contains(where: { $0 < 0 }), sizes.reduce(0, +) == shape[axis] else {
            throw ShapeError("split", "sizes \(sizes) do not add up to \(shape[axis]), "
                             + "the size of axis \(axis) of shape \(describe(shape))")
        }
        var start = 0
        let ranges = sizes.map { size in
            defer { start += size }
            return start..<(start + size)
        }
        return (ranges, axis)
    }

    /// The ranges of torch.chunk's pieces along `axis`, and the resolved axis.
    static func chunks(_ shape: [Int], count: Int, axis: Int) throws(ShapeError) -> ([Range<Int>], Int) {
        let axis = try Shapes.axis(axis, rank: shape.count, op: "chunked")
        guard count > 0 else { throw ShapeError("chunked", "\(count) chunks requested; at least 1 is needed") }
        let n = shape[axis]
        // An empty axis gives `count` empty pieces, as PyTorch does.
        if n == 0 { return (Array(repeating: 0..<0, count: count), axis) }
        let size = (n + count - 1) / count
        let ranges = stride(from: 0, to: n, by: size).map { $0..<Swift.min($0 + size, n) }
        return (ranges, axis)
    }
}
