extension Tensor {
    /// The same elements in a new shape; one size may be -1, to be inferred.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let resolved = checked { () throws(ShapeError) in try Shapes.reshape(shape, to: newShape) }
        return Tensor(shape: resolved, sharingElementsOf: self)
    }

    /// The axes reordered: axis `i` of the result is axis `permutation[i]` of this tensor.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func permuted(_ permutation: [Int]) -> Tensor {
        let permutation = checked { () throws(ShapeError) in try Shapes.permutation(permutation, rank: rank) }
        let strides = Shapes.strides(shape)
        return strided(shape: permutation.map { shape[$0] }, strides: permutation.map { strides[$0] }, offset: 0)
    }

    /// The last two axes swapped.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func transposed() -> Tensor {
        guard rank >= 2 else { programmerError("transposed: a tensor of shape \(describe(shape)) has fewer than 2 axes") }
        var permutation = Array(0..<rank)
        permutation.swapAt(rank - 1, rank - 2)
        return permuted(permutation)
    }

    /// The tensor repeated along broadcast axes to fill `newShape`, by NumPy's rules.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func broadcast(to newShape: [Int]) -> Tensor {
        let result = checked { () throws(ShapeError) in try Shapes.broadcast(shape, newShape, op: "broadcast(to:)") }
        guard result == newShape else {
            programmerError("broadcast(to:): \(describe(shape)) cannot broadcast to \(describe(newShape))")
        }
        if shape == newShape { return self }
        return strided(shape: newShape, strides: Shapes.broadcastStrides(shape, to: newShape), offset: 0)
    }

    /// ``broadcast(to:)`` in a compiled replay: to the step's traced shape, into its buffer.
    func broadcast(into output: ReusableOutput<Scalar>) -> Tensor {
        let strides = output.broadcastStrides(from: shape)
        return withBuffer { source in
            Tensor(shape: output.shape, reusing: output) { out in
                guard let from = source.baseAddress else { return }
                walkRows(output.shape, strides, strides, strides, count: out.count) { a, _, _, o, n, stride, _, _ in
                    for i in 0..<n { out[o + i] = from[a + i * stride] }
                }
            }
        }
    }

    /// A new axis of size 1 inserted at `axis` (which may be `rank`, or negative).
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func expandingDims(axis: Int) -> Tensor {
        let axis = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank + 1, op: "expandingDims") }
        var newShape = shape
        newShape.insert(1, at: axis)
        return Tensor(shape: newShape, sharingElementsOf: self)
    }

    /// The tensor without the size-1 axis `axis`, or without every size-1 axis when `axis` is nil.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func squeezed(axis: Int? = nil) -> Tensor {
        guard let axis else { return Tensor(shape: shape.filter { $0 != 1 }, sharingElementsOf: self) }
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: "squeezed") }
        guard shape[resolved] == 1 else {
            programmerError("squeezed: axis \(axis) of shape \(describe(shape)) has size \(shape[resolved]), not 1")
        }
        var newShape = shape
        newShape.remove(at: resolved)
        return Tensor(shape: newShape, sharingElementsOf: self)
    }

    /// The elements at positions `range` along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func slicing(_ range: Range<Int>, axis: Int = 0) -> Tensor {
        let axis = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: "slicing") }
        guard range.lowerBound >= 0, range.upperBound <= shape[axis] else {
            programmerError("slicing: range \(range) is out of bounds for axis \(axis) of shape \(describe(shape))")
        }
        var newShape = shape
        newShape[axis] = range.count
        let strides = Shapes.strides(shape)
        return strided(shape: newShape, strides: strides, offset: range.lowerBound * strides[axis])
    }

    /// Joins tensors along `axis`; all other sizes must agree.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func concatenated(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        let (outShape, axis) = checked { () throws(ShapeError) in try Shapes.concatenation(tensors.map(\.shape), axis: axis) }
        let outer = Shapes.count(Array(outShape[..<axis]))
        let blocks = tensors.map { Shapes.count(Array($0.shape[axis...])) }
        let rowWidth = blocks.reduce(0, +)
        return Tensor(shape: outShape) { out in
            var column = 0
            for (tensor, block) in zip(tensors, blocks) {
                tensor.withBuffer { source in
                    guard let from = source.baseAddress, block > 0 else { return }
                    for o in 0..<outer {
                        (out.baseAddress! + o * rowWidth + column).initialize(from: from + o * block, count: block)
                    }
                }
                column += block
            }
        }
    }

    /// Stacks tensors of one shape along a new axis.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func stacked(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        concatenated(tensors.map { $0.expandingDims(axis: axis) }, axis: axis)
    }

    /// Whole slices picked along `axis` by `indices`, as PyTorch's `index_select`; indices may repeat.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func gathering(indices: [Int], axis: Int) -> Tensor {
        let (positions, outShape) = checked { () throws(ShapeError) in try Shapes.gathering(shape, indices: indices, axis: axis) }
        return gathering(flatIndices: positions, shape: outShape)
    }

    /// Whole slices picked along `axis` by an index tensor of any shape, as NumPy's `take`:
    /// the result's shape is `shape[..<axis] + indices.shape + shape[(axis + 1)...]`.
    /// Token ids `[batch, length]` picking rows of `[vocabulary, dimension]` give `[batch, length, dimension]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func gathering(indices: Tensor<Int>, axis: Int) -> Tensor {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: rank, op: "gathering") }
        return gathering(indices: indices.scalars, axis: resolved)
            .reshaped(Shapes.taking(shape, indices: indices.shape, axis: resolved))
    }

    /// `result[i] = flat[indices[i]]`, shaped `shape`; every index valid.
    func gathering(flatIndices indices: [Int], shape newShape: [Int]) -> Tensor {
        withBuffer { source in
            Tensor(shape: newShape) { out in
                for (i, index) in indices.enumerated() { out[i] = source[index] }
            }
        }
    }

    /// A contiguous copy of a strided view of this tensor.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    func strided(shape newShape: [Int], strides: [Int], offset: Int) -> Tensor {
        withBuffer { source in
            Tensor(shape: newShape) { out in
                guard let base = source.baseAddress else { return }
                let from = base + offset
                walkRows(newShape, strides, strides, strides, count: out.count) { a, _, _, o, n, stride, _, _ in
                    for i in 0..<n { out[o + i] = from[a + i * stride] }
                }
            }
        }
    }
}

extension Shapes {
    /// The shape of NumPy's `take` along a resolved `axis` with indices of shape `indices`.
    static func taking(_ shape: [Int], indices: [Int], axis: Int) -> [Int] {
        Array(shape[..<axis]) + indices + Array(shape[(axis + 1)...])
    }

    /// The shape of a concatenation, and its resolved axis.
    static func concatenation(_ shapes: [[Int]], axis: Int, op: String = "concatenated") throws(ShapeError) -> ([Int], Int) {
        guard let first = shapes.first else { throw ShapeError(op, "no tensors to join") }
        let axis = try Shapes.axis(axis, rank: first.count, op: op)
        var result = first
        for shape in shapes.dropFirst() {
            var a = shape, b = first
            guard a.count == b.count else {
                throw ShapeError(op, "\(describe(first)) and \(describe(shape)) differ in rank")
            }
            a[axis] = 0; b[axis] = 0
            guard a == b else {
                throw ShapeError(op, "\(describe(first)) and \(describe(shape)) differ outside axis \(axis)")
            }
            result[axis] += shape[axis]
        }
        return (result, axis)
    }
}

extension Tensor where Scalar: TensorScalar {
    /// A zero tensor of `shape` into which `result.flat[indices[i]] += self.flat[i]` (-1 skipped).
    /// ``scatterAdding(flatIndices:shape:)`` in a compiled replay: to the step's traced shape, into its buffer.
    func scatterAdding(flatIndices indices: [Int], reusing output: ReusableOutput<Scalar>) -> Tensor {
        withBuffer { source in
            indices.withUnsafeBufferPointer { indices in
                Tensor(shape: output.shape, reusing: output) { out in Scalar._run(.scatterAdd(source, indices: indices, out)) }
            }
        }
    }

    func scatterAdding(flatIndices indices: [Int], shape newShape: [Int]) -> Tensor {
        withBuffer { source in
            indices.withUnsafeBufferPointer { indices in
                Tensor(shape: newShape) { out in Scalar._run(.scatterAdd(source, indices: indices, out)) }
            }
        }
    }
}
