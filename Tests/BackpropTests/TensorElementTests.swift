import Testing
@testable import Backprop

/// Integer and boolean tensors: the storage, shape and printing code shared with float tensors.
@Suite struct TensorElementTests {
    @Test func integerTensorsShareShapeOps() {
        let ids = Tensor<Int>(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        #expect(ids.shape == [2, 3] && ids.scalars == [0, 1, 2, 3, 4, 5])
        #expect(ids[1, 2] == 5)
        #expect(ids.reshaped([3, -1]).shape == [3, 2])
        #expect(ids.transposed().scalars == [0, 3, 1, 4, 2, 5])
        #expect(ids.permuted([1, 0]) == ids.transposed())
        #expect(ids.slicing(1..<3, axis: -1).scalars == [1, 2, 4, 5])
        #expect(Tensor.concatenated([ids, ids.slicing(0..<1, axis: 1)], axis: 1).scalars == [0, 1, 2, 0, 3, 4, 5, 3])
        #expect(Tensor.stacked([Tensor([1, 2]), Tensor([3, 4])], axis: 1).scalars == [1, 3, 2, 4])
        #expect(Tensor<Int>([7, 8]).broadcast(to: [2, 2]).scalars == [7, 8, 7, 8])
        #expect(ids.expandingDims(axis: 0).squeezed().shape == [2, 3])
        #expect(ids.gathering(indices: [1, 1], axis: 0).scalars == [3, 4, 5, 3, 4, 5])
        #expect(Tensor<Int>.zeros([2]) == Tensor([0, 0]) && Tensor<Int>.ones([1]) == Tensor([1]))
        #expect(ids.description == "[[0 1 2]\n [3 4 5]]")
        #expect(Tensor<Int>(42).scalar == 42 && Tensor<Int>(42).shape == [])
    }

    @Test func booleanTensorsShareShapeOps() {
        let mask = Tensor<Bool>(shape: [2, 2], scalars: [true, false, false, true])
        #expect(mask.transposed() == mask)
        #expect(mask.reshaped([4]).scalars == [true, false, false, true])
        #expect(mask.description == "[[ true false]\n [false  true]]")
        #expect(Tensor([true]).broadcast(to: [3]).scalars == [true, true, true])
        #expect(mask.logicalNot().scalars == [false, true, true, false])
        #expect(mask.logicalAnd(Tensor([true, false])).scalars == [true, false, false, false])
        #expect(mask.logicalOr(Tensor(shape: [2, 1], scalars: [false, true])).scalars == [true, false, true, true])
        #expect(Tensor(true).scalar)
    }

    @Test func copyOnWriteKeepsCopiesApart() {
        var a = Tensor<Int>(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = a
        a[0, 0] = 9
        #expect(a.scalars == [9, 2, 3, 4] && b.scalars == [1, 2, 3, 4])
        var m = Tensor<Bool>(shape: [3], scalars: [true, true, true])
        let n = m
        m[1] = false
        #expect(m.scalars == [true, false, true] && n.scalars == [true, true, true])
    }

    @Test func comparisonsGiveMasks() {
        let x = Tensor<Double>([[1, 5, 3], [4, 2, 6]])
        #expect(x.isGreater(than: Tensor(3)).scalars == [false, true, false, true, false, true])
        #expect(x.isGreaterOrEqual(to: Tensor(3)).scalars == [false, true, true, true, false, true])
        #expect(x.isLess(than: Tensor([2, 5, 4])).scalars == [true, false, true, false, true, false])
        #expect(x.isLessOrEqual(to: Tensor(shape: [2, 1], scalars: [3, 2])).scalars == [true, false, true, false, true, false])
        #expect(x.isEqual(to: Tensor([1, 2, 6])).scalars == [true, false, false, false, true, true])
        #expect(x.isNotEqual(to: Tensor(5)).scalars == [true, false, true, true, true, true])
        #expect(x.isGreater(than: Tensor(3)).shape == [2, 3])
        let labels = Tensor<Int>([0, 2, 1]), predicted = Tensor<Int>([0, 1, 1])
        #expect(predicted.isEqual(to: labels).scalars == [true, false, true])
        #expect(Tensor<Float>([.nan, 1]).isEqual(to: Tensor([.nan, 1])).scalars == [false, true])
    }

    @Test func whichPicksAnyElementType() {
        let mask = Tensor<Bool>([true, false, true])
        #expect(which(mask, Tensor<Int>([1, 2, 3]), Tensor(0)).scalars == [1, 0, 3])
        #expect(which(mask, Tensor<Float>(1), Tensor<Float>([7, 8, 9])).scalars == [1, 8, 1])
        #expect(which(Tensor(shape: [2, 1], scalars: [true, false]), Tensor<Double>([1, 2]), Tensor(0)).scalars == [1, 2, 0, 0])
    }

    @Test func conversionsBetweenAllFourTypes() {
        let x = Tensor<Double>([-1.7, -0.2, 0, 0.5, 2.9])
        #expect(x.converted(to: Int.self).scalars == [-1, 0, 0, 0, 2])       // truncation toward zero
        #expect(x.converted(to: Bool.self).scalars == [true, true, false, true, true])
        #expect(x.converted(to: Float.self).scalars == [-1.7, -0.2, 0, 0.5, 2.9])
        #expect(x.converted(to: Double.self) == x)
        let ids = Tensor<Int>([-3, 0, 1 << 40])
        #expect(ids.converted(to: Double.self).scalars == [-3, 0, 1_099_511_627_776])
        #expect(ids.converted(to: Float.self).scalars == [-3, 0, 1_099_511_627_776])
        #expect(ids.converted(to: Bool.self).scalars == [true, false, true])
        let mask = Tensor<Bool>(shape: [2], scalars: [true, false])
        #expect(mask.converted(to: Int.self).scalars == [1, 0])
        #expect(mask.converted(to: Float.self).scalars == [1, 0])
        #expect(mask.converted(to: Double.self).scalars == [1, 0])
        #expect(Tensor<Float>([3.75]).converted(to: Int.self).scalars == [3])
        #expect(mask.converted(to: Bool.self) == mask)
        #expect(Tensor<Float>(shape: [2, 0], scalars: []).converted(to: Int.self).shape == [2, 0])
    }

    @Test func argmaxAndArgminGiveIntegerTensors() {
        let x = Tensor<Float>([[1, 5, 3], [4, 2, 6]])
        #expect(x.argmax(axis: -1) == Tensor<Int>([1, 2]))
        #expect(x.argmin(axis: 0, keepDims: true) == Tensor<Int>(shape: [1, 3], scalars: [0, 1, 0]))
    }

    @Test func indexTensorsGatherAndPick() {
        let table = Tensor<Double>([[0, 1], [10, 11], [20, 21]])
        let tokens = Tensor<Int>(shape: [2, 2], scalars: [2, 0, 1, 1])
        let rows = table.gathering(indices: tokens, axis: 0)
        #expect(rows.shape == [2, 2, 2] && rows.scalars == [20, 21, 0, 1, 10, 11, 10, 11])
        #expect(table.gathering(indices: Tensor([1, 0]), axis: -1).scalars == [1, 0, 11, 10, 21, 20])

        let weights = Variable(table, requiresGrad: true)
        let picked = weights.gathering(indices: tokens, axis: 0)
        #expect(picked.value == rows)
        picked.sum().backward()
        #expect(weights.grad == Tensor([[1, 1], [2, 2], [1, 1]]))

        let logits = Variable(Tensor<Double>([[1, 2, 3], [4, 5, 6]]), requiresGrad: true)
        let chosen = logits.picking(Tensor<Int>([2, 0]), axis: 1)
        #expect(chosen.value == Tensor([3, 4]))
        chosen.sum().backward()
        #expect(logits.grad == Tensor([[0, 0, 1], [1, 0, 0]]))
    }

    @Test func indexTensorShapeErrors() {
        expectShapeError("picking: indices of shape [3] for [2, 3] along axis 1; expected [2]") { () throws(ShapeError) in
            try checkPicking([2, 3], indices: [3], axis: 1)
        }
    }
}

/// The shape check of `picking(_: Tensor<Int>, axis:)`, run without stopping.
private func checkPicking(_ shape: [Int], indices: [Int], axis: Int) throws(ShapeError) {
    try Shapes.pickingIndices(shape, indices: indices, axis: axis)
}
