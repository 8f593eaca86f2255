import Foundation
import Testing
import Backprop
@testable import BackpropNN

/// Each optimizer against PyTorch's algorithm, written out by hand per element in plain `Double`.
///
/// Every run starts from θ₀ = [1, −2, 0.5] and feeds four different gradients, set by hand.
@Suite("Optimizers")
struct OptimizerTests {
    static let start: [Double] = [1, -2, 0.5]
    static let gradients: [[Double]] = [[0.5, -1, 2], [0.25, 2, -0.5], [-1.5, 0.75, 1], [1, -0.5, 0.125]]

    /// The parameter after each step of `optimizer`, made for a fresh θ₀ and fed ``gradients``.
    func trajectory(_ makeOptimizer: ([Variable<Double>]) -> any Optimizer<Double>) -> [[Double]] {
        let parameter = Variable(Tensor(Self.start), requiresGrad: true)
        return run(makeOptimizer([parameter]), on: parameter, Self.gradients[...])
    }

    /// Sets each gradient in turn and steps; returns the parameter after each step.
    func run(_ optimizer: any Optimizer<Double>, on parameter: Variable<Double>, _ gradients: ArraySlice<[Double]>) -> [[Double]] {
        gradients.map { gradient in
            parameter.grad = Tensor(gradient)
            optimizer.step()
            return parameter.value.scalars
        }
    }

    /// The trajectory of a one-element rule `(θ₀, [g₁, g₂, …]) → [θ₁, θ₂, …]` applied to each element.
    func reference(_ rule: (Double, [Double]) -> [Double]) -> [[Double]] {
        let perElement = Self.start.indices.map { i in rule(Self.start[i], Self.gradients.map { $0[i] }) }
        return Self.gradients.indices.map { step in perElement.map { $0[step] } }
    }

    func expectTrajectory(_ actual: [[Double]], _ expected: [[Double]], tolerance: Double = 1e-12,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        let close = actual.count == expected.count && zip(actual, expected).allSatisfy { a, e in
            a.count == e.count && zip(a, e).allSatisfy { Swift.abs($0 - $1) <= tolerance }
        }
        #expect(close, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    // MARK: References: PyTorch's documented algorithms, one element at a time

    static func sgdRule(lr: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                    weightDecay: Double = 0) -> (Double, [Double]) -> [Double] {
        { theta0, gradients in
            var theta = theta0, buffer = 0.0
            return gradients.enumerated().map { t, g0 in
                var g = g0 + weightDecay * theta
                if momentum != 0 {
                    buffer = t == 0 ? g : momentum * buffer + (1 - dampening) * g
                    g = nesterov ? g + momentum * buffer : buffer
                }
                theta -= lr * g
                return theta
            }
        }
    }

    /// Adam (L2 decay in the gradient) or AdamW (decoupled), in the textbook form θ − γ·m̂/(√v̂ + ε).
    static func adamRule(lr: Double, weightDecay: Double = 0, decoupled: Bool = false) -> (Double, [Double]) -> [Double] {
        { theta0, gradients in
            let (beta1, beta2, eps) = (0.9, 0.999, 1e-8)
            var theta = theta0, m = 0.0, v = 0.0
            return gradients.enumerated().map { index, g0 in
                let t = Double(index + 1)
                var g = g0
                if decoupled { theta *= 1 - lr * weightDecay } else { g += weightDecay * theta }
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
                let mHat = m / (1 - pow(beta1, t)), vHat = v / (1 - pow(beta2, t))
                theta -= lr * mHat / (vHat.squareRoot() + eps)
                return theta
            }
        }
    }

    static func rmsPropRule(lr: Double, momentum: Double = 0, centered: Bool = false) -> (Double, [Double]) -> [Double] {
        { theta0, gradients in
            let (alpha, eps) = (0.99, 1e-8)
            var theta = theta0, v = 0.0, a = 0.0, b = 0.0
            return gradients.map { g in
                v = alpha * v + (1 - alpha) * g * g
                var vTilde = v
                if centered { a = alpha * a + (1 - alpha) * g; vTilde -= a * a }
                let u = g / (vTilde.squareRoot() + eps)
                if momentum > 0 { b = momentum * b + u; theta -= lr * b } else { theta -= lr * u }
                return theta
            }
        }
    }

    static func adagradRule(lr: Double, lrDecay: Double, weightDecay: Double, initial: Double) -> (Double, [Double]) -> [Double] {
        { theta0, gradients in
            var theta = theta0, sum = initial
            return gradients.enumerated().map { index, g0 in
                let decayedLR = lr / (1 + Double(index) * lrDecay)
                let g = g0 + weightDecay * theta
                sum += g * g
                theta -= decayedLR * g / (sum.squareRoot() + 1e-10)
                return theta
            }
        }
    }

    // MARK: SGD

    @Test func sgdPlain() {
        // θ − 0.1·g:  [1, −2, 0.5] − 0.1·[0.5, −1, 2]     = [0.95, −1.9, 0.3]
        //             − 0.1·[0.25, 2, −0.5]                = [0.925, −2.1, 0.35]
        //             − 0.1·[−1.5, 0.75, 1]                = [1.075, −2.175, 0.25]
        //             − 0.1·[1, −0.5, 0.125]               = [0.975, −2.125, 0.2375]
        let expected = [[0.95, -1.9, 0.3], [0.925, -2.1, 0.35], [1.075, -2.175, 0.25], [0.975, -2.125, 0.2375]]
        expectTrajectory(trajectory { SGD(parameters: $0, learningRate: 0.1) }, expected)
        expectTrajectory(reference(Self.sgdRule(lr: 0.1)), expected)
    }

    @Test func sgdMomentum() {
        // b₁ = g₁ (no dampening on the first step), then b = 0.9·b + g; θ −= 0.1·b. Element 0:
        // b = 0.5 → 0.95;  0.45 + 0.25 = 0.7 → 0.88;  0.63 − 1.5 = −0.87 → 0.967;  −0.783 + 1 = 0.217 → 0.9453
        let expected = [[0.95, -1.9, 0.3], [0.88, -2.01, 0.17], [0.967, -2.184, -0.047], [0.9453, -2.2906, -0.2548]]
        expectTrajectory(trajectory { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9) }, expected)
        expectTrajectory(reference(Self.sgdRule(lr: 0.1, momentum: 0.9)), expected)
        // With dampening 0.5 the first step is still undampened: θ₁ is the same.
        let damped = trajectory { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, dampening: 0.5) }
        expectTrajectory([damped[0]], [expected[0]])
        expectTrajectory(damped, reference(Self.sgdRule(lr: 0.1, momentum: 0.9, dampening: 0.5)))
    }

    @Test func sgdNesterov() {
        // Element 0, step 1: b = 0.5, g + 0.9·b = 0.95, θ = 1 − 0.095 = 0.905.
        // Step 2: b = 0.45 + 0.25 = 0.7, g + 0.9·b = 0.88, θ = 0.905 − 0.088 = 0.817.
        let actual = trajectory { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) }
        expectClose(actual[0][0], 0.905, tolerance: 1e-12)
        expectClose(actual[1][0], 0.817, tolerance: 1e-12)
        expectTrajectory(actual, reference(Self.sgdRule(lr: 0.1, momentum: 0.9, nesterov: true)))
    }

    @Test func sgdWeightDecay() {
        // Step 1: g + 0.1·θ = [0.5 + 0.1, −1 − 0.2, 2 + 0.05] = [0.6, −1.2, 2.05]; θ = [0.94, −1.88, 0.295].
        let actual = trajectory { SGD(parameters: $0, learningRate: 0.1, weightDecay: 0.1) }
        expectTrajectory([actual[0]], [[0.94, -1.88, 0.295]])
        expectTrajectory(actual, reference(Self.sgdRule(lr: 0.1, weightDecay: 0.1)))
        let withMomentum = trajectory { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1) }
        expectTrajectory(withMomentum, reference(Self.sgdRule(lr: 0.1, momentum: 0.9, weightDecay: 0.1)))
    }

    // MARK: Adam and AdamW

    @Test func adam() {
        let actual = trajectory { Adam(parameters: $0, learningRate: 0.1) }
        // Step 1: m̂ = g and v̂ = g², so θ₁ = θ₀ − 0.1·g/(|g| + 1e-8) ≈ θ₀ − 0.1·sign(g).
        expectTrajectory([actual[0]], [[0.9, -1.9, 0.4]], tolerance: 1e-8)
        expectTrajectory(actual, reference(Self.adamRule(lr: 0.1)))
    }

    @Test func adamWeightDecay() {
        let actual = trajectory { Adam(parameters: $0, learningRate: 0.1, weightDecay: 0.5) }
        // Step 1 on element 1: g = −1 + 0.5·(−2) = −2, still ≈ a step of 0.1 against its sign: −1.9.
        expectClose(actual[0][1], -1.9, tolerance: 1e-8)
        expectTrajectory(actual, reference(Self.adamRule(lr: 0.1, weightDecay: 0.5)))
        #expect(actual != trajectory { Adam(parameters: $0, learningRate: 0.1) })
    }

    @Test func adamW() {
        let actual = trajectory { AdamW(parameters: $0, learningRate: 0.1, weightDecay: 0.5) }
        // Step 1: θ·(1 − 0.1·0.5) = 0.95·θ, then ≈ −0.1·sign(g): [0.95 − 0.1, −1.9 + 0.1, 0.475 − 0.1].
        expectTrajectory([actual[0]], [[0.85, -1.8, 0.375]], tolerance: 1e-8)
        expectTrajectory(actual, reference(Self.adamRule(lr: 0.1, weightDecay: 0.5, decoupled: true)))
        // PyTorch's default decay is 0.01.
        expectTrajectory(trajectory { AdamW(parameters: $0, learningRate: 0.1) },
                         reference(Self.adamRule(lr: 0.1, weightDecay: 0.01, decoupled: true)))
    }

    @Test func adamInFloat() {
        let parameter = Variable(Tensor<Float>(Self.start.map(Float.init)), requiresGrad: true)
        let optimizer = Adam(parameters: [parameter], learningRate: 0.1)
        for gradient in Self.gradients {
            parameter.grad = Tensor(gradient.map(Float.init))
            optimizer.step()
        }
        let expected = reference(Self.adamRule(lr: 0.1)).last!
        #expect(zip(parameter.value.scalars, expected).allSatisfy { Swift.abs(Double($0) - $1) < 1e-6 })
    }

    // MARK: RMSProp

    @Test func rmsPropPlain() {
        let actual = trajectory { RMSProp(parameters: $0) }
        // Step 1: v = 0.01·g², √v = 0.1·|g|, so θ₁ ≈ θ₀ − 0.01·g/(0.1·|g|) = θ₀ − 0.1·sign(g).
        expectTrajectory([actual[0]], [[0.9, -1.9, 0.4]], tolerance: 1e-7)
        expectTrajectory(actual, reference(Self.rmsPropRule(lr: 0.01)))
    }

    @Test func rmsPropCentered() {
        let actual = trajectory { RMSProp(parameters: $0, centered: true) }
        // Step 1: a = 0.01·g, ṽ = 0.01·g² − 0.0001·g² = 0.0099·g², so θ₁ ≈ θ₀ − 0.01·sign(g)/√0.0099.
        let delta = 0.01 / 0.0099.squareRoot()
        expectTrajectory([actual[0]], [[1 - delta, -2 + delta, 0.5 - delta]], tolerance: 1e-7)
        expectTrajectory(actual, reference(Self.rmsPropRule(lr: 0.01, centered: true)))
    }

    @Test func rmsPropMomentum() {
        let actual = trajectory { RMSProp(parameters: $0, learningRate: 0.01, momentum: 0.9) }
        expectTrajectory(actual, reference(Self.rmsPropRule(lr: 0.01, momentum: 0.9)))
        let both = trajectory { RMSProp(parameters: $0, momentum: 0.9, centered: true) }
        expectTrajectory(both, reference(Self.rmsPropRule(lr: 0.01, momentum: 0.9, centered: true)))
    }

    // MARK: Adagrad

    @Test func adagradLearningRateDecay() {
        let actual = trajectory { Adagrad(parameters: $0, learningRate: 0.1, learningRateDecay: 0.5, initialAccumulatorValue: 0.1) }
        // Element 0: s = 0.1 + 0.25 = 0.35, θ₁ = 1 − 0.1·0.5/√0.35;
        // then γ̃ = 0.1/(1 + 0.5) and s = 0.35 + 0.0625 = 0.4125, θ₂ = θ₁ − (0.1/1.5)·0.25/√0.4125.
        let theta1 = 1 - 0.1 * 0.5 / 0.35.squareRoot()
        expectClose(actual[0][0], theta1, tolerance: 1e-9)
        expectClose(actual[1][0], theta1 - 0.1 / 1.5 * 0.25 / 0.4125.squareRoot(), tolerance: 1e-9)
        expectTrajectory(actual, reference(Self.adagradRule(lr: 0.1, lrDecay: 0.5, weightDecay: 0, initial: 0.1)))
        let decayed = trajectory { Adagrad(parameters: $0, learningRate: 0.1, learningRateDecay: 0.5, weightDecay: 0.2) }
        expectTrajectory(decayed, reference(Self.adagradRule(lr: 0.1, lrDecay: 0.5, weightDecay: 0.2, initial: 0)))
    }

    // MARK: Behaviour common to all

    /// One optimizer of each kind, configured so that it keeps every state tensor it can.
    static let factories: [(String, @Sendable ([Variable<Double>]) -> any Optimizer<Double>)] = [
        ("SGD", { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }),
        ("Adam", { Adam(parameters: $0, learningRate: 0.1, weightDecay: 0.01) }),
        ("AdamW", { AdamW(parameters: $0, learningRate: 0.1) }),
        ("RMSProp", { RMSProp(parameters: $0, momentum: 0.5, weightDecay: 0.01, centered: true) }),
        ("Adagrad", { Adagrad(parameters: $0, learningRate: 0.1, learningRateDecay: 0.1, initialAccumulatorValue: 0.1) }),
    ]

    @Test(arguments: factories.indices)
    func parametersWithoutGradientAreUntouched(_ index: Int) {
        let (name, makeOptimizer) = Self.factories[index]
        let trained = Variable(Tensor(Self.start), requiresGrad: true)
        let idle = Variable(Tensor<Double>([[3, 4]]), requiresGrad: true)
        let optimizer = makeOptimizer([trained, idle])
        _ = run(optimizer, on: trained, Self.gradients[...])
        #expect(idle.value == Tensor([[3, 4]]), "\(name)")
        #expect(idle.grad == nil, "\(name)")
        #expect(optimizer.state().perParameter[1].isEmpty, "\(name)")
        #expect(trained.value.scalars != Self.start, "\(name)")
    }

    @Test func adamCountsStepsPerParameter() {
        // As in PyTorch, a parameter skipped at step 1 gets bias correction t = 1 at its first update.
        let early = Variable(Tensor<Double>([1]), requiresGrad: true)
        let late = Variable(Tensor<Double>([1]), requiresGrad: true)
        let optimizer = Adam(parameters: [early, late], learningRate: 0.1)
        early.grad = Tensor([0.5])
        optimizer.step()
        late.grad = Tensor([0.5])
        optimizer.step()
        expectClose(late.value.scalars[0], 0.9, tolerance: 1e-8)
        let state = optimizer.state()
        #expect(state.step == 2)
        #expect(state.perParameter[0]["step"] == Tensor(2))
        #expect(state.perParameter[1]["step"] == Tensor(1))
    }

    @Test func worksThroughLetAndExistential() {
        let parameter = Variable(Tensor(Self.start), requiresGrad: true)
        let optimizer: any Optimizer<Double> = SGD(parameters: [parameter], learningRate: 0.1)
        parameter.grad = Tensor(Self.gradients[0])
        optimizer.step()
        #expect(parameter.value.scalars == [0.95, -1.9, 0.3])
        optimizer.zeroGrad()
        #expect(parameter.grad == nil)
        optimizer.learningRate = 1
        parameter.grad = Tensor([1, 1, 1])
        optimizer.step()
        expectTrajectory([parameter.value.scalars], [[-0.05, -2.9, -0.7]])
        #expect(optimizer.parameters.count == 1 && optimizer.parameters[0] === parameter)
    }

    @Test func stateNames() {
        func keys(_ optimizer: any Optimizer<Double>, _ parameter: Variable<Double>) -> [String] {
            parameter.grad = Tensor(Self.gradients[0])
            optimizer.step()
            return optimizer.state().perParameter[0].keys.sorted()
        }
        let p = { Variable(Tensor(Self.start), requiresGrad: true) }
        let (a, b, c, d, e, f) = (p(), p(), p(), p(), p(), p())
        #expect(keys(SGD(parameters: [a]), a) == [])
        #expect(keys(SGD(parameters: [b], momentum: 0.9), b) == ["momentum_buffer"])
        #expect(keys(Adam(parameters: [c]), c) == ["exp_avg", "exp_avg_sq", "step"])
        #expect(keys(RMSProp(parameters: [d]), d) == ["square_avg"])
        #expect(keys(RMSProp(parameters: [e], momentum: 0.9, centered: true), e) == ["grad_avg", "momentum_buffer", "square_avg"])
        #expect(keys(Adagrad(parameters: [f]), f) == ["step", "sum"])
    }

    @Test(arguments: factories.indices)
    func stateRoundTripContinuesIdentically(_ index: Int) throws {
        let (name, makeOptimizer) = Self.factories[index]
        let uninterrupted = trajectory(makeOptimizer)

        let first = Variable(Tensor(Self.start), requiresGrad: true)
        let firstOptimizer = makeOptimizer([first])
        _ = run(firstOptimizer, on: first, Self.gradients[..<2])
        let saved = firstOptimizer.state()
        #expect(saved.step == 2, "\(name)")

        // A fresh optimizer on a copy of the parameter, loaded, continues bit for bit.
        let resumed = Variable(first.value, requiresGrad: true)
        let resumedOptimizer = makeOptimizer([resumed])
        try resumedOptimizer.load(saved)
        #expect(resumedOptimizer.state() == saved, "\(name)")
        let values = run(resumedOptimizer, on: resumed, Self.gradients[2...])
        #expect(values == Array(uninterrupted[2...]), "\(name): \(values) ≠ \(uninterrupted[2...])")
    }

    @Test(arguments: factories.indices)
    func loadRejectsStateThatDoesNotFit(_ index: Int) {
        let (name, makeOptimizer) = Self.factories[index]
        let parameter = Variable(Tensor(Self.start), requiresGrad: true)
        let optimizer = makeOptimizer([parameter])
        parameter.grad = Tensor(Self.gradients[0])
        optimizer.step()
        let before = optimizer.state()

        var wrongShape = before
        let key = wrongShape.perParameter[0].keys.sorted().first { $0 != "step" }!
        wrongShape.perParameter[0][key] = Tensor.zeros([3, 1])
        var wrongCount = before
        wrongCount.perParameter.append([:])
        var wrongKeys = before
        wrongKeys.perParameter[0]["unknown"] = Tensor.zeros([3])
        var misfits = [wrongShape, wrongCount, wrongKeys]
        if before.perParameter[0]["step"] != nil {  // a per-parameter step count must be a 0-d tensor
            var wrongStep = before
            wrongStep.perParameter[0]["step"] = Tensor([1, 2])
            misfits.append(wrongStep)
        }
        for bad in misfits {
            #expect(throws: OptimizerStateError.self, "\(name)") { try optimizer.load(bad) }
            #expect(optimizer.state() == before, "\(name): a failed load changed the state")
        }
    }

    @Test func loadErrorsSayWhatIsWrong() throws {
        let parameter = Variable(Tensor(Self.start), requiresGrad: true)
        let optimizer = Adam(parameters: [parameter])
        parameter.grad = Tensor(Self.gradients[0])
        optimizer.step()
        var state = optimizer.state()
        state.perParameter[0]["exp_avg"] = Tensor.zeros([2])
        let shapeError = #expect(throws: OptimizerStateError.self) { try optimizer.load(state) }
        #expect(shapeError?.description == "Adam: \"exp_avg\" of parameter 0 has shape [2], but it must have shape [3]")
        let countError = #expect(throws: OptimizerStateError.self) {
            try optimizer.load(OptimizerState(step: 0, perParameter: []))
        }
        #expect(countError?.description == "Adam: the state has 0 parameter entries, but the optimizer has 1 parameters")
        state.perParameter[0] = ["exp_avg": Tensor.zeros([3])]
        let keyError = #expect(throws: OptimizerStateError.self) { try optimizer.load(state) }
        #expect(keyError?.description == "Adam: parameter 0 has state [\"exp_avg\"], but this optimizer keeps [\"exp_avg\", \"exp_avg_sq\", \"step\"]")
    }
}

@Suite("Gradient clipping")
struct GradientClippingTests {
    @Test func normIsReturnedBeforeClippingAndGradientsScaledToMaxNorm() {
        let a = Variable(Tensor<Double>([0, 0]), requiresGrad: true)
        let b = Variable(Tensor<Double>([0]), requiresGrad: true)
        let idle = Variable(Tensor<Double>([0]), requiresGrad: true)
        a.grad = Tensor([3, 4])
        b.grad = Tensor([12])
        // √(9 + 16 + 144) = 13; factor 6.5/(13 + 1e-6) ≈ 0.5.
        let norm = clipGradientNorm([a, b, idle], maxNorm: 6.5)
        #expect(norm == 13)
        let factor = 6.5 / (13 + 1e-6)
        #expect(a.grad == Tensor([3 * factor, 4 * factor]))
        #expect(b.grad == Tensor([12 * factor]))
        #expect(idle.grad == nil)
        let after = (a.grad!.scalars + b.grad!.scalars).map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(Swift.abs(after - 6.5) < 1e-6)
    }

    @Test func noScalingUnderTheLimit() {
        let a = Variable(Tensor<Double>([0, 0]), requiresGrad: true)
        a.grad = Tensor([3, -4])
        #expect(clipGradientNorm([a], maxNorm: 5.5) == 5)
        #expect(a.grad == Tensor([3, -4]))
        let f = Variable(Tensor<Float>([0]), requiresGrad: true)
        f.grad = Tensor([-2])
        #expect(clipGradientNorm([f], maxNorm: 1) == 2)
        #expect(Swift.abs(f.grad!.scalars[0] + 1) < 1e-6)
    }

    @Test func clipGradientValueClamps() {
        let a = Variable(Tensor<Double>([[0, 0], [0, 0]]), requiresGrad: true)
        let idle = Variable(Tensor<Double>([0]), requiresGrad: true)
        a.grad = Tensor([[-3, 0.5], [2, -1]])
        clipGradientValue([a, idle], maxValue: 1)
        #expect(a.grad == Tensor([[-1, 0.5], [1, -1]]))
        #expect(idle.grad == nil)
    }
}
