import Testing
@testable import Backprop

@Suite struct TensorConstruction {
    @Test func initializersProduceShapeAndScalars() {
        let a = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(a.shape == [2, 3] && a.rank == 2 && a.count == 6)
        #expect(a[1, 2] == 6)
        #expect(Tensor<Double>(2.5).shape == [] && Tensor<Double>(2.5).scalar == 2.5)
        #expect(Tensor<Double>([1, 2, 3]).shape == [3])
        #expect(Tensor<Double>([[1, 2], [3, 4], [5, 6]]) == Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(Tensor<Float>.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor<Float>.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor<Double>(repeating: 7, shape: [2, 1]).scalars == [7, 7])
        #expect(Tensor<Double>(shape: [0, 3], scalars: []).count == 0)
    }

    @Test func inPlaceUpdatesComputeTheFormulaAndLeaveCopiesAlone() {
        var m = Tensor<Double>([1, 2, 3])
        let before = m
        m.update(with: Tensor([10, 20, 30])) { m, g in m = 0.5 * m + 0.25 * g }
        #expect(m.scalars == [3, 6, 9])
        #expect(before.scalars == [1, 2, 3])
        var p = Tensor<Double>([[1, 1], [1, 1]])
        p.update(with: Tensor([[4, 9], [16, 25]]), Tensor([[1, 2], [3, 4]])) { p, v, g in p -= g / v.squareRoot() }
        let expected: [Double] = [(1.0, 2.0), (2, 3), (3, 4), (4, 5)].map { g, root in 1 - g / root }
        #expect(p.scalars == expected)
        #expect(p.shape == [2, 2])
    }

    @Test func copiesAreIndependent() {
        var a = Tensor<Double>([1, 2, 3])
        let b = a
        a[0] = 10
        #expect(b.scalars == [1, 2, 3])
        #expect(a.scalars == [10, 2, 3])
    }

    @Test func seededGeneratorIsSplitMix64() {
        // The reference value from the benchmark data definition.
        var generator = SeededGenerator(seed: 1_234_567)
        #expect(generator.next() == 6_457_827_717_110_365_317)
    }

    @Test func seededGeneratorStateReplaysTheSequence() {
        var generator = SeededGenerator(seed: 9)
        _ = (generator.next(), generator.next())
        let saved = generator.state
        let expected = (0..<3).map { _ in generator.next() }
        var other = SeededGenerator(seed: 10)
        other.state = saved
        #expect((0..<3).map { _ in other.next() } == expected)
        #expect(SeededGenerator(seed: 9).state != saved)      // every draw advances the state
    }

    @Test func randomTensorsAreReproducibleAndDistributed() {
        let a = Tensor<Double>.normal([10_000], mean: 2, standardDeviation: 3, seed: 42)
        #expect(a == Tensor<Double>.normal([10_000], mean: 2, standardDeviation: 3, seed: 42))
        #expect(a != Tensor<Double>.normal([10_000], mean: 2, standardDeviation: 3, seed: 43))
        let mean = a.mean().scalar
        let std = sqrt(pow(a - mean, 2).mean()).scalar
        #expect(Swift.abs(mean - 2) < 0.1 && Swift.abs(std - 3) < 0.1)
        let u = Tensor<Float>.uniform([10_000], low: -1, high: 3, seed: 1)
        #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(Swift.abs(u.mean().scalar - 1) < 0.05)
    }

    @Test func portableLogMatchesTheSystemLog() {
        for x in [1e-300, 0.001, 0.5, 0.7, 1, 1.5, 2, 10, 12345.678, 1e300] {
            expectClose(portableLog(x), Double.log(x), tolerance: 1e-15 * Swift.max(1, Swift.abs(Double.log(x))))
        }
    }
}

@Suite struct TensorArithmetic {
    @Test func broadcastingFollowsNumPy() {
        let column = Tensor<Double>(shape: [3, 1], scalars: [1, 2, 3])
        let row = Tensor<Double>([10, 20])
        #expect(column + row == Tensor([[11, 21], [12, 22], [13, 23]]))
        #expect((row * column).shape == [3, 2])
        let cube = Tensor<Double>.ones([2, 1, 4])
        #expect((cube - Tensor.ones([3, 1])).shape == [2, 3, 4])
        #expect(Tensor<Double>(2) * row == Tensor([20, 40]))
        #expect(1 / Tensor<Double>([2, 4]) == Tensor([0.5, 0.25]))
        #expect(10 - row == Tensor([0, -10]))
    }

    @Test func elementwiseMath() {
        let x = Tensor<Double>([-1, 0, 2])
        #expect(relu(x) == Tensor([0, 0, 2]))
        #expect(abs(x) == Tensor([1, 0, 2]))
        #expect(x.clamped(min: -0.5, max: 1) == Tensor([-0.5, 0, 1]))
        #expect(maximum(x, Tensor(0.5)) == Tensor([0.5, 0.5, 2]))
        expectClose(sigmoid(Tensor<Double>([-1000, 0, 1000])), Tensor([0, 0.5, 1]))
        expectClose(exp(Tensor<Double>([0, 1])), Tensor([1, 2.718281828459045]))
        #expect(which(x.isGreater(than: Tensor(0)), x, -x) == Tensor([1, 0, 2]))
        #expect(which(Tensor([true, false]), Tensor([1, 2]), Tensor(-Double.infinity)) == Tensor([1, -.infinity]))
    }

    @Test func reductions() {
        let x = Tensor<Double>([[1, 5, 3], [4, 2, 6]])
        #expect(x.sum().scalar == 21)
        #expect(x.sum(axis: 0) == Tensor([5, 7, 9]))
        #expect(x.sum(axis: -1, keepDims: true) == Tensor(shape: [2, 1], scalars: [9, 12]))
        #expect(x.max(axis: 1) == Tensor([5, 6]))
        #expect(x.min(axis: 0) == Tensor([1, 2, 3]))
        #expect(x.argmax(axis: 1) == Tensor([1, 2]))
        #expect(x.argmin(axis: 0) == Tensor([0, 1, 0]))
        #expect(x.argmax(axis: 0, keepDims: true) == Tensor(shape: [1, 3], scalars: [1, 0, 1]))
        #expect(x.mean(axis: 0) == Tensor([2.5, 3.5, 4.5]))
        #expect(x.max().scalar == 6 && x.min().scalar == 1)
        #expect(Tensor<Double>([1, .nan, 3]).max().scalar.isNaN)
    }

    @Test func shapeOperations() {
        let x = Tensor<Double>(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        #expect(x.reshaped([3, -1]).shape == [3, 2])
        #expect(x.transposed() == Tensor([[0, 3], [1, 4], [2, 5]]))
        let cube = Tensor<Double>(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        let permuted = cube.permuted([2, 0, 1])
        #expect(permuted.shape == [4, 2, 3])
        #expect(permuted[3, 1, 2] == cube[1, 2, 3])
        #expect(Tensor<Double>([1, 2]).broadcast(to: [2, 2]) == Tensor([[1, 2], [1, 2]]))
        #expect(x.expandingDims(axis: -1).shape == [2, 3, 1])
        #expect(x.expandingDims(axis: 0).squeezed().shape == [2, 3])
        #expect(x.slicing(1..<3, axis: 1) == Tensor([[1, 2], [4, 5]]))
        #expect(Tensor.concatenated([x, x.slicing(0..<1, axis: 1)], axis: 1) == Tensor([[0, 1, 2, 0], [3, 4, 5, 3]]))
        #expect(Tensor.stacked([Tensor<Double>([1, 2]), Tensor([3, 4])], axis: 1) == Tensor([[1, 3], [2, 4]]))
        #expect(x.gathering(indices: [2, 0, 2], axis: 1) == Tensor([[2, 0, 2], [5, 3, 5]]))
    }

    @Test func matmulAgainstHandComputedProducts() {
        let a = Tensor<Double>([[1, 2, 3], [4, 5, 6]])
        let b = Tensor<Double>([[7, 8], [9, 10], [11, 12]])
        #expect(matmul(a, b) == Tensor([[58, 64], [139, 154]]))
        #expect(matmul(a, transposed: true, a, transposed: false) == matmul(a.transposed(), a))
        #expect(matmul(b, transposed: true, a, transposed: true) == matmul(b.transposed(), a.transposed()))
        let batched = matmul(Tensor.stacked([a, a * 2]), Tensor.stacked([b, b]))
        #expect(batched.shape == [2, 2, 2])
        #expect(batched.slicing(1..<2).reshaped([2, 2]) == Tensor([[116, 128], [278, 308]]))
    }

    @Test func matmulMatchesNaiveReferenceOnOddSizes() {
        for (m, n, k) in [(1, 1, 1), (7, 5, 3), (17, 13, 29)] {
            let a = Tensor<Float>.uniform([m, k], low: -1, high: 1, seed: 1)
            let b = Tensor<Float>.uniform([k, n], low: -1, high: 1, seed: 2)
            var expected = [Float](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[i, p] * b[p, j] } } }
            expectClose(matmul(a, b), Tensor(shape: [m, n], scalars: expected), tolerance: 1e-5)
        }
    }
}

@Suite struct TensorDescription {
    @Test func printsLikeNumPy() {
        #expect(Tensor<Double>(1.5).description == "1.5")
        #expect(Tensor<Double>([1, 2.5, -3]).description == "[ 1.0  2.5 -3.0]")
        #expect(Tensor<Float>([[1, 2], [3, 4]]).description == "[[1.0 2.0]\n [3.0 4.0]]")
        let cube = Tensor<Double>(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        #expect(cube.description == "[[[1.0 2.0]]\n\n [[3.0 4.0]]]")
    }

    @Test func abbreviatesLargeTensors() {
        let big = Tensor<Double>(shape: [2000], scalars: (0..<2000).map(Double.init))
        #expect(big.description == "[   0.0    1.0    2.0 ... 1997.0 1998.0 1999.0]")
        let wide = Tensor<Double>.zeros([100, 100]).description
        #expect(wide.split(separator: "\n").count == 7)
    }
}
