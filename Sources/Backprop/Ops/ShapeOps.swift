// Shape primitives. Indexing ops (slicing, gathering, picking, max) share one
// pair of mutually adjoint primitives: a gather by flat index, whose VJP is a
// scatter-add, and the scatter-add, whose VJP is the gather.

extension Variable {
    /// The same elements in a new shape; one size may be -1, to be inferred.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func reshaped(_ newShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable(value.reshaped(newShape), recordedAs: "reshaped", inputs: [self], savesValues: false) { g, _ in [g.reshaped(shape)] }
            .traced(form: .identity, view: { Tensor(shape: $1.shape, sharingElementsOf: $0[0]) })
    }

    /// The axes reordered: axis `i` of the result is axis `permutation[i]` of this variable.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func permuted(_ permutation: [Int]) -> Variable {
        let result = value.permuted(permutation)
        let resolved = permutation.map { $0 < 0 ? $0 + shape.count : $0 }
        var inverse = [Int](repeating: 0, count: resolved.count)
        for (i, axis) in resolved.enumerated() { inverse[axis] = i }
        return Variable(result, recordedAs: "permuted", inputs: [self], savesValues: false) { g, _ in [g.permuted(inverse)] }
            .traced(permutation) { $0[0].permuted($1) }
    }

    /// The last two axes swapped.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func transposed() -> Variable {
        guard shape.count >= 2 else { programmerError("transposed: a variable of shape \(describe(shape)) has fewer than 2 axes") }
        var permutation = Array(0..<shape.count)
        permutation.swapAt(shape.count - 1, shape.count - 2)
        return permuted(permutation)
    }

    /// Repeated along broadcast axes to fill `newShape`, by NumPy's rules.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func broadcast(to newShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable(value.broadcast(to: newShape), recordedAs: "broadcast", inputs: [self], savesValues: false) { g, _ in
            [g.sum(toShape: shape)]
        }.traced(form: .identity, reusing: { $0[0].broadcast(into: $1) })
    }

    /// A new axis of size 1 inserted at `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func expandingDims(axis: Int) -> Variable { reshaped(value.expandingDims(axis: axis).shape) }

    /// Without the size-1 axis `axis`, or without every size-1 axis when `axis` is nil.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func squeezed(axis: Int? = nil) -> Variable { reshaped(value.squeezed(axis: axis).shape) }

    /// The elements at positions `range` along `axis`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func slicing(_ range: Range<Int>, axis: Int = 0) -> Variable {
        let result = value.slicing(range, axis: axis)
        let (positions, _) = checked { () throws(ShapeError) in
            try Shapes.gathering(shape, indices: Array(range), axis: axis)
        }
        return Variable(result, recordedAs: "slicing", inputs: [self], savesValues: false) { [shape] g, _ in
            [g.scatterAdding(flatIndices: positions, shape: shape)]
        }.traced((range, axis)) { $0[0].slicing($1.0, axis: $1.1) }
    }

    /// Joins variables along `axis`; all other sizes must agree.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func concatenated(_ parts: [Variable], axis: Int = 0) -> Variable {
        let result = Tensor.concatenated(parts.map(\.value), axis: axis)
        let resolved = axis < 0 ? axis + result.rank : axis
        let sizes = parts.map { $0.shape[resolved] }
        return Variable(result, recordedAs: "concatenated", inputs: parts, savesValues: false) { g, _ in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.slicing(start..<(start + size), axis: resolved)
            }
        }.traced(axis) { Tensor.concatenated($0, axis: $1) }
    }

    /// Stacks variables of one shape along a new axis.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func stacked(_ parts: [Variable], axis: Int = 0) -> Variable {
        concatenated(parts.map { $0.expandingDims(axis: axis) }, axis: axis)
    }

    /// Whole slices picked along `axis` by `indices`, as PyTorch's `index_select`:
    /// embedding rows, for example. Indices may repeat.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func gathering(indices: [Int], axis: Int) -> Variable {
        let (positions, outShape) = checked { () throws(ShapeError) in
            try Shapes.gathering(shape, indices: indices, axis: axis)
        }
        return gathering(flatIndices: positions, shape: outShape, name: "gathering")
    }

    /// Whole slices picked along `axis` by an index tensor of any shape, as NumPy's `take`:
    /// the result's shape is `shape[..<axis] + indices.shape + shape[(axis + 1)...]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func gathering(indices: Tensor<Int>, axis: Int) -> Variable {
        let resolved = checked { () throws(ShapeError) in try Shapes.axis(axis, rank: shape.count, op: "gathering") }
        return gathering(indices: indices.scalars, axis: resolved)
            .reshaped(Shapes.taking(shape, indices: indices.shape, axis: resolved))
    }

    /// One element per position of the other axes, picked along `axis` by `indices`,
    /// as NumPy's `take_along_axis`: for logits `[N, C]` and labels `[N]`, the `[N]` picked logits.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func picking(_ indices: [Int], axis: Int = -1) -> Variable {
        let (positions, outShape) = checked { () throws(ShapeError) in
            try Shapes.picking(shape, indices: indices, axis: axis)
        }
        return gathering(flatIndices: positions, shape: outShape, name: "picking")
    }

    /// One element per position of the other axes, picked along `axis` by `indices`, whose
    /// shape is this variable's without `axis`: for logits `[N, C]` and labels `[N]`, the `[N]` picked logits.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func picking(_ indices: Tensor<Int>, axis: Int = -1) -> Variable {
        checked { () throws(ShapeError) in try Shapes.pickingIndices(shape, indices: indices.shape, axis: axis) }
        return picking(indices.scalars, axis: axis)
    }

    /// `result[i] = flat[indices[i]]`, shaped `shape`.
    func gathering(flatIndices indices: [Int], shape newShape: [Int], name: String = "gather") -> Variable {
        let shape = self.shape
        return Variable(value.gathering(flatIndices: indices, shape: newShape), recordedAs: name, inputs: [self], savesValues: false) { g, _ in
            [g.scatterAdding(flatIndices: indices, shape: shape)]
        }.traced((indices, newShape)) { $0[0].gathering(flatIndices: $1.0, shape: $1.1) }.notingInTrace(indices)
    }

    /// Zeros of `shape` into which `result.flat[indices[i]] += flat[i]` (index -1 skipped).
    func scatterAdding(flatIndices indices: [Int], shape newShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable(value.scatterAdding(flatIndices: indices, shape: newShape), recordedAs: "scatterAdd", inputs: [self], savesValues: false) { g, _ in
            [g.gathering(flatIndices: indices, shape: shape)]
        }.traced((indices, newShape)) { $0[0].scatterAdding(flatIndices: $1.0, shape: $1.1) }.notingInTrace(indices)
    }
}

extension Shapes {
    /// Flat source positions and the result shape of an `index_select` along `axis`.
    static func gathering(_ shape: [Int], indices: [Int], axis: Int) throws(ShapeError) -> ([Int], [Int]) {
        let axis = try Shapes.axis(axis, rank: shape.count, op: "gathering")
        if let bad = indices.first(where: { $0 < 0 || $0 >= shape[axis] }) {
            throw ShapeError("gathering", "index \(bad) is out of range for axis \(axis) of shape \(describe(shape))")
        }
        let outer = count(Array(shape[..<axis])), inner = count(Array(shape[(axis + 1)...]))
        var positions: [Int] = []
        positions.reserveCapacity(outer * indices.count * inner)
        for o in 0..<outer {
            for index in indices {
                let start = (o * shape[axis] + index) * inner
                positions.append(contentsOf: start..<(start + inner))
            }
        }
        var outShape = shape
        outShape[axis] = indices.count
        return (positions, outShape)
    }

    /// Checks that an index tensor of shape `indices` holds one index per position of `shape` without `axis`.
    static func pickingIndices(_ shape: [Int], indices: [Int], axis: Int) throws(ShapeError) {
        var expected = shape
        expected.remove(at: try Shapes.axis(axis, rank: shape.count, op: "picking"))
        guard indices == expected else {
            throw ShapeError("picking", "indices of shape \(describe(indices)) for \(describe(shape)) along axis \(axis); "
                             + "expected \(describe(expected))")
        }
    }

    /// Flat source positions and the result shape of a per-position pick along `axis`.
    static func picking(_ shape: [Int], indices: [Int], axis: Int) throws(ShapeError) -> ([Int], [Int]) {
        let axis = try Shapes.axis(axis, rank: shape.count, op: "picking")
        var outShape = shape
        outShape.remove(at: axis)
        guard indices.count == count(outShape) else {
            throw ShapeError("picking", "\(indices.count) indices for shape \(describe(shape)) along axis \(axis); "
                             + "expected one per element of \(describe(outShape))")
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= shape[axis] }) {
            throw ShapeError("picking", "index \(bad) is out of range for axis \(axis) of shape \(describe(shape))")
        }
        let inner = count(Array(shape[(axis + 1)...]))
        let positions = indices.enumerated().map { k, index in
            ((k / inner) * shape[axis] + index) * inner + k % inner
        }
        return (positions, outShape)
    }
}
