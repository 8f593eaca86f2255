import Foundation
import Testing
@testable import Backprop

@Suite struct ScalarGraphs {
    @Test func microgradReadmeExpression() {
        // The expression from micrograd's README, with its published values.
        let a = Variable<Double>(-4, requiresGrad: true)
        let b = Variable<Double>(2, requiresGrad: true)
        var c = a + b
        var d = a * b + pow(b, 3)
        c = c + c + 1
        c = c + (1 + c + -a)
        d = d + (d * 2 + relu(b + a))
        d = d + (3 * d + relu(b - a))
        let e = c - d
        let f = pow(e, 2)
        var g = f / 2
        g = g + 10 / f
        expectClose(g.scalar, 24.70408163265306, tolerance: 1e-12)
        g.backward()
        expectClose(a.grad!.scalar, 138.83381924198252, tolerance: 1e-10)
        expectClose(b.grad!.scalar, 645.5772594752186, tolerance: 1e-10)
    }

    @Test func fanOutSumsContributions() {
        // y = x·x + x·3 − x/2 + x, so dy/dx = 2x + 3.5: x feeds five uses.
        let x = Variable<Double>(Tensor([1, -2]), requiresGrad: true)
        (x * x + x * 3.0 - x / 2.0 + x).sum().backward()
        #expect(x.grad == Tensor([5.5, -0.5]))
    }

    @Test func handComputedTwoLayerGraph() {
        // h = tanh(w·x + b), y = h²; at x = 2, w = 0.5, b = −1: h = 0, so dy/dw = dy/db = 0 and y = 0.
        // At b = 0: h = tanh(1); dy/dh = 2h; dh/dz = 1 − h²; dz/dw = x = 2, dz/db = 1.
        let x = Variable<Double>(2), w = Variable<Double>(0.5, requiresGrad: true), b = Variable<Double>(0, requiresGrad: true)
        let h = tanh(w * x + b)
        pow(h, 2).backward()
        let t = Foundation.tanh(1.0)
        expectClose(w.grad!.scalar, 2 * t * (1 - t * t) * 2, tolerance: 1e-12)
        expectClose(b.grad!.scalar, 2 * t * (1 - t * t), tolerance: 1e-12)
        #expect(x.grad == nil)
    }
}

@Suite struct BackwardBehaviour {
    @Test func gradientsAccumulateUntilZeroGrad() {
        let x = Variable<Double>(3, requiresGrad: true)
        let y = x * x
        y.backward(retainGraph: true)
        y.backward()
        #expect(x.grad!.scalar == 12)
        x.zeroGrad()
        #expect(x.grad == nil)
        (x * 5).backward()
        #expect(x.grad!.scalar == 5)
    }

    @Test func backwardReleasesTheGraphUnlessRetained() {
        let x = Variable<Double>(3, requiresGrad: true)
        let y = exp(x * 2)
        y.backward(retainGraph: true)
        #expect(y.isRecorded && y.inputs.count == 1)
        y.backward()
        #expect(!y.isRecorded && y.inputs.isEmpty && y.op == "exp" && !y.isLeaf)
    }

    @Test func seedWeightsANonScalarResult() {
        let x = Variable<Double>(Tensor([1, 2, 3]), requiresGrad: true)
        (x * x).backward(seed: Tensor([1, 0, -1]))
        #expect(x.grad == Tensor([2, 0, -6]))
    }

    @Test func detachedCutsTheGraph() {
        let x = Variable<Double>(2, requiresGrad: true)
        let y = x * x.detached()      // only the first factor is differentiated
        y.backward()
        #expect(x.grad!.scalar == 2)
        #expect(!x.detached().requiresGrad && x.detached().value == x.value)
    }

    @Test func withoutGradientsRecordsNothing() {
        let x = Variable<Double>(2, requiresGrad: true)
        let y = withoutGradients { exp(x) * x }
        #expect(!y.requiresGrad && y.isLeaf && y.op == nil)
        #expect(isRecordingGradients)
        #expect(exp(x).requiresGrad)
    }

    @Test func withoutGradientsIsLocalToTheThread() async {
        let recordingElsewhere = await withoutGradients { () async -> Bool in
            #expect(!isRecordingGradients)
            // A detached task inherits no task-local values: it still records.
            return await Task.detached { isRecordingGradients }.value
        }
        #expect(recordingElsewhere)
        let otherThread = await withCheckedContinuation { continuation in
            withoutGradients {
                Thread { continuation.resume(returning: isRecordingGradients) }.start()
            }
        }
        #expect(otherThread)
    }

    @Test func opsOnConstantsRecordNothing() {
        let a = Variable<Double>(1), b = Variable<Double>(2)
        let c = a + b
        #expect(c.isLeaf && !c.requiresGrad)
    }

    @Test func gradientsLeaveGradUntouchedAndGiveZerosForUnusedInputs() {
        let x = Variable<Double>(Tensor([1, 2]), requiresGrad: true)
        let unused = Variable<Double>(Tensor([5, 5, 5]), requiresGrad: true)
        let g = gradients(of: (x * x).sum(), wrt: [x, unused])
        #expect(g[0].value == Tensor([2, 4]))
        #expect(g[1].value == Tensor.zeros([3]))
        #expect(x.grad == nil)
    }

    @Test func gradientWithRespectToAnInteriorNode() {
        let x = Variable<Double>(3, requiresGrad: true)
        let h = x * 2
        let y = h * h
        #expect(gradients(of: y, wrt: [h, x]).map(\.value.scalar) == [12, 24])
    }
}

@Suite struct HigherOrder {
    @Test func secondDerivativeOfCube() {
        // d/dx x³ = 3x², d²/dx² x³ = 6x.
        for value in [-2.0, 0.5, 3.0] {
            let x = Variable(value, requiresGrad: true)
            let first = gradients(of: pow(x, 3), wrt: [x], createGraph: true)[0]
            expectClose(first.scalar, 3 * value * value)
            let second = gradients(of: first, wrt: [x])[0]
            expectClose(second.scalar, 6 * value)
        }
    }

    @Test func thirdDerivativeOfSine() {
        let x = Variable<Double>(0.7, requiresGrad: true)
        let d1 = gradients(of: sin(x), wrt: [x], createGraph: true)[0]
        let d2 = gradients(of: d1, wrt: [x], createGraph: true)[0]
        let d3 = gradients(of: d2, wrt: [x])[0]
        expectClose(d3.scalar, -Foundation.cos(0.7), tolerance: 1e-12)
    }

    @Test func hessianVectorProduct() {
        // f(x) = Σ xᵢ² · xⱼ over the vector: f = (Σx²)(Σx); H v by double backward against the closed form.
        let x = Variable<Double>(Tensor([1, 2, 3]), requiresGrad: true)
        let v = Variable<Double>(Tensor([0.5, -1, 2]))
        let f = (x * x).sum() * x.sum()
        let g = gradients(of: f, wrt: [x], createGraph: true)[0]
        let hv = gradients(of: (g * v).sum(), wrt: [x])[0]
        // ∂²f/∂xᵢ∂xⱼ = 2δᵢⱼ Σx + 2xᵢ + 2xⱼ.
        let xs = [1.0, 2, 3], vs = [0.5, -1, 2], s = 6.0
        var expected = [0.0, 0, 0]
        for i in 0..<3 {
            for j in 0..<3 {
                let entry: Double = (i == j ? 2 * s : 0) + 2 * xs[i] + 2 * xs[j]
                expected[i] += entry * vs[j]
            }
        }
        expectClose(hv.value, Tensor(expected), tolerance: 1e-12)
    }

    @Test func newtonStepSolvesAQuadraticAtOnce() {
        // f(x) = 3(x − 2)² + 1: one Newton step x ← x − f′/f″ lands on 2 from anywhere.
        let x = Variable<Double>(-5, requiresGrad: true)
        let f = 3 * pow(x - 2, 2) + 1
        let slope = gradients(of: f, wrt: [x], createGraph: true)[0]
        let curvature = gradients(of: slope, wrt: [x])[0]
        expectClose(x.scalar - slope.scalar / curvature.scalar, 2, tolerance: 1e-12)
    }

    @Test func gradientPenaltyFlowsToParameters() {
        // L = (∂(w·x)/∂x)² = w²: its gradient with respect to w is 2w.
        let w = Variable<Double>(1.5, requiresGrad: true), x = Variable<Double>(4, requiresGrad: true)
        let dx = gradients(of: w * x, wrt: [x], createGraph: true)[0]
        pow(dx, 2).backward()
        expectClose(w.grad!.scalar, 3)
    }
}

@Suite struct ConcurrentSweeps {
    /// Leaves that graphs on two threads share: a one-element weight, whose gradient a sweep
    /// keeps as a number, and a vector, whose gradient it keeps as a variable.
    struct SharedLeaves: @unchecked Sendable {     // read-only while shared, as `gradients(of:wrt:)` documents
        let w = Variable<Double>(0.9, requiresGrad: true)
        let v = Variable<Double>(Tensor([0.5, -0.25, 1.5]), requiresGrad: true)
    }

    /// Builds a graph over the shared leaves and an input of its own, made from `seed`, and
    /// returns the gradients with respect to the leaves and the input; with `secondOrder`,
    /// also the gradient of ∂y/∂w with respect to the leaves (a sweep that records itself,
    /// then a sweep of what it recorded).
    static func gradientsOfOwnGraph(_ leaves: SharedLeaves, seed: Int, secondOrder: Bool) -> [Tensor<Double>] {
        let x = Variable(Tensor<Double>.uniform([3], low: -1, high: 1, seed: UInt64(seed)), requiresGrad: true)
        var s = (x * leaves.v).sum()
        for _ in 0..<40 { s = tanh(s * leaves.w + 0.1) }      // 40 uses of w, as in a scalar chain
        let y = s + (tanh(leaves.v * x) * leaves.w).sum()
        let first = gradients(of: y, wrt: [leaves.w, leaves.v, x], createGraph: secondOrder)
        guard secondOrder else { return first.map(\.value) }
        return first.map(\.value) + gradients(of: first[0], wrt: [leaves.w, leaves.v]).map(\.value)
    }

    @Test(arguments: [false, true])
    func threadsSharingALeafGetTheSequentialGradientsBitForBit(secondOrder: Bool) {
        let leaves = SharedLeaves()
        let iterations = 200
        let expected = (0..<2 * iterations).map { Self.gradientsOfOwnGraph(leaves, seed: $0, secondOrder: secondOrder) }
        let lock = NSLock()
        nonisolated(unsafe) var results = [[Tensor<Double>]](repeating: [], count: 2 * iterations)
        let finished = DispatchSemaphore(value: 0)
        for thread in 0..<2 {
            Thread {
                for i in 0..<iterations {
                    let seed = thread * iterations + i
                    let gradients = Self.gradientsOfOwnGraph(leaves, seed: seed, secondOrder: secondOrder)
                    lock.withLock { results[seed] = gradients }
                }
                finished.signal()
            }.start()
        }
        finished.wait()
        finished.wait()
        let bits = { (tensors: [Tensor<Double>]) in tensors.map { $0.scalars.map(\.bitPattern) } }
        let mismatches = (0..<2 * iterations).filter { bits(results[$0]) != bits(expected[$0]) }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(2 * iterations) graphs got other gradients, first \(mismatches.first ?? 0)")
        #expect(leaves.w.grad == nil && leaves.v.grad == nil)
    }
}

@Suite struct GraphMemory {
    @Test func intermediatesAreFreedWithTheirOutput() {
        weak var weakIntermediate: Variable<Double>?
        weak var weakOutput: Variable<Double>?
        let x = Variable<Double>(Tensor([1, 2]), requiresGrad: true)
        do {
            let intermediate = exp(x)
            let output = (intermediate * x).sum()
            weakIntermediate = intermediate
            weakOutput = output
            #expect(weakIntermediate != nil)
        }
        #expect(weakOutput == nil)
        #expect(weakIntermediate == nil)
    }

    @Test func backwardFreesTheGraphWhileTheOutputLives() {
        weak var weakIntermediate: Variable<Double>?
        let x = Variable<Double>(Tensor([1, 2]), requiresGrad: true)
        var output: Variable<Double>
        do {
            let intermediate = tanh(x) * 2
            output = (intermediate * intermediate).sum()
            weakIntermediate = intermediate
        }
        #expect(weakIntermediate != nil)
        output.backward()
        #expect(weakIntermediate == nil)
        #expect(x.grad != nil)
    }

    @Test func deepGraphsNeitherOverflowTheStackOnBackwardNorOnRelease() {
        let x = Variable<Double>(1, requiresGrad: true)
        var y = x
        for _ in 0..<100_000 { y = y * 1.0 }
        #expect(y.topologicalOrder().count == 100_001)
        y.backward(retainGraph: true)
        #expect(x.grad!.scalar == 1)
        y = x          // drops the 100,000-node chain
        #expect(y.isLeaf)
    }
}

@Suite struct RecordedGraphTests {
    @Test func recordedNodesListInputsBeforeTheirOpsAndRecordedInputsNameThem() {
        let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
        let x = Variable(Tensor<Double>([3, 4]))
        let product = w * x
        let total = relu(product).sum()
        let nodes = total.recordedNodes()
        #expect(nodes.map { $0.op ?? "leaf" } == ["leaf", "multiply", "relu", "sum"])
        #expect(nodes.first === w)
        #expect(nodes.last === total)
        #expect(product.recordedInputs.count == 2)
        #expect(product.recordedInputs[0] === w && product.recordedInputs[1] === x)
        total.backward()
        #expect(product.recordedInputs.isEmpty)
        #expect(total.recordedNodes().count == 1)
    }
}
