import Testing
@testable import Backprop

/// A plain-loop `torch.matmul`: promote vectors, broadcast the batch axes, multiply each pair of matrices.
private func referenceMatmul(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Tensor<Double> {
    let aShape = a.rank == 1 ? [1] + a.shape : a.shape, bShape = b.rank == 1 ? b.shape + [1] : b.shape
    let (m, k, n) = (aShape[aShape.count - 2], aShape[aShape.count - 1], bShape[bShape.count - 1])
    let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
    let batch = try! Shapes.broadcast(aBatch, bBatch, op: "reference")
    let (aStrides, bStrides) = (Shapes.broadcastStrides(aBatch, to: batch), Shapes.broadcastStrides(bBatch, to: batch))
    var out: [Double] = []
    for flat in 0..<Shapes.count(batch) {
        var (rest, aOffset, bOffset) = (flat, 0, 0)
        for axis in batch.indices.reversed() {
            let i = rest % batch[axis]
            rest /= batch[axis]
            aOffset += i * aStrides[axis]
            bOffset += i * bStrides[axis]
        }
        for i in 0..<m {
            for j in 0..<n {
                out.append((0..<k).reduce(0) { $0 + a[flat: aOffset * m * k + i * k + $1] * b[flat: bOffset * k * n + $1 * n + j] })
            }
        }
    }
    let outShape = batch + (a.rank == 1 ? [] : [m]) + (b.rank == 1 ? [] : [n])
    return Tensor(shape: outShape, scalars: out)
}

private func random(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }

@Suite struct MatmulOfAnyRank {
    @Test func vectorProductsByHand() {
        let u = Tensor<Double>([1, 2, 3]), v = Tensor<Double>([4, 5, 6])
        #expect(matmul(u, v) == Tensor(32))
        let m = Tensor<Double>([[1, 2], [3, 4]]), w = Tensor<Double>([5, 6])
        #expect(matmul(m, w) == Tensor([17, 39]))            // [1·5 + 2·6, 3·5 + 4·6]
        #expect(matmul(w, m) == Tensor([23, 34]))            // [5·1 + 6·3, 5·2 + 6·4]
        let y = matmul(Variable(u, requiresGrad: true), Variable(v))
        #expect(y.shape == [] && y.scalar == 32)
    }

    @Test(arguments: [
        ([3], [3]), ([2, 3], [3]), ([3], [3, 4]), ([2, 2, 3], [3]), ([3], [2, 3, 4]), ([2, 3], [3, 4]),
        ([2, 3, 4], [2, 4, 5]), ([2, 3, 4], [4, 5]), ([2, 2, 3, 4], [2, 2, 4, 5]), ([2, 2, 3, 4], [4, 5]),
        ([1, 2, 3, 4], [3, 1, 4, 5]), ([3, 4], [2, 4, 5]), ([2, 3, 4], [1, 4, 5]), ([2, 1, 3, 4], [3, 4, 2]),
        ([0, 3, 4], [4, 2]), ([2, 3, 0], [0, 5]),
    ])
    func matchesPlainLoops(_ aShape: [Int], _ bShape: [Int]) {
        let a = random(aShape, 1), b = random(bShape, 2)
        let expected = referenceMatmul(a, b)
        expectClose(matmul(a, b), expected, tolerance: 1e-12)
        let (x, y) = (Variable(a, requiresGrad: true), Variable(b, requiresGrad: true))
        let product = matmul(x, y)
        expectClose(product.value, expected, tolerance: 1e-12)
        product.sum().backward()
        #expect(x.grad?.shape == aShape && y.grad?.shape == bShape)
    }

    @Test func broadcastBatchGradientIsSummedOverTheBatch() {
        // Every batch entry of a uses the one matrix b, so b's gradient is the sum of the entries' gradients.
        let a = Variable(random([3, 2, 4], 3)), b = Variable(random([1, 4, 5], 4), requiresGrad: true)
        matmul(a, b).sum().backward()
        var expected = Tensor<Double>.zeros([4, 5])
        for i in 0..<3 { expected += matmul(a.value.slicing(i..<(i + 1)).reshaped([2, 4]).transposed(), Tensor.ones([2, 5])) }
        expectClose(b.grad!, expected.reshaped([1, 4, 5]), tolerance: 1e-12)
    }

    @Test func hotShapesRunOneGEMMWithoutCopies() throws {
        // [b, t, d] × [d, e]: the rows of every batch entry stacked into one tall matrix.
        let plan = try Shapes.matmulPlan([2, 3, 4], [4, 5])
        #expect(plan.left == .init(shape: [2, 3, 4], broadcast: nil, flat: [6, 4]))
        #expect(plan.right == .init(shape: [4, 5], broadcast: nil, flat: [4, 5]) && plan.outShape == [2, 3, 5])
        // Equal batch axes: a batched GEMM, no broadcast.
        let attention = try Shapes.matmulPlan([2, 4, 3, 8], [2, 4, 8, 3])
        #expect(attention.left.broadcast == nil && attention.right.broadcast == nil)
        #expect(attention.left.flat == [8, 3, 8] && attention.outShape == [2, 4, 3, 3])
        // Stretched batch axes: both operands are broadcast to [b, h].
        let stretched = try Shapes.matmulPlan([1, 4, 3, 8], [2, 1, 8, 5])
        #expect(stretched.left.broadcast == [2, 4, 3, 8] && stretched.right.broadcast == [2, 4, 8, 5])
    }

    @Test func errorsNameTheShapes() {
        expectShapeError("matmul: [2, 3] × [4]: inner dimensions 3 and 4 differ") { () throws(ShapeError) in
            try Shapes.matmulPlan([2, 3], [4])
        }
        expectShapeError("matmul: [] × [3]: a 0-d operand has no matrix axes; multiply by a scalar instead") { () throws(ShapeError) in
            try Shapes.matmulPlan([], [3])
        }
        expectShapeError("matmul: [2, 3, 4] × [3, 4, 5]: batch axes [2] and [3] do not broadcast") { () throws(ShapeError) in
            try Shapes.matmulPlan([2, 3, 4], [3, 4, 5])
        }
    }
}
