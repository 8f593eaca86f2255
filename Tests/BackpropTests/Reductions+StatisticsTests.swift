import Testing
@testable import Backprop

@Suite struct MultiAxisReductionsAndStatistics {
    let x = Tensor<Double>(shape: [2, 3, 2], scalars: (1...12).map(Double.init))

    @Test func sumAndMeanOverSeveralAxes() {
        // x[i, j, k] = 6i + 2j + k + 1.
        let expected: [Double] = [1 + 2 + 7 + 8, 3 + 4 + 9 + 10, 5 + 6 + 11 + 12]
        #expect(x.sum(axes: [0, 2]) == Tensor(expected))
        #expect(x.sum(axes: [-1, 0], keepDims: true) == Tensor(shape: [1, 3, 1], scalars: [18, 26, 34]))
        #expect(x.sum(axes: [0, 1, 2]) == Tensor(78) && x.sum(axes: []) == x)
        #expect(x.mean(axes: [1, 2]) == Tensor([3.5, 9.5]))
        let v = Variable(x, requiresGrad: true)
        #expect(v.sum(axes: [0, 2]).value == x.sum(axes: [0, 2]))
        #expect(v.mean(axes: [-2], keepDims: true).value == x.mean(axis: 1, keepDims: true))
        v.mean(axes: [0, 2]).sum().backward()
        #expect(v.grad == Tensor(repeating: 0.25, shape: [2, 3, 2]))
    }

    @Test func varianceAndStandardDeviationInClosedForm() {
        let values = Tensor<Double>([1, 2, 3, 4])           // mean 2.5, squared deviations sum to 5
        expectClose(values.variance(axis: 0).scalar, 5.0 / 3)
        expectClose(values.variance(axis: 0, unbiased: false).scalar, 1.25)
        expectClose(values.standardDeviation(axis: -1).scalar, (5.0 / 3).squareRoot())
        let rows = Tensor<Double>([[1, 2, 3, 4], [2, 2, 2, 2]])
        expectClose(rows.variance(axis: 1, keepDims: true), Tensor(shape: [2, 1], scalars: [5.0 / 3, 0]))
        expectClose(rows.variance(axis: 0), Tensor([0.5, 0, 0.5, 2]))
        let v = Variable(values, requiresGrad: true)
        expectClose(v.variance(axis: 0).scalar, 5.0 / 3)
        // ∂var/∂xᵢ = 2 (xᵢ − mean) / (n − 1).
        v.variance(axis: 0).backward()
        expectClose(v.grad!, Tensor([-1, -1.0 / 3, 1.0 / 3, 1]), tolerance: 1e-12)
        #expect(Tensor<Double>([7]).variance(axis: 0).scalar.isNaN)     // n − 1 = 0, as in PyTorch
    }

    @Test func productWithOneAndTwoZeros() throws {
        let x = Variable(Tensor<Double>([[2, 0, 3], [0, 0, 5], [1, 2, 3]]), requiresGrad: true)
        let p = x.product(axis: 1)
        #expect(p.value == Tensor([0, 0, 6]))
        let first = try #require(gradients(of: p.sum(), wrt: [x], createGraph: true).first)
        // ∂/∂xⱼ is the product of the others: only the zero of a row with one zero gets a non-zero
        // gradient; a row with two zeros gets none.
        #expect(first.value == Tensor([[0, 6, 0], [0, 0, 0], [6, 3, 2]]))
        // ∂²/∂xⱼ∂xₖ is the product of the elements other than j and k.
        let second = try #require(gradients(of: first.slicing(0..<1).sum() + first.slicing(1..<2).sum(), wrt: [x]).first)
        // Row 0: [x₀₁ + x₀₂, x₀₀ + x₀₂, x₀₀ + x₀₁]; row 1 likewise; row 2 is not differentiated again.
        #expect(second.value == Tensor([[3, 5, 2], [5, 5, 0], [0, 0, 0]]))
        #expect(Tensor<Double>([[2, 0, 3], [0, 0, 5], [1, 2, 3]]).product(axis: 1) == Tensor([0, 0, 6]))
        #expect(Tensor<Double>([1, 2, 3, 4, 5]).product(axis: 0, keepDims: true) == Tensor([120]))
        #expect(Variable(Tensor<Double>(shape: [2, 0], scalars: [])).product(axis: 1).value == Tensor([1, 1]))
    }

    @Test func cumulativeSumValuesAndGradient() {
        #expect(Tensor<Double>([1, 2, 3, 4]).cumulativeSum(axis: 0) == Tensor([1, 3, 6, 10]))
        let m = Tensor<Double>([[1, 2, 3], [4, 5, 6]])
        #expect(m.cumulativeSum(axis: 0) == Tensor([[1, 2, 3], [5, 7, 9]]))
        #expect(m.cumulativeSum(axis: -1) == Tensor([[1, 3, 6], [4, 9, 15]]))
        let v = Variable(Tensor<Double>([1, 2, 3, 4]), requiresGrad: true)
        // x₁ reaches all four running sums, x₄ only the last.
        v.cumulativeSum(axis: 0).backward(seed: Tensor([1, 10, 100, 1000]))
        #expect(v.grad == Tensor([1111, 1110, 1100, 1000]))
    }

    @Test func errorsNameTheOp() {
        expectShapeError("sum: axes [0, -2] name axis 0 twice") { () throws(ShapeError) in try Shapes.axes([0, -2], rank: 2, op: "sum") }
        expectShapeError("mean: axis 3 is out of range for a tensor of rank 2") { () throws(ShapeError) in
            try Shapes.axes([1, 3], rank: 2, op: "mean")
        }
    }
}
