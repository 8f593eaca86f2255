import Foundation
import Testing
@_spi(Kernels) @testable import Backprop

/// The error of `actual` in units in the last place of the Float nearest `exact`.
private func ulps(_ actual: Float, _ exact: Double) -> Double {
    let nearest = Float(exact)
    if actual == nearest { return 0 }
    let unit = nearest.isZero || nearest.isSubnormal ? Double(Float.leastNonzeroMagnitude) : Double(nearest.ulp)
    return abs(Double(actual) - exact) / unit
}

/// Inputs across each function's range: a dense grid, powers of two down to subnormals, and
/// the neighbourhoods of the bounds where the formulas switch.
private let inputs: [Float] = {
    var values: [Float] = stride(from: -110, through: 95, by: 0.001).map { Float($0) }
    for exponent in -149...6 {
        let power = Float(sign: .plus, exponent: exponent, significand: 1)
        values += [power, -power, power.nextUp, -power.nextDown]
    }
    for bound: Float in [0.625, 88.72283, -87.33654, -103.97208, 9.01] {
        var (below, above) = (bound, bound)
        for _ in 0..<64 { below = below.nextDown; above = above.nextUp; values += [below, above, -below, -above] }
    }
    return values
}()

/// The largest error of a Float tensor function over `inputs`, against the Double function.
private func largestError(_ function: (Tensor<Float>) -> Tensor<Float>, _ exact: (Double) -> Double) -> Double {
    let results = function(Tensor(inputs)).scalars
    return zip(inputs, results).map { ulps($1, exact(Double($0))) }.max() ?? .infinity
}

private func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }

@Suite struct VectorMathKernels {
    // Measured over these inputs: exp 0.93 units in the last place, tanh 1.12, sigmoid 1.96.
    // glibc's expf: 0.50; its tanhf: 1.89.
    @Test func expIsWithinOneUnitInTheLastPlace() {
        #expect(largestError(exp, Foundation.exp) <= 1)
    }

    @Test func tanhIsWithinOneAndAHalfUnitsInTheLastPlace() {
        #expect(largestError(tanh, Foundation.tanh) <= 1.5)
    }

    @Test func sigmoidIsWithinTwoUnitsInTheLastPlace() {
        #expect(largestError(sigmoid, sigmoid) <= 2)
    }

    @Test func logSoftmaxIsWithinTwoUnitsOfTheDoubleResult() {
        let logits = Tensor<Float>.uniform([64, 37], low: -30, high: 30, seed: 3)
        let actual = logits.logSoftmax(axis: 1).scalars
        let exact = logits.converted(to: Double.self).logSoftmax(axis: 1).scalars
        // In units in the last place of the result, or of 1 for results nearer 0.
        let worst = zip(actual, exact).map { abs(Double($0) - $1) / Double(Swift.max(abs(Float($1)), 1).ulp) }.max()
        #expect((worst ?? .infinity) <= 2)
    }

    @Test func specialValues() {
        let x: [Float] = [.infinity, -.infinity, .nan, 0, -0.0, 89, -104, 88.72, 1e-30]
        let e = exp(Tensor(x)).scalars, t = tanh(Tensor(x)).scalars, s = sigmoid(Tensor(x)).scalars
        #expect(e[0] == .infinity && e[1] == 0 && e[2].isNaN && e[3] == 1 && e[4] == 1 && e[5] == .infinity && e[6] == 0)
        #expect(e[7].isFinite && e[7] > 3.3e38 && e[8] == 1)
        #expect(t[0] == 1 && t[1] == -1 && t[2].isNaN && t[8] == 1e-30)
        #expect(t[3] == 0 && t[3].sign == .plus && t[4] == 0 && t[4].sign == .minus)
        #expect(s[0] == 1 && s[1] == 0 && s[2].isNaN && s[3] == 0.5)
    }

    /// An element's result is the same wherever it sits: in a buffer's whole vectors or its
    /// padded tail, in any thread's chunk, and after a fused bias-add.
    @Test func resultsDoNotDependOnPosition() {
        let values: [Float] = (0..<40_001).map { Float($0 % 997) * 0.013 - 6 }
        for function in [exp, tanh, sigmoid] as [(Tensor<Float>) -> Tensor<Float>] {
            let reference = function(Tensor(values)).scalars
            for length in [2, 7, 8, 9, 17] {
                let part = function(Tensor(Array(values[3..<(3 + length)]))).scalars
                #expect(part == Array(reference[3..<(3 + length)]), "length \(length)")
            }
            for threads in [1, 2, 3] {
                #expect(withThreads(threads) { function(Tensor(values)).scalars } == reference, "threads \(threads)")
            }
        }
        let x = Tensor<Float>(shape: [3, 5], scalars: Array(values[0..<15])), bias = Tensor<Float>(Array(values[20..<25]))
        #expect(x.addingBias(bias, then: .tanh).scalars == tanh(x + bias).scalars)
    }
}
