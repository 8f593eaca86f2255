import Testing
@testable import Backprop

// Sorted values and indices worked out by hand, with ties and NaN placed as
// torch.sort(stable=True) and torch.topk place them.

@Suite struct Sorting {
    let nan = Double.nan

    @Test func ascendingIsStableWithNaNLast() {
        let x = Tensor<Double>([3, 1, nan, 1, 3, 2])
        let (values, indices) = x.sorted()
        #expect(indices == Tensor<Int>([1, 3, 5, 0, 4, 2]))
        #expect(Array(values.scalars.prefix(5)) == [1, 1, 2, 3, 3])
        #expect(values.scalars[5].isNaN)
    }

    @Test func descendingIsStableWithNaNFirst() {
        let x = Tensor<Double>([3, 1, nan, 1, 3, 2])
        let (values, indices) = x.sorted(descending: true)
        // Equal elements keep their order in either direction: the 3s stay 0 then 4, the 1s 1 then 3.
        #expect(indices == Tensor<Int>([2, 0, 4, 5, 1, 3]))
        #expect(values.scalars[0].isNaN)
        #expect(Array(values.scalars.dropFirst()) == [3, 3, 2, 1, 1])
    }

    @Test func alongTheFirstAxis() {
        let x = Tensor<Float>([[3, 1], [1, 2], [2, 0]])
        for axis in [0, -2] {
            let (values, indices) = x.sorted(axis: axis)
            #expect(values == Tensor([[1, 0], [2, 1], [3, 2]]))
            #expect(indices == Tensor<Int>([[1, 2], [2, 0], [0, 1]]))
        }
        let (values, indices) = x.sorted(axis: 0, descending: true)
        #expect(values == Tensor([[3, 2], [2, 1], [1, 0]]))
        #expect(indices == Tensor<Int>([[0, 1], [2, 0], [1, 2]]))
    }

    @Test func alongTheMiddleAxisOfThree() {
        // [2, 3, 2]: lanes along axis 1 are (0, 4, 2), (5, 1, 3), (9, 9, 7), (6, 8, 6).
        let x = Tensor<Double>(shape: [2, 3, 2], scalars: [0, 5, 4, 1, 2, 3, 9, 6, 9, 8, 7, 6])
        let (values, indices) = x.sorted(axis: 1)
        #expect(values == Tensor(shape: [2, 3, 2], scalars: [0, 1, 2, 3, 4, 5, 7, 6, 9, 6, 9, 8]))
        #expect(indices == Tensor(shape: [2, 3, 2], scalars: [0, 1, 2, 2, 1, 0, 2, 0, 0, 2, 1, 1]))
    }

    @Test func integersAndZeroDimensional() {
        let (values, indices) = Tensor<Int>([5, 2, 5, 1]).sorted(descending: true)
        #expect(values == Tensor<Int>([5, 5, 2, 1]))
        #expect(indices == Tensor<Int>([0, 2, 1, 3]))
        let scalar = Tensor<Double>(3).sorted()
        #expect(scalar.values == Tensor(3) && scalar.indices == Tensor<Int>(0))
        #expect(Tensor<Double>(3).topK(1).indices == Tensor<Int>(0))
    }

    @Test func topKTakesTheLargestInDescendingOrder() {
        let (values, indices) = Tensor<Double>([1, 3, 3, nan, 2, 3]).topK(3)
        #expect(values.scalars[0].isNaN)
        #expect(Array(values.scalars.dropFirst()) == [3, 3])
        #expect(indices == Tensor<Int>([3, 1, 2]))     // ties: the lower position first

        let x = Tensor<Float>([[3, 1], [1, 2], [2, 0]])
        let top = x.topK(2, axis: 0)
        #expect(top.values == Tensor([[3, 2], [2, 1]]))
        #expect(top.indices == Tensor<Int>([[0, 1], [2, 0]]))
        let none = x.topK(0)
        #expect(none.values.shape == [3, 0] && none.indices.shape == [3, 0])
        #expect(x.topK(2).values == x.sorted(descending: true).values)
    }

    @Test func variablesAgreeWithTensors() {
        let x = Tensor<Double>.uniform([3, 4, 5], low: -1, high: 1, seed: 3)
        for axis in [0, 1, -1] {
            let tensor = x.sorted(axis: axis, descending: axis == 1)
            let variable = Variable(x, requiresGrad: true).sorted(axis: axis, descending: axis == 1)
            #expect(variable.values.value == tensor.values && variable.indices == tensor.indices)
            #expect(Variable(x).topK(2, axis: axis).values.value == x.topK(2, axis: axis).values)
        }
        // The values are the input's elements reordered, ascending in each lane.
        let (values, indices) = x.sorted(axis: 1)
        #expect(values == x.takingAlong(axis: 1, indices: indices))
        #expect(values.slicing(1..<4, axis: 1).isGreater(than: values.slicing(0..<3, axis: 1)).scalars.allSatisfy { $0 })
    }

    @Test func badAxesAndCounts() {
        expectShapeError("sorted: axis 2 is out of range for a tensor of rank 2") { () throws(ShapeError) in
            try Shapes.sortLanes([2, 3], axis: 2, keeping: nil, op: "sorted")
        }
        expectShapeError("topK: axis -3 is out of range for a tensor of rank 2") { () throws(ShapeError) in
            try Shapes.sortLanes([2, 3], axis: -3, keeping: 1, op: "topK")
        }
        expectShapeError("topK: k = 4 is outside 0...3 for axis 1 of shape [2, 3]") { () throws(ShapeError) in
            try Shapes.sortLanes([2, 3], axis: -1, keeping: 4, op: "topK")
        }
        expectShapeError("topK: k = -1 is outside 0...2 for axis 0 of shape [2, 3]") { () throws(ShapeError) in
            try Shapes.sortLanes([2, 3], axis: 0, keeping: -1, op: "topK")
        }
    }

    @Test func topKStopsWithAMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Float>(Tensor.zeros([2, 3])).topK(5)
        }
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains("topK: k = 5 is outside 0...3 for axis 1 of shape [2, 3]"), "stderr was: \(stderr)")
    }
}
