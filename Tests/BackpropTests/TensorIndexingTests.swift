import Testing
@testable import Backprop

// takingAlong (torch.gather), scatteringAdd (torch.scatter_add) and filling (masked_fill),
// with results worked out by hand from PyTorch's definitions.

@Suite struct IndexingAlongAnAxis {
    let a = Tensor<Double>([[0, 1, 2], [3, 4, 5]])
    func indices(_ shape: [Int], _ scalars: [Int]) -> Tensor<Int> { Tensor(shape: shape, scalars: scalars) }

    @Test func takingAlongFollowsGather() {
        // axis 1: result[i][j] = a[i][indices[i][j]]; longer than a along the axis, one row only.
        #expect(a.takingAlong(axis: 1, indices: indices([1, 4], [2, 2, 0, 1])) == Tensor([[2, 2, 0, 1]]))
        // axis 0: result[i][j] = a[indices[i][j]][j].
        #expect(a.takingAlong(axis: 0, indices: indices([3, 1], [1, 0, 1])) == Tensor([[3], [0], [3]]))
        #expect(a.takingAlong(axis: -1, indices: indices([2, 2], [0, 0, 2, 1])) == Tensor([[0, 0], [5, 4]]))
        #expect(a.takingAlong(axis: 0, indices: indices([0, 3], [])).shape == [0, 3])
        #expect(Tensor<Int>([7, 8, 9]).takingAlong(axis: 0, indices: Tensor([2, 2, 0])) == Tensor([9, 9, 7]))
        #expect(Tensor<Double>(4).takingAlong(axis: -1, indices: Tensor(0)) == Tensor(4))
        let v = Variable(a).takingAlong(axis: 1, indices: indices([2, 2], [1, 0, 2, 2]))
        #expect(v.value == Tensor([[1, 0], [5, 5]]))
    }

    @Test func takingAlongThreeAxes() {
        // x[i][j][k] = 100i + 10j + k, shape [2, 2, 3]; pick along the middle axis.
        let x = Tensor<Double>(shape: [2, 2, 3], scalars: [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112])
        let picked = x.takingAlong(axis: 1, indices: indices([2, 1, 2], [1, 0, 0, 1]))
        #expect(picked == Tensor(shape: [2, 1, 2], scalars: [10, 1, 100, 111]))
    }

    @Test func scatteringAddFollowsScatterAdd() {
        // torch.zeros(3, 2).scatter_add(0, [[0, 2], [0, 0]], [[1, 2, 9], [3, 4, 9]]):
        // out[0][0] += 1 + 3, out[2][1] += 2, out[0][1] += 4; the column of 9s is not used.
        let values = Tensor<Double>([[1, 2, 9], [3, 4, 9]])
        let index = indices([2, 2], [0, 2, 0, 0])
        #expect(Tensor.zeros([3, 2]).scatteringAdd(axis: 0, indices: index, values: values) == Tensor([[4, 4], [0, 0], [0, 2]]))
        #expect(Tensor.ones([3, 2]).scatteringAdd(axis: -2, indices: index, values: values) == Tensor([[5, 5], [1, 1], [1, 3]]))
        // axis 1: out[i][indices[i][j]] += values[i][j].
        let rows = Tensor<Double>.zeros([2, 4]).scatteringAdd(axis: 1, indices: indices([2, 3], [1, 1, 3, 0, 2, 0]),
                                                             values: Tensor([[1, 2, 3], [4, 5, 6]]))
        #expect(rows == Tensor([[0, 3, 0, 3], [10, 0, 5, 0]]))
        // Counting labels, as torch.bincount does, with integers.
        let counts = Tensor<Int>.zeros([4]).scatteringAdd(axis: 0, indices: Tensor([3, 1, 3, 3]), values: Tensor.ones([4]))
        #expect(counts == Tensor([0, 1, 0, 3]))
        let v = Variable(Tensor<Double>.zeros([3, 2])).scatteringAdd(axis: 0, indices: index, values: Variable(values))
        #expect(v.value == Tensor([[4, 4], [0, 0], [0, 2]]))
    }

    @Test func scatteringAddUndoesTakingAlongForAPermutation() {
        let x = Tensor<Double>.uniform([3, 5], low: -1, high: 1, seed: 11)
        let (sorted, order) = x.sorted(axis: -1)
        #expect(Tensor.zeros([3, 5]).scatteringAdd(axis: 1, indices: order, values: sorted) == x)
    }

    @Test func fillingFollowsMaskedFill() {
        let x = Tensor<Double>([[1, 2, 3], [4, 5, 6]])
        #expect(x.filling(where: Tensor(shape: [2, 1], scalars: [true, false]), with: -1) == Tensor([[-1, -1, -1], [4, 5, 6]]))
        #expect(x.filling(where: Tensor([false, true, false]), with: 0) == Tensor([[1, 0, 3], [4, 0, 6]]))
        #expect(x.filling(where: Tensor(true), with: 7) == Tensor(repeating: 7, shape: [2, 3]))
        let labels = Tensor<Int>([3, -1, 2]).filling(where: Tensor([false, true, false]), with: 0)
        #expect(labels == Tensor([3, 0, 2]))
        let v = Variable(x).filling(where: x.isGreater(than: Tensor(4)), with: -.infinity)
        #expect(v.value.scalars == [1, 2, 3, 4, -.infinity, -.infinity])
    }

    @Test func badIndicesAxesAndShapes() {
        let shape = [2, 3]
        expectShapeError("takingAlong: index 3 is out of range for axis 1 of shape [2, 3] (indices of shape [2, 2])") { () throws(ShapeError) in
            try Shapes.alongAxis(shape, indices: indices([2, 2], [0, 1, 3, 0]), axis: -1, op: "takingAlong")
        }
        expectShapeError("takingAlong: index -1 is out of range for axis 0 of shape [2, 3] (indices of shape [1, 1])") { () throws(ShapeError) in
            try Shapes.alongAxis(shape, indices: indices([1, 1], [-1]), axis: 0, op: "takingAlong")
        }
        expectShapeError("takingAlong: axis 2 is out of range for a tensor of rank 2") { () throws(ShapeError) in
            try Shapes.alongAxis(shape, indices: indices([1, 1], [0]), axis: 2, op: "takingAlong")
        }
        expectShapeError("takingAlong: indices of shape [2] for a tensor of shape [2, 3]: ranks differ") { () throws(ShapeError) in
            try Shapes.alongAxis(shape, indices: indices([2], [0, 1]), axis: 0, op: "takingAlong")
        }
        expectShapeError("takingAlong: indices of shape [3, 1] exceed the tensor's shape [2, 3] at axis 0") { () throws(ShapeError) in
            try Shapes.alongAxis(shape, indices: indices([3, 1], [0, 0, 0]), axis: 1, op: "takingAlong")
        }
        expectShapeError("scatteringAdd: index 2 is out of range for axis 0 of shape [2, 3] (indices of shape [1, 2])") { () throws(ShapeError) in
            try Shapes.scatteringAdd(shape, indices: indices([1, 2], [0, 2]), values: [1, 2], axis: 0)
        }
        expectShapeError("scatteringAdd: values of shape [6] for a tensor of shape [2, 3]: ranks differ") { () throws(ShapeError) in
            try Shapes.scatteringAdd(shape, indices: indices([1, 1], [0]), values: [6], axis: 0)
        }
        expectShapeError("scatteringAdd: indices of shape [1, 3] exceed the values' shape [1, 2] at axis 1") { () throws(ShapeError) in
            try Shapes.scatteringAdd([2, 4], indices: indices([1, 3], [0, 1, 0]), values: [1, 2], axis: 0)
        }
        expectShapeError("scatteringAdd: indices of shape [1, 5] exceed the tensor's shape [2, 4] at axis 1") { () throws(ShapeError) in
            try Shapes.scatteringAdd([2, 4], indices: indices([1, 5], [0, 1, 0, 1, 0]), values: [1, 5], axis: 0)
        }
        expectShapeError("filling: a mask of shape [2, 1, 3] does not broadcast to [2, 3]") { () throws(ShapeError) in
            try Shapes.filling(shape, mask: [2, 1, 3])
        }
        expectShapeError("filling: [2, 3] and [4] do not broadcast: sizes 3 and 4 differ at axis 1") { () throws(ShapeError) in
            try Shapes.filling(shape, mask: [4])
        }
    }

    @Test func takingAlongStopsWithAMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([2, 3])).takingAlong(axis: 1, indices: Tensor(shape: [1, 1], scalars: [5]))
        }
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains("takingAlong: index 5 is out of range for axis 1 of shape [2, 3] (indices of shape [1, 1])"),
                "stderr was: \(stderr)")
    }
}
