import Backprop
import Foundation
import Testing

/// A compiled function gives the bits of the eager one, on every traced op and its backward
/// sweep, at tracing calls and replays alike; a trace is redone for new shapes.
@Suite struct CompileTests {
    static func uniform(_ shape: [Int], seed: UInt64, low: Double = -1, high: Double = 1) -> Tensor<Double> {
        var generator = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &generator)
    }

    /// Calls `body` eagerly and compiled on four sets of inputs of `shapes` (two tracing calls, two
    /// replays), with parameters of `parameterShapes` that an update changes between calls, and
    /// expects the same values and gradients, bit for bit.
    func expectCompiledMatchesEager(_ shapes: [[Int]], parameters parameterShapes: [[Int]] = [], positive: Bool = false,
                                    _ body: @escaping ([Variable<Double>], [Variable<Double>]) -> Variable<Double>) {
        let low = positive ? 0.5 : -1.0
        let parameters = parameterShapes.enumerated().map {
            Variable(Self.uniform($1, seed: 100 + UInt64($0), low: low, high: 2), requiresGrad: true)
        }
        let twins = parameters.map { Variable($0.value, requiresGrad: true) }
        let compiled = compile(inputCount: shapes.count) { body($0, twins) }
        for call in 0..<4 {
            let inputs = shapes.enumerated().map { Self.uniform($1, seed: UInt64(10 * call + $0), low: low, high: 2) }
            let eager = body(inputs.map { Variable($0) }, parameters)
            let replayed = compiled(inputs)
            #expect(eager.value == replayed.value, "value of call \(call)")
            guard !parameters.isEmpty else { continue }
            let seed = Self.uniform(eager.shape, seed: 99)
            eager.backward(seed: seed)
            replayed.backward(seed: seed)
            for (p, twin) in zip(parameters, twins) {
                #expect(p.grad == twin.grad, "gradient of call \(call)")
                p.value = p.value - 0.1 * p.grad!
                twin.value = twin.value - 0.1 * twin.grad!
                p.zeroGrad()
                twin.zeroGrad()
            }
        }
        #expect(compiled.tracingCallCount == 2 && compiled.replayCount == 2)
    }

    @Test func arithmeticAndElementwiseOps() {
        expectCompiledMatchesEager([[3, 4]], parameters: [[4], [3, 1]]) { x, p in
            let (a, b) = (x[0] * p[0] + p[1], x[0] - p[0] / p[1])
            let terms: [Variable<Double>] = [
                exp(a), log(b * b + 1), sqrt(abs(b) + 1), pow(a, 3), sin(a) * cos(b), tanh(a) * sigmoid(b),
                softplus(-a), erf(b), relu(a - 0.2), leakyRelu(b, negativeSlope: 0.1), a.clamped(min: -0.5, max: 0.5),
                maximum(a, b), minimum(a, b), 2 / (a * a + 1), 3 - b, -a,
            ]
            return terms.dropFirst().reduce(terms[0], +)
        }
    }

    @Test func reductionsAndShapeOps() {
        expectCompiledMatchesEager([[2, 3, 4]], parameters: [[3, 4]]) { x, p in
            let y = x[0] * p[0]
            let parts = y.split(sizes: [1, 2], axis: 1)
            let joined = Variable.concatenated([parts[1], parts[0]], axis: 1).permuted([2, 0, 1]).reshaped([4, 6])
            let scanned = joined.cumulativeSum(axis: 1).padded([(1, 0), (0, 2)], value: 0.5)
            let terms: [Variable<Double>] = [
                scanned.logSumExp(axis: 1).sum(), logSoftmax(joined, axis: 0).mean(), softmax(y, axis: -1).max(),
                y.sum(axis: 2, keepDims: true).broadcast(to: [2, 3, 4]).min(), y.slicing(1..<3, axis: 2).variance(axis: 0).sum(),
                joined.gathering(indices: [3, 0, 0], axis: 0).sum(), joined.picking([1, 0, 5, 5], axis: 1).sum(),
            ]
            return terms.dropFirst().reduce(terms[0], +)
        }
    }

    @Test func matrixProductsAndFusedLinear() {
        expectCompiledMatchesEager([[5, 3]], parameters: [[4, 3], [4], [2, 4, 6]]) { x, p in
            let h = linear(x[0], weight: p[0], bias: p[1], activation: .relu)
            let t = linear(x[0], weight: p[0], bias: p[1], activation: .tanh)
            return matmul(h + t, p[2]).sum() + einsum("ij,ij->i", h, t).sum()
        }
    }

    @Test func convolutionAndPooling() {
        expectCompiledMatchesEager([[2, 2, 6, 6]], parameters: [[3, 2, 3, 3], [3, 3, 2, 2]]) { x, p in
            let c = relu(conv2d(x[0], p[0], padding: 1))
            let pooled = maxPool2d(c, size: 2) + avgPool2d(c, size: 2)
            return convTranspose2d(pooled, p[1], stride: 2).sum() + maxPool2d(c, size: 3, stride: 1, padding: 1).mean()
        }
    }

    /// The benchmark's chain of scalars, whose eager sweep takes the fast path on numbers.
    @Test func scalarChain() {
        expectCompiledMatchesEager([[]], parameters: [[], []]) { x, p in
            (0..<200).reduce(x[0]) { value, _ in tanh(value * p[0] + p[1]) }
        }
    }

    /// Functions of constants alone replay too, and the result records nothing.
    @Test func functionsWithoutParameters() {
        expectCompiledMatchesEager([[3], [3]]) { x, _ in (x[0] * x[1]).sum() + exp(x[0]).max() }
    }

    @Test func newShapesTraceAgainAndTheCacheKeepsTheRecentOnes() {
        let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
        let f = CompiledFunction<Double>(inputCount: 1, cacheSize: 2) { x in ((x[0] * w).sum(), []) }
        for rows in [1, 2, 1, 2, 1, 2] { f(Tensor.ones([rows, 2])).backward() }
        #expect(f.tracingCallCount == 4 && f.replayCount == 2)
        f(Tensor.ones([3, 2])).backward()   // a third shape: the least recently used, [1, 2], goes
        f(Tensor.ones([2, 2])).backward()
        f(Tensor.ones([1, 2])).backward()
        #expect(f.tracingCallCount == 6 && f.replayCount == 3)
        #expect(f(Tensor.ones([2, 2])).value == Tensor(6.0))
        #expect(w.grad == Tensor([15, 15]))
        // A result that is not backpropagated is replayed once the trace's backward sweep is known;
        // without gradients, it needs none.
        let g = compile { (x: Variable<Double>) in (x * w).sum() }
        for _ in 0..<3 { _ = withoutGradients { g(Tensor([1, 1])) } }
        #expect(g.tracingCallCount == 2 && g.replayCount == 1)
    }

    /// Freezing or unfreezing a parameter traces again: the sweep then reaches other parameters.
    @Test func freezingAParameterTracesAgain() {
        let (w, b) = (Variable(Tensor<Double>([1, 2]), requiresGrad: true), Variable(Tensor<Double>(0.5), requiresGrad: true))
        let f = compile { (x: Variable<Double>) in (x * w + b).sum() }
        for _ in 0..<3 { f(Tensor([1, 1])).backward() }
        #expect(f.tracingCallCount == 2 && f.replayCount == 1)
        b.requiresGrad = false
        b.zeroGrad()
        for _ in 0..<3 { f(Tensor([1, 1])).backward() }
        #expect(f.tracingCallCount == 4 && f.replayCount == 2)
        #expect(b.grad == nil && w.grad == Tensor([6, 6]))
        b.requiresGrad = true
        for _ in 0..<3 { f(Tensor([1, 1])).backward() }
        #expect(b.grad == Tensor(6.0) && w.grad == Tensor([9, 9]))   // d/db of a sum over two elements: 2 per call
    }

    /// Auxiliary outputs come back as values, replayed like the result.
    @Test func auxiliaryOutputs() {
        let w = Variable(Tensor<Double>([[1, -1], [2, 0.5]]), requiresGrad: true)
        let f = compile(inputCount: 1) { (x: [Variable<Double>]) in
            let logits = matmul(x[0], w)
            return (logits.sum(), [logits, relu(logits)])
        }
        for call in 0..<3 {
            let x = Self.uniform([3, 2], seed: UInt64(call))
            let (result, auxiliary) = f.callWithAuxiliary([x])
            let logits = matmul(x, w.value)
            #expect(auxiliary == [logits, relu(logits)] && result.value == logits.sum())
        }
    }

    @Test func recordEffectRunsAtEveryCall() {
        var seen: [Double] = []
        let w = Variable(Tensor<Double>(2), requiresGrad: true)
        let f = compile { (x: Variable<Double>) in
            let y = x * w
            recordEffect(reading: [y]) { seen.append($0[0].scalar) }
            return y
        }
        for x in [1.0, 2, 3, 4] { _ = f(Tensor(x)) }
        #expect(seen == [2, 4, 6, 8])
    }

    @Test func computedConstantsAreComputedAtEveryCall() {
        var count = 0.0
        let w = Variable(Tensor<Double>(1), requiresGrad: true)
        let f = compile { (x: Variable<Double>) in
            x * w + Variable(computing: { count += 1; return Tensor(count) })
        }
        #expect((0..<4).map { _ in f(Tensor(10)).scalar } == [11, 12, 13, 14])
    }
}
