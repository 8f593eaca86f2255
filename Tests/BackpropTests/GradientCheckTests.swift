import Testing
@testable import Backprop

/// One primitive op under test: its inputs and the function applying it.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [Tensor<Double>]
    let function: @Sendable ([Variable<Double>]) -> Variable<Double>
    var testDescription: String { name }

    init(_ name: String, _ inputs: [Tensor<Double>], _ function: @escaping @Sendable ([Variable<Double>]) -> Variable<Double>) {
        (self.name, self.inputs, self.function) = (name, inputs, function)
    }
}

private func random(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }
private func positive(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: 0.5, high: 2, seed: seed) }

/// Every primitive op (and the composites built on them), on shapes that broadcast where the op does.
let opCases: [OpCase] = [
    OpCase("add, broadcast [3,1,4] + [2,4]", [random([3, 1, 4], 1), random([2, 4], 2)]) { $0[0] + $0[1] },
    OpCase("add, [3,4] + 0-d", [random([3, 4], 3), random([], 4)]) { $0[0] + $0[1] },
    OpCase("subtract, broadcast [4] − [3,4]", [random([4], 5), random([3, 4], 6)]) { $0[0] - $0[1] },
    OpCase("multiply, broadcast [2,3,1] · [1,4]", [random([2, 3, 1], 7), random([1, 4], 8)]) { $0[0] * $0[1] },
    OpCase("divide, broadcast [3,4] / [3,1]", [random([3, 4], 9), positive([3, 1], 10)]) { $0[0] / $0[1] },
    OpCase("scalar on either side", [random([2, 3], 11)]) { x in
        (2.0 + x[0]) * 3.0 - x[0] / 4.0 + (1.5 - x[0]) * (0.5 * x[0]) + 2.0 / (x[0] + 3.0)
    },
    OpCase("negate", [random([5], 12)]) { -$0[0] },
    OpCase("exp", [random([2, 3], 13)]) { exp($0[0]) },
    OpCase("log", [positive([2, 3], 14)]) { log($0[0]) },
    OpCase("sqrt", [positive([2, 3], 15)]) { sqrt($0[0]) },
    OpCase("pow 3", [random([2, 3], 16)]) { pow($0[0], 3) },
    OpCase("pow −1.5", [positive([4], 17)]) { pow($0[0], -1.5) },
    OpCase("abs", [awayFromZero([3, 4], seed: 18)]) { abs($0[0]) },
    OpCase("sin", [random([3, 4], 19)]) { sin($0[0]) },
    OpCase("cos", [random([3, 4], 20)]) { cos($0[0]) },
    OpCase("tanh", [random([3, 4], 21)]) { tanh($0[0]) },
    OpCase("sigmoid", [random([3, 4], 22) * 4]) { sigmoid($0[0]) },
    OpCase("softplus", [random([3, 4], 23) * 4]) { softplus($0[0]) },
    OpCase("erf", [random([3, 4], 24)]) { erf($0[0]) },
    OpCase("gelu", [random([3, 4], 25) * 3]) { gelu($0[0]) },
    OpCase("relu", [awayFromZero([3, 4], seed: 26)]) { relu($0[0]) },
    OpCase("leakyRelu", [awayFromZero([3, 4], seed: 27)]) { leakyRelu($0[0], negativeSlope: 0.1) },
    OpCase("clamped", [awayFromZero([3, 4], seed: 28)]) { $0[0].clamped(min: -0.5, max: 0.6) },
    OpCase("maximum, broadcast [3,4] and [4]", [random([3, 4], 29), random([4], 30)]) { maximum($0[0], $0[1]) },
    OpCase("minimum, broadcast [3,1] and [3,4]", [random([3, 1], 31), random([3, 4], 32)]) { minimum($0[0], $0[1]) },
    OpCase("which, broadcast mask [3,1]", [random([3, 4], 33), random([4], 34)]) { x in
        which(Tensor(shape: [3, 1], scalars: [true, false, true]), x[0], x[1])
    },
    OpCase("sum", [random([2, 3, 4], 35)]) { $0[0].sum() },
    OpCase("sum axis 1", [random([2, 3, 4], 36)]) { $0[0].sum(axis: 1) },
    OpCase("sum axis −1 keepDims", [random([2, 3, 4], 37)]) { $0[0].sum(axis: -1, keepDims: true) },
    OpCase("mean", [random([2, 3], 38)]) { $0[0].mean() },
    OpCase("mean axis 0 keepDims", [random([2, 3], 39)]) { $0[0].mean(axis: 0, keepDims: true) },
    OpCase("max", [random([3, 4], 40)]) { $0[0].max() },
    OpCase("max axis 0", [random([3, 4], 41)]) { $0[0].max(axis: 0) },
    OpCase("min axis −1 keepDims", [random([3, 4], 42)]) { $0[0].min(axis: -1, keepDims: true) },
    OpCase("logSumExp axis 1", [random([3, 4], 43) * 3]) { $0[0].logSumExp(axis: 1) },
    OpCase("logSumExp", [random([3, 4], 44)]) { $0[0].logSumExp() },
    OpCase("softmax", [random([3, 5], 45) * 3]) { softmax($0[0], axis: -1) },
    OpCase("logSoftmax axis 0", [random([3, 5], 46) * 3]) { logSoftmax($0[0], axis: 0) },
    OpCase("reshaped", [random([2, 6], 47)]) { $0[0].reshaped([3, -1]) * $0[0].reshaped([3, 4]) },
    OpCase("transposed", [random([2, 3, 4], 48)]) { $0[0].transposed() },
    OpCase("permuted", [random([2, 3, 4], 49)]) { $0[0].permuted([2, 0, 1]) },
    OpCase("expandingDims, squeezed", [random([3, 4], 50)]) { $0[0].expandingDims(axis: 1).squeezed(axis: 1) * $0[0] },
    OpCase("broadcast(to:)", [random([3, 1], 51)]) { $0[0].broadcast(to: [2, 3, 4]) },
    OpCase("slicing", [random([4, 5], 52)]) { $0[0].slicing(1..<4, axis: -1) },
    OpCase("concatenated", [random([2, 3], 53), random([2, 2], 54)]) { Variable.concatenated([$0[0], $0[1], $0[0]], axis: 1) },
    OpCase("stacked", [random([2, 3], 55), random([2, 3], 56)]) { Variable.stacked([$0[0], $0[1]], axis: 1) },
    OpCase("gathering, repeated rows", [random([4, 3], 57)]) { $0[0].gathering(indices: [2, 0, 2], axis: 0) },
    OpCase("picking per row", [random([3, 5], 58)]) { $0[0].picking([4, 0, 2]) },
    OpCase("matmul", [random([3, 4], 59), random([4, 2], 60)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, batched", [random([2, 3, 4], 61), random([2, 4, 5], 62)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, batch × matrix", [random([2, 3, 4], 63), random([4, 2], 64)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, transposed operands", [random([4, 3], 65), random([2, 4], 66)]) { x in
        matmul(x[0], transposed: true, x[1], transposed: true)
    },
    OpCase("linear, 3-d input", [random([2, 3, 4], 74), random([5, 4], 75), random([5], 76)]) { linear($0[0], weight: $0[1], bias: $0[2]) },
    OpCase("linear + tanh, fused", [random([4, 3], 77), random([5, 3], 78), random([5], 79)]) {
        linear($0[0], weight: $0[1], bias: $0[2], activation: .tanh)
    },
    OpCase("linear + relu, fused, 3-d input", [random([2, 4, 3], 80), random([5, 3], 81), random([5], 82)]) {
        linear($0[0], weight: $0[1], bias: $0[2], activation: .relu)
    },
    OpCase("conv2d, stride 2, padding 1", [random([2, 2, 5, 5], 67), random([3, 2, 3, 3], 68)]) { conv2d($0[0], $0[1], stride: 2, padding: 1) },
    OpCase("conv2d, 1×2 kernel", [random([1, 1, 3, 4], 69), random([2, 1, 1, 2], 70)]) { conv2d($0[0], $0[1]) },
    OpCase("maxPool2d", [random([2, 2, 4, 4], 71)]) { maxPool2d($0[0], size: 2) },
    OpCase("maxPool2d, overlapping", [random([1, 2, 5, 5], 72)]) { maxPool2d($0[0], size: 3, stride: 1) },
    OpCase("avgPool2d", [random([2, 1, 4, 6], 73)]) { avgPool2d($0[0], size: 2) },
]

/// The cases of every file: this one's, the ops that ported models need, indexing, and activations.
let allOpCases = opCases + modelOpCases + indexingOpCases + activationOpCases + windowOpCases

@Test(arguments: allOpCases)
func gradientMatchesCentralDifferences(_ op: OpCase) {
    let report = checkGradients(at: op.inputs, op.function)
    #expect(report.maxRelativeError < 1e-6, "\(op.name):\n\(report)")
}

@Test(arguments: allOpCases)
func secondOrderGradientMatchesCentralDifferences(_ op: OpCase) {
    let report = checkGradients(at: op.inputs, secondOrder(op.function))
    #expect(report.maxRelativeError < 1e-5, "\(op.name):\n\(report)")
}

@Test func checkerReportsAWrongGradient() {
    // A primitive with a deliberately wrong VJP (2x instead of 3x²) must be caught.
    let report = checkGradients(at: [random([4], 80) + 2]) { x in
        Variable(pow(x[0].value, 3), recordedAs: "wrongCube", inputs: [x[0]]) { g, _ in [g * x[0] * 2.0] }
    }
    #expect(report.maxRelativeError > 0.1)
    #expect(report.inputs.count == 1)
}

/// A random shape of rank 0 to 3 with sizes 1 to 4, and a random shape that broadcasts with it.
private func randomBroadcastPair(_ generator: inout SeededGenerator) -> ([Int], [Int]) {
    let rank = Int(generator.next() % 4)
    let shape = (0..<rank).map { _ in 1 + Int(generator.next() % 4) }
    // The partner drops some leading axes and turns some sizes into 1 (and some 1s of ours into sizes).
    var partner = Array(shape.dropFirst(Int(generator.next() % UInt64(rank + 1))))
    for i in partner.indices where generator.next() % 3 == 0 { partner[i] = 1 }
    return generator.next() % 2 == 0 ? (shape, partner) : (partner, shape)
}

@Test(arguments: 0..<12)
func binaryOpsOnRandomBroadcastShapes(seed: Int) {
    var generator = SeededGenerator(seed: UInt64(seed))
    let (a, b) = randomBroadcastPair(&generator)
    let x = random(a, UInt64(100 + seed)), y = positive(b, UInt64(200 + seed))
    let ops: [(String, ([Variable<Double>]) -> Variable<Double>)] = [
        ("add", { $0[0] + $0[1] }), ("subtract", { $0[0] - $0[1] }),
        ("multiply", { $0[0] * $0[1] }), ("divide", { $0[0] / $0[1] }),
        ("maximum", { maximum($0[0], $0[1]) }), ("minimum", { minimum($0[0], $0[1]) }),
        ("which", { which($0[0].value.isGreater(than: Tensor(0)), $0[0], $0[1]) }),
    ]
    for (name, op) in ops {
        let report = checkGradients(at: [x, y], op)
        #expect(report.maxRelativeError < 1e-6, "\(name) on \(a) and \(b):\n\(report)")
    }
}

@Test(arguments: 0..<6)
func unaryOpsAndReductionsOnRandomShapes(seed: Int) {
    var generator = SeededGenerator(seed: UInt64(1000 + seed))
    let rank = 1 + Int(generator.next() % 3)
    let shape = (0..<rank).map { _ in 1 + Int(generator.next() % 4) }
    let axis = Int(generator.next() % UInt64(rank)) - (seed % 2 == 0 ? 0 : rank)   // negative axes too
    let x = [awayFromZero(shape, seed: UInt64(300 + seed))]
    let ops: [(String, ([Variable<Double>]) -> Variable<Double>)] = [
        ("exp·sin·cos", { exp($0[0]) * sin($0[0]) + cos($0[0]) }), ("tanh·sigmoid", { tanh($0[0]) * sigmoid($0[0]) }),
        ("relu, abs, leakyRelu", { relu($0[0]) + abs($0[0]) * leakyRelu($0[0]) }), ("log·sqrt of |x|", { log(abs($0[0])) * sqrt(abs($0[0])) }),
        ("softplus, gelu, erf", { softplus($0[0]) * gelu($0[0]) + erf($0[0]) }),
        ("sum", { $0[0].sum(axis: axis, keepDims: true) }), ("mean", { $0[0].mean(axis: axis) }),
        ("max", { $0[0].max(axis: axis) }), ("min", { $0[0].min(axis: axis, keepDims: true) }),
        ("logSumExp", { $0[0].logSumExp(axis: axis) }), ("softmax", { softmax($0[0], axis: axis) }),
    ]
    for (name, op) in ops {
        let report = checkGradients(at: x, op)
        #expect(report.maxRelativeError < 1e-6, "\(name) on \(shape), axis \(axis):\n\(report)")
    }
}

@Test func softmaxIsStableForHugeLogits() {
    let logits = Variable<Float>(Tensor([[1000, -1000, 0], [-1000, -1000, -1000]]), requiresGrad: true)
    let probabilities = softmax(logits, axis: -1)
    expectClose(probabilities.value, Tensor([[1, 0, 0], [1.0 / 3, 1.0 / 3, 1.0 / 3]]), tolerance: 1e-6)
    let logProbabilities = logSoftmax(logits, axis: -1)
    #expect(logProbabilities.value.scalars.allSatisfy { $0.isFinite })
    expectClose(logProbabilities.value[0, 1], -2000, tolerance: 1e-3)
    (logProbabilities.picking([1, 2]).sum()).backward()
    // ∂/∂z of log softmax(z)_k = onehot(k) − softmax(z).
    expectClose(logits.grad!, Tensor([[-1, 1, 0], [-1.0 / 3, -1.0 / 3, 2.0 / 3]]), tolerance: 1e-6)
    #expect(logits.logSumExp(axis: 1).value.scalars.allSatisfy { $0.isFinite })
}

@Test func floatAndDoubleAgree() {
    func model<S: TensorScalar>(_: S.Type) -> (value: [Double], gradient: [Double]) {
        let x = Variable(Tensor<S>.uniform([2, 3, 4, 4], low: -1, high: 1, seed: 9), requiresGrad: true)
        let filter = Variable(Tensor<S>.uniform([2, 3, 3, 3], low: -1, high: 1, seed: 10))
        let y = maxPool2d(gelu(conv2d(x, filter, padding: 1)), size: 2)
        let loss = logSoftmax(y.reshaped([2, -1]), axis: -1).mean()
        loss.backward()
        return (loss.value.scalars.map { Double($0) }, x.grad!.scalars.map { Double($0) })
    }
    let (f, d) = (model(Float.self), model(Double.self))
    #expect(zip(f.value, d.value).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
    #expect(zip(f.gradient, d.gradient).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
}
