import Foundation
import Testing
@testable import Backprop

private func random(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }

/// The largest |aᵢ − bᵢ|, over tensors of equal shape.
private func maxDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}

/// Expects `actual` within `tolerance` of `expected` relative to the largest |expected|: ‖a − b‖∞ ≤ tol · ‖b‖∞.
private func expectRelativelyClose(_ actual: Tensor<Double>, _ expected: Tensor<Double>, _ tolerance: Double,
                                   _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) ≠ \(expected.shape)", sourceLocation: sourceLocation)
    let scale = expected.scalars.map { Swift.abs($0) }.max() ?? 0
    let difference = maxDifference(actual, expected)
    #expect(difference <= tolerance * Swift.max(scale, .leastNormalMagnitude),
            "\(what): differs by \(difference) at scale \(scale)", sourceLocation: sourceLocation)
}

/// The Jacobian by central differences, of shape f(x).shape + x.shape.
private func centralDifferenceJacobian(at point: Tensor<Double>, epsilon: Double = 1e-6,
                                       _ f: (Variable<Double>) -> Variable<Double>) -> Tensor<Double> {
    let outputShape = withoutGradients { f(Variable(point)).shape }
    let m = Shapes.count(outputShape), n = point.count
    var entries = [Double](repeating: 0, count: m * n)
    var shifted = point
    for j in 0..<n {
        shifted[flat: j] = point[flat: j] + epsilon
        let above = withoutGradients { f(Variable(shifted)).value.scalars }
        shifted[flat: j] = point[flat: j] - epsilon
        let below = withoutGradients { f(Variable(shifted)).value.scalars }
        shifted[flat: j] = point[flat: j]
        for i in 0..<m { entries[i * n + j] = (above[i] - below[i]) / (2 * epsilon) }
    }
    return Tensor(shape: outputShape + point.shape, scalars: entries)
}

/// A non-linear map from [2, 3] to [2, 3] that broadcasts a [3] weight and a [1, 3] column sum.
private func tangled(_ x: Variable<Double>) -> Variable<Double> {
    let w = Variable(Tensor<Double>([0.7, -1.3, 0.4]))
    return tanh(x * w) + exp(x.sum(axis: 0, keepDims: true) * 0.5) * sin(x) + pow(x, 2).mean() * x
}

/// A non-linear function of a [2, 3] point that returns one element.
private func bowl(_ x: Variable<Double>) -> Variable<Double> {
    let a = Variable(Tensor<Double>([[0.5, -1, 2], [1.5, 0.25, -0.75]]))
    return (tanh(x * a).sum(axis: 1) * exp(x.mean(axis: 1))).sum() + pow(x, 4).sum() / 12
}

/// Σᵢ xᵢ³, for the closed forms ∇f = 3x² and H = diag(6x).
private func cubeSum<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> { pow(x, 3).sum() }

@Suite struct TransformsClosedForms {
    @Test func gradientOfCubeSumIsThreeXSquared() {
        let x = random([2, 3], 1)
        expectClose(gradient(at: x, of: cubeSum), x * x * 3, tolerance: 1e-15)
        let single = Tensor<Float>([[0.5, -2], [1, 3]])
        expectClose(gradient(at: single, of: cubeSum), single * single * 3, tolerance: 1e-6)
    }

    @Test func valueWithGradientGivesAZeroDimensionalValue() {
        let x = Tensor<Double>([1, -2, 0.5])
        // A result of shape [1, 1] holds one element: accepted, and the value comes back 0-d.
        let (value, gradient) = valueWithGradient(at: x) { v in cubeSum(v).reshaped([1, 1]) }
        #expect(value.shape == [] && value.scalar == 1 - 8 + 0.125)
        #expect(gradient == Tensor([3, 12, 0.75]))
    }

    @Test func hessianOfCubeSumIsDiagonalSixX() {
        let x = random([2, 2], 2)
        let h = hessian(at: x, of: cubeSum)
        #expect(h.shape == [2, 2, 2, 2])
        var expected = Tensor<Double>.zeros([4, 4])
        for i in 0..<4 { expected[flat: i * 4 + i] = 6 * x[flat: i] }
        expectClose(h, expected.reshaped([2, 2, 2, 2]), tolerance: 1e-14)
    }

    @Test func jacobianOfALinearMapIsItsMatrix() {
        let a = Tensor<Double>([[1, 2, 3], [-4, 5, 0.5]])
        let j = jacobian(at: random([3], 3)) { x in matmul(Variable(a), x.reshaped([3, 1])).reshaped([2]) }
        #expect(j == a)
    }

    @Test func jvpOfSineTimesXIsExact() {
        // d/dx (x sin x) = sin x + x cos x, applied elementwise to the tangent.
        let x = random([3, 4], 4) * 3, t = random([3, 4], 5)
        let (value, tangent) = jvp(at: x, tangent: t) { v in sin(v) * v }
        let xs = x.scalars, ts = t.scalars
        let exact = Tensor(shape: [3, 4], scalars: xs.indices.map { i in
            (Foundation.sin(xs[i]) + xs[i] * Foundation.cos(xs[i])) * ts[i]
        })
        expectClose(value, Tensor(shape: [3, 4], scalars: xs.map { Foundation.sin($0) * $0 }), tolerance: 1e-15)
        expectClose(tangent, exact, tolerance: 1e-14)
    }

    @Test func jvpThroughACubeIsExactOffTheLinearPart() {
        // f(x) = x³ ⊙ w + Σx: J t = 3x² ⊙ w ⊙ t + Σt, exact in rounding where finite differences would not be.
        let x = Tensor<Double>([0.5, -1.5, 2]), t = Tensor<Double>([1, 0.25, -2]), w = Tensor<Double>([2, -1, 0.5])
        let (_, tangent) = jvp(at: x, tangent: t) { v in pow(v, 3) * Variable(w) + v.sum() }
        #expect(tangent == x * x * w * t * 3 + t.sum())
    }

    @Test func softmaxJacobianIsDiagonalMinusOuterProduct() {
        let x = random([4], 6) * 2
        let p = softmax(Variable(x)).value
        var expected = Tensor<Double>.zeros([4, 4])
        for i in 0..<4 {
            for j in 0..<4 { expected[flat: i * 4 + j] = (i == j ? p[flat: i] : 0) - p[flat: i] * p[flat: j] }
        }
        expectClose(jacobian(at: x) { softmax($0) }, expected, tolerance: 1e-15)
    }

    @Test func rosenbrockHessianAtAPoint() {
        // f(x, y) = (1 − x)² + 100(y − x²)²: H = [[2 − 400y + 1200x², −400x], [−400x, 200]].
        let rosenbrock = { (p: Variable<Double>) in
            let x = p.slicing(0..<1), y = p.slicing(1..<2)
            return (pow(1 - x, 2) + 100 * pow(y - x * x, 2)).sum()
        }
        #expect(hessian(at: Tensor([-1.2, 1]), of: rosenbrock) == Tensor([[1330, 480], [480, 200]]))
        let (x, y) = (0.3, -0.8)
        expectClose(hessian(at: Tensor([x, y]), of: rosenbrock),
                    Tensor([[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200]]), tolerance: 1e-12)
    }

    @Test func identityHasTheIdentityJacobian() {
        let x = random([2, 2], 7), t = random([2, 2], 8)
        var identity = Tensor<Double>.zeros([4, 4])
        for i in 0..<4 { identity[flat: i * 4 + i] = 1 }
        #expect(jacobian(at: x) { $0 } == identity.reshaped([2, 2, 2, 2]))
        #expect(jvp(at: x, tangent: t) { $0 }.tangent == t)
        #expect(vjp(at: x) { $0 }.pullback(t) == t)
    }
}

@Suite struct TransformsAgreeWithEachOther {
    @Test func jacobianMatchesCentralDifferencesThroughBroadcasting() {
        let x = random([2, 3], 10)
        let j = jacobian(at: x, of: tangled)
        #expect(j.shape == [2, 3, 2, 3])
        expectRelativelyClose(j, centralDifferenceJacobian(at: x, tangled), 1e-8, "jacobian")
    }

    @Test func hessianMatchesCentralDifferencesOfTheGradient() {
        let x = random([2, 3], 11)
        let h = hessian(at: x, of: bowl)
        expectRelativelyClose(h, centralDifferenceJacobian(at: x) { v in Variable(gradient(at: v.value, of: bowl)) },
                              1e-8, "hessian")
    }

    @Test func hessiansAreSymmetric() {
        for (seed, f) in [(12, bowl), (13, cubeSum), (14, { tangled($0).logSumExp() })] as [(UInt64, (Variable<Double>) -> Variable<Double>)] {
            let x = random([2, 3], seed)
            let h = hessian(at: x, of: f).reshaped([6, 6])
            #expect(h == h.transposed())
            // Exactly symmetric by averaging; the two halves it averages already agree to rounding.
            let input = Variable(x, requiresGrad: true)
            let g = gradients(of: f(input), wrt: [input], createGraph: true)[0]
            let raw = jacobian(of: g, wrt: input).reshaped([6, 6])
            expectRelativelyClose(raw, raw.transposed(), 1e-13, "raw Hessian")
            expectRelativelyClose(h, raw, 1e-13, "averaged Hessian")
        }
    }

    @Test func hessianVectorProductIsTheHessianTimesTheVector() {
        let x = random([2, 3], 15), v = random([2, 3], 16)
        let hv = hessianVectorProduct(at: x, vector: v, of: bowl)
        let product = matmul(hessian(at: x, of: bowl).reshaped([6, 6]), v.reshaped([6, 1])).reshaped([2, 3])
        expectRelativelyClose(hv, product, 1e-14, "H v")
    }

    @Test func jvpAndVjpAreTheJacobianBothWays() {
        let x = random([2, 3], 17), t = random([2, 3], 18), u = random([2, 3], 19)
        let j = jacobian(at: x, of: tangled).reshaped([6, 6])
        let (value, tangent) = jvp(at: x, tangent: t, of: tangled)
        #expect(value == withoutGradients { tangled(Variable(x)).value })
        expectRelativelyClose(tangent, matmul(j, t.reshaped([6, 1])).reshaped([2, 3]), 1e-14, "J t")
        let (_, pullback) = vjp(at: x, of: tangled)
        expectRelativelyClose(pullback(u), matmul(u.reshaped([1, 6]), j).reshaped([2, 3]), 1e-14, "uᵀ J")
    }

    @Test func pullbackCanBeCalledAgainAndIsLinear() {
        let x = random([2, 3], 20), u = random([2, 3], 21), w = random([2, 3], 22)
        let (_, pullback) = vjp(at: x, of: tangled)
        let first = pullback(u)
        let second = pullback(w)
        #expect(pullback(u) == first)
        expectRelativelyClose(pullback(u * 2 + w), first * 2 + second, 1e-14, "linearity")
    }

    @Test func eachTransformEvaluatesTheFunctionOnce() {
        // jvp in particular: one evaluation and two sweeps, never a Jacobian built by columns.
        let x = random([2, 3], 23), v = random([2, 3], 24)
        var calls = 0
        func counted(_ f: @escaping (Variable<Double>) -> Variable<Double>) -> (Variable<Double>) -> Variable<Double> {
            { calls += 1; return f($0) }
        }
        _ = jvp(at: x, tangent: v, of: counted(tangled))
        _ = jacobian(at: x, of: counted(tangled))
        _ = vjp(at: x, of: counted(tangled)).pullback(v)
        _ = gradient(at: x, of: counted(bowl))
        _ = valueWithGradient(at: x, of: counted(bowl))
        _ = hessian(at: x, of: counted(bowl))
        _ = hessianVectorProduct(at: x, vector: v, of: counted(bowl))
        #expect(calls == 7)
    }

    @Test func transformsRecordInsideWithoutGradients() {
        let x = random([3], 25)
        let inside = withoutGradients { gradient(at: x, of: cubeSum) }
        #expect(inside == gradient(at: x, of: cubeSum))
        #expect(withoutGradients { jvp(at: x, tangent: x, of: { sin($0) }).tangent } == jvp(at: x, tangent: x) { sin($0) }.tangent)
    }
}

@Suite struct TransformsOfConstantFunctions {
    // A function whose result does not depend on its argument has derivative zero: the
    // transforms give zeros of the right shape instead of stopping, as `gradients` would.
    static func constant(_: Variable<Double>) -> Variable<Double> { Variable(Tensor([[1, 2, 3], [4, 5, 6]])) }
    static func scalarConstant(_: Variable<Double>) -> Variable<Double> { Variable(7) }

    @Test func scalarTransformsGiveZeros() {
        let x = random([4], 30)
        #expect(gradient(at: x, of: Self.scalarConstant) == .zeros([4]))
        let (value, slope) = valueWithGradient(at: x, of: Self.scalarConstant)
        #expect(value == Tensor(7) && slope == .zeros([4]))
        #expect(hessian(at: x, of: Self.scalarConstant) == .zeros([4, 4]))
        #expect(hessianVectorProduct(at: x, vector: x, of: Self.scalarConstant) == .zeros([4]))
        // Detached from the input: recorded ops on something else, still a constant as far as x goes.
        #expect(gradient(at: x) { v in pow(v.detached(), 2).sum() } == .zeros([4]))
    }

    @Test func linearFunctionsHaveZeroHessians() {
        let x = random([2, 3], 31)
        #expect(hessian(at: x) { $0.sum() * 3 } == .zeros([2, 3, 2, 3]))
        #expect(hessianVectorProduct(at: x, vector: x) { ($0 * Variable(x)).sum() } == .zeros([2, 3]))
    }

    @Test func vectorTransformsGiveZeros() {
        let x = random([4], 32)
        #expect(jacobian(at: x, of: Self.constant) == .zeros([2, 3, 4]))
        let (value, tangent) = jvp(at: x, tangent: x, of: Self.constant)
        #expect(value == Tensor([[1, 2, 3], [4, 5, 6]]) && tangent == .zeros([2, 3]))
        #expect(vjp(at: x, of: Self.constant).pullback(.ones([2, 3])) == .zeros([4]))
        // A result that depends on x only through an op with no gradient to x.
        #expect(jvp(at: x, tangent: x) { v in v.detached() * 2 }.tangent == .zeros([4]))
    }

    @Test func emptyShapesGiveEmptyResults() {
        #expect(jacobian(at: Tensor<Double>.zeros([0])) { $0 * 2 }.shape == [0, 0])
        #expect(jacobian(at: random([2], 33)) { $0.slicing(0..<0) }.shape == [0, 2])
        #expect(hessian(at: Tensor<Double>.zeros([0]), of: { $0.sum() }).shape == [0, 0])
    }
}

@Suite struct TransformsStopWithAMessage {
    @Test func messagesNameTheFunctionAndTheShapes() {
        expectShapeError("gradient(at:of:): f returned a result of shape [2, 3]; it must hold exactly one element") {
            () throws(ShapeError) in try Shapes.oneElement([2, 3], op: "gradient(at:of:)")
        }
        expectShapeError("jvp(at:tangent:of:): a tangent of shape [3] for a point of shape [2, 3]") {
            () throws(ShapeError) in
            try Shapes.matching([3], [2, 3], what: "a tangent", of: "a point", op: "jvp(at:tangent:of:)")
        }
    }

    @Test func gradientOfAVectorStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = gradient(at: Tensor<Double>.zeros([2, 3])) { sin($0) }
        }
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains("gradient(at:of:): f returned a result of shape [2, 3]; it must hold exactly one element"))
    }

    @Test func hessianOfAVectorStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = hessian(at: Tensor<Double>.zeros([3])) { $0 * 2 }
        }
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains("hessian(at:of:): f returned a result of shape [3]; it must hold exactly one element"))
    }

    @Test func pullbackOfTheWrongShapeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vjp(at: Tensor<Double>.zeros([3])) { $0 * 2 }.pullback(.zeros([2]))
        }
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains("vjp(at:of:): a cotangent of shape [2] for a result of shape [3]"))
    }
}

/// PyTorch's `torch.func` values for six functions spelled the same way in both libraries, written
/// by Tests/References/make_transforms_reference.py into Tests/References/transforms.json.
@Suite struct TransformsMatchPyTorch {
    struct Encoded: Decodable {
        let shape: [Int]
        let scalars: [Double]
        var tensor: Tensor<Double> { Tensor(shape: shape, scalars: scalars) }
    }

    struct Case: Decodable, CustomTestStringConvertible {
        let name: String
        let constants: [String: Encoded]
        let point, tangent, cotangent, value, vjp, jvp, jacobian: Encoded
        let vector, gradient, hessian, hvp: Encoded?
        var testDescription: String { name }

        func constant(_ key: String) -> Variable<Double> { Variable(constants[key]!.tensor) }

        /// The function, as the script spells it with PyTorch's ops.
        var function: (Variable<Double>) -> Variable<Double> {
            switch name {
            case "tanhNetwork":
                return { x in pow(tanh(matmul(constant("W"), x.reshaped([3, 1])) + constant("b").reshaped([4, 1])), 2).sum() }
            case "logSumExpQuadratic":
                return { x in (x * constant("A")).logSumExp() + 0.5 * pow(x, 2).sum() }
            case "rosenbrock":
                return { x in
                    let head = x.slicing(0..<3), tail = x.slicing(1..<4)
                    return (100 * pow(tail - head * head, 2) + pow(1 - head, 2)).sum()
                }
            case "softmaxOfSine": return { x in softmax(sin(x) * x, axis: -1) }
            case "broadcastMix": return { x in tanh(constant("B") * x) + exp(x) / (1 + x * x) }
            case "matrixSquare": return { x in matmul(x, x) + log(1 + x * x) * constant("C") }
            default: fatalError("transforms.json: no Swift spelling for the case '\(name)'")
            }
        }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("transforms.json", as: Reference.self).cases } catch { fatalError("Tests/References/transforms.json: \(error)") }
    }()

    @Test func theReferenceHoldsScalarAndVectorFunctions() {
        #expect(Self.cases.count == 6)
        #expect(Self.cases.filter { $0.hessian != nil }.count == 3)
    }

    @Test(arguments: cases) func transformsMatchTorchFunc(_ reference: Case) throws {
        let f = reference.function, x = reference.point.tensor, tolerance = 1e-10
        let (value, pullback) = vjp(at: x, of: f)
        expectRelativelyClose(value, reference.value.tensor, tolerance, "value")
        expectRelativelyClose(pullback(reference.cotangent.tensor), reference.vjp.tensor, tolerance, "vjp")
        let forward = jvp(at: x, tangent: reference.tangent.tensor, of: f)
        expectRelativelyClose(forward.value, reference.value.tensor, tolerance, "jvp value")
        expectRelativelyClose(forward.tangent, reference.jvp.tensor, tolerance, "jvp")
        expectRelativelyClose(jacobian(at: x, of: f), reference.jacobian.tensor, tolerance, "jacobian")
        guard let expectedGradient = reference.gradient else { return }
        let hessianReference = try #require(reference.hessian), hvpReference = try #require(reference.hvp)
        let vector = try #require(reference.vector).tensor
        expectRelativelyClose(gradient(at: x, of: f), expectedGradient.tensor, tolerance, "gradient")
        let both = valueWithGradient(at: x, of: f)
        expectRelativelyClose(both.value, reference.value.tensor.reshaped([]), tolerance, "valueWithGradient value")
        expectRelativelyClose(both.gradient, expectedGradient.tensor, tolerance, "valueWithGradient gradient")
        expectRelativelyClose(hessian(at: x, of: f), hessianReference.tensor, tolerance, "hessian")
        expectRelativelyClose(hessianVectorProduct(at: x, vector: vector, of: f), hvpReference.tensor, tolerance, "hvp")
    }
}
