extension Tensor where Scalar: TensorScalar {
    /// The tensor with `value` added around it: `padding[i]` elements before and after along
    /// axis `i`, one pair per leading axis; the remaining axes are not padded.
    ///
    /// `[2, 3]` padded by `[(1, 1), (0, 2)]` is `[4, 5]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func padded(_ padding: [(before: Int, after: Int)], value: Scalar = 0) -> Tensor {
        let (outShape, positions) = checked { () throws(ShapeError) in try Shapes.padding(shape, padding) }
        return padded(to: outShape, positions: positions, value: value)
    }

    /// A tensor of `shape` filled with `value`, holding this tensor's elements at `positions`.
    func padded(to newShape: [Int], positions: [Int], value: Scalar) -> Tensor {
        withBuffer { x in
            Tensor(shape: newShape) { out in
                out.initialize(repeating: value)
                for (i, position) in positions.enumerated() { out[position] = x[i] }
            }
        }
    }
}

extension Shapes {
    /// The padded shape, and where each element of the input lands in it (row-major).
    static func padding(_ shape: [Int], _ padding: [(before: Int, after: Int)]) throws(ShapeError) -> ([Int], [Int]) {
        var shown: String { "[" + padding.map { "(\($0.before), \($0.after))" }.joined(separator: ", ") + "]" }
        guard padding.count <= shape.count else {
            throw ShapeError("padded", "\(padding.count) pairs \(shown) for shape \(describe(shape)), which has \(shape.count) axes")
        }
        guard !padding.contains(where: { $0.before < 0 || $0.after < 0 }) else {
            throw ShapeError("padded", "padding \(shown) for shape \(describe(shape)) has a negative size")
        }
        var outShape = shape
        for (axis, pair) in padding.enumerated() { outShape[axis] += pair.before + pair.after }
        // The unpadded trailing axes form contiguous rows, copied whole; walk the padded axes with an odometer.
        let leading = padding.count
        let row = count(Array(shape[leading...]))
        let outStrides = strides(outShape)
        var positions: [Int] = []
        positions.reserveCapacity(count(shape))
        var index = [Int](repeating: 0, count: leading)
        for _ in 0..<count(Array(shape[..<leading])) where row > 0 {
            var start = 0
            for axis in 0..<leading { start += (index[axis] + padding[axis].before) * outStrides[axis] }
            positions.append(contentsOf: start..<(start + row))
            for axis in (0..<leading).reversed() {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
            }
        }
        return (outShape, positions)
    }
}
