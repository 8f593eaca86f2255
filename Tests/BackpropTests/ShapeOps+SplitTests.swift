import Testing
@testable import Backprop

@Suite struct SplittingAndPadding {
    @Test func splitAndChunkedPieces() {
        let x = Tensor<Double>(shape: [2, 5], scalars: (0..<10).map(Double.init))
        let pieces = x.split(sizes: [2, 0, 3], axis: -1)
        #expect(pieces.map(\.shape) == [[2, 2], [2, 0], [2, 3]])
        #expect(pieces[2] == Tensor([[2, 3, 4], [7, 8, 9]]))
        // torch.chunk: pieces of ⌈n / count⌉, the last smaller, fewer pieces when n is small.
        func sizes(_ n: Int, _ count: Int) -> [Int] { Tensor<Double>.zeros([n]).chunked(count).map { $0.shape[0] } }
        #expect(sizes(7, 4) == [2, 2, 2, 1] && sizes(5, 4) == [2, 2, 1] && sizes(6, 3) == [2, 2, 2] && sizes(2, 5) == [1, 1])
        #expect(sizes(0, 3) == [0, 0, 0])
        let v = Variable(x, requiresGrad: true)
        let chunks = v.chunked(2, axis: 1)
        #expect(chunks.map(\.shape) == [[2, 3], [2, 2]] && chunks[1].value == Tensor([[3, 4], [8, 9]]))
        (chunks[1] * 2).sum().backward()
        #expect(v.grad == Tensor([[0, 0, 0, 2, 2], [0, 0, 0, 2, 2]]))
    }

    @Test func paddedValuesAndGradient() {
        let x = Tensor<Double>([[1, 2], [3, 4]])
        #expect(x.padded([(before: 1, after: 0), (before: 0, after: 2)], value: 9)
                == Tensor([[9, 9, 9, 9], [1, 2, 9, 9], [3, 4, 9, 9]]))
        #expect(x.padded([(before: 0, after: 1)]) == Tensor([[1, 2], [3, 4], [0, 0]]))     // only the leading axis
        let v = Variable(x, requiresGrad: true)
        let y = v.padded([(1, 1), (1, 1)], value: -1)
        #expect(y.shape == [4, 4] && y.value.sum().scalar == 10 - 12)
        y.backward(seed: Tensor(shape: [4, 4], scalars: (1...16).map(Double.init)))
        #expect(v.grad == Tensor([[6, 7], [10, 11]]))          // the interior of the seed
    }

    @Test func errorsNameTheOpAndShape() {
        expectShapeError("split: sizes [2, 2] do not add up to 5, the size of axis 1 of shape [2, 5]") { () throws(ShapeError) in
            try Shapes.split([2, 5], sizes: [2, 2], axis: -1)
        }
        expectShapeError("chunked: 0 chunks requested; at least 1 is needed") { () throws(ShapeError) in
            try Shapes.chunks([4], count: 0, axis: 0)
        }
        expectShapeError("padded: 3 pairs [(1, 1), (0, 0), (2, 2)] for shape [2, 3], which has 2 axes") { () throws(ShapeError) in
            try Shapes.padding([2, 3], [(1, 1), (0, 0), (2, 2)])
        }
        expectShapeError("padded: padding [(0, -1)] for shape [2, 3] has a negative size") { () throws(ShapeError) in
            try Shapes.padding([2, 3], [(0, -1)])
        }
    }
}
