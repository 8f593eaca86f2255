import Testing
@testable import Backprop

/// A first-order sweep passes one-element gradients as plain numbers through each op's
/// rule on numbers; a sweep that records itself (createGraph) uses the VJPs on variables.
/// The two must agree to the bit.
@Suite struct ScalarSweep {
    /// ∂f/∂x and ∂f/∂y, first through the rules on numbers, then through the VJPs.
    static func bothWays(_ x0: Float, _ y0: Float,
                         _ f: (Variable<Float>, Variable<Float>) -> Variable<Float>) -> (numbers: [Float], variables: [Float]) {
        let x = Variable(x0, requiresGrad: true), y = Variable(y0, requiresGrad: true)
        let output = f(x, y)
        output.backward(retainGraph: true)
        let numbers = [x.grad?.scalar ?? 0, y.grad?.scalar ?? 0]
        let variables = gradients(of: output, wrt: [x, y], createGraph: true).map(\.scalar)
        return (numbers, variables)
    }

    static let ops: [(String, @Sendable (Variable<Float>, Variable<Float>) -> Variable<Float>)] = [
        ("add", { $0 + $1 }), ("subtract", { $0 - $1 }), ("multiply", { $0 * $1 }), ("divide", { $0 / $1 }),
        ("negate", { -$0 * $1 }), ("add constant", { ($0 + 0.3) * $1 }), ("constant minus", { (0.3 - $0) * $1 }),
        ("times constant", { ($0 * 1.7) * $1 }), ("constant over", { (1.3 / $0) * $1 }),
        ("exp", { exp($0) * $1 }), ("log", { log($0) * $1 }), ("sqrt", { sqrt($0) * $1 }),
        ("tanh", { tanh($0) * $1 }), ("sigmoid", { sigmoid($0) * $1 }), ("relu", { relu($0 - 0.5) * $1 }),
    ]

    @Test(arguments: ops.indices)
    func ruleOnNumbersMatchesTheVJPToTheBit(_ index: Int) {
        let (name, f) = Self.ops[index]
        var all: [Float] = []
        for (x, y) in [(0.7 as Float, -1.9 as Float), (0.3, 2.2), (1.1, 0.45)] {
            let (numbers, variables) = Self.bothWays(x, y, f)
            #expect(numbers == variables, "\(name) at (\(x), \(y))")
            all += numbers
        }
        #expect(all.filter { $0 != 0 }.count >= 4, "\(name): the gradients are not all zero")
    }

    @Test func chainLikeTheBenchmarkMatchesTheVJPs() {
        let (numbers, variables) = Self.bothWays(0.9, 0.1) { w, b in
            var x = Variable<Float>(0.5)
            for _ in 0..<50 { x = tanh(x * w + b) }
            return x
        }
        #expect(numbers == variables)
    }

    @Test func fanOutSumsBothPaths() {
        // f = x·x + 3x: df/dx = 2x + 3 = 7 at x = 2.
        let x = Variable<Double>(2, requiresGrad: true)
        (x * x + x * 3).backward()
        #expect(x.grad!.scalar == 7)
    }

    @Test func numbersMeetTensorsAtAReduction() {
        // f = tanh(Σv)·2 with Σv = 0.6: ∂f/∂vᵢ = 2(1 − tanh²(0.6)) for every i.
        let v = Variable<Double>(Tensor([0.1, 0.2, 0.3]), requiresGrad: true)
        (tanh(v.sum()) * 2).backward()
        let expected = 2 * (1 - Double.tanh(0.6) * Double.tanh(0.6))
        #expect(v.grad!.isApproximatelyEqual(to: Tensor([expected, expected, expected]), tolerance: 1e-15))
        #expect(v.grad!.shape == [3])
    }

    @Test func oneElementTensorsKeepTheirShape() {
        let x = Variable<Double>(Tensor(shape: [1, 1], scalars: [3]), requiresGrad: true)
        (x * x).sum().backward()
        #expect(x.grad == Tensor(shape: [1, 1], scalars: [6]))
    }

    @Test func gradientWithRespectToAnInteriorScalar() {
        let x = Variable<Double>(0.5, requiresGrad: true)
        let h = x * 4
        let y = tanh(h)
        let gradient = gradients(of: y, wrt: [h])[0]
        #expect(gradient.scalar == 1 - Double.tanh(2) * Double.tanh(2))
    }

    @Test func scalarChainIsFreedByBackward() {
        weak var weakMiddle: Variable<Float>?
        let w = Variable<Float>(0.9, requiresGrad: true)
        var x = Variable<Float>(0.5, requiresGrad: true)
        for i in 0..<1_000 {
            x = tanh(x * w)
            if i == 500 { weakMiddle = x }
        }
        #expect(weakMiddle != nil)
        x.backward()
        #expect(weakMiddle == nil)
        #expect(x.isLeaf == false && x.inputs.isEmpty)
    }
}
