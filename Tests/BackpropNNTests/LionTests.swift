import Testing
import Backprop
@testable import BackpropNN

/// Lion against two steps worked by hand from θ₀ = [1, −2, 0.5] with g₁ = [0.5, −1, 2], g₂ = [0.25, 2, −0.5],
/// γ = 0.1, β = (0.9, 0.99).
///
/// Step 1: m = 0, so c = 0.1·g₁ = [0.05, −0.1, 0.2], signs [1, −1, 1]; then m = 0.01·g₁ = [0.005, −0.01, 0.02].
/// Step 2: c = 0.9·m + 0.1·g₂ = [0.0295, 0.191, −0.032], signs [1, 1, −1].
@Suite("Lion")
struct LionTests {
    func run(weightDecay: Double) -> [[Double]] {
        let theta = Variable(Tensor<Double>([1, -2, 0.5]), requiresGrad: true)
        let optimizer = Lion(parameters: [theta], learningRate: 0.1, weightDecay: weightDecay)
        return [[0.5, -1, 2], [0.25, 2, -0.5]].map { g in
            theta.grad = Tensor(g)
            optimizer.step()
            return theta.value.scalars
        }
    }

    func expectClose(_ actual: [[Double]], _ expected: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) {
        let close = zip(actual, expected).allSatisfy { zip($0, $1).allSatisfy { Swift.abs($0 - $1) < 1e-12 } }
        #expect(close, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    @Test func stepsBySignOfInterpolatedMomentum() {
        // θ₁ = θ₀ − 0.1·[1, −1, 1]; θ₂ = θ₁ − 0.1·[1, 1, −1].
        expectClose(run(weightDecay: 0), [[0.9, -1.9, 0.4], [0.8, -2.0, 0.5]])
    }

    @Test func decaysWeightsAlongsideTheSign() {
        // θ₁ = θ₀ − 0.1·(sign + 0.5·θ₀) = [0.85, −1.8, 0.375];
        // θ₂ = θ₁ − 0.1·([1, 1, −1] + 0.5·θ₁) = [0.7075, −1.81, 0.45625].
        expectClose(run(weightDecay: 0.5), [[0.85, -1.8, 0.375], [0.7075, -1.81, 0.45625]])
    }

    @Test func keepsTheMomentumAsExpAvg() {
        let theta = Variable(Tensor<Double>([1, -2, 0.5]), requiresGrad: true)
        let optimizer = Lion(parameters: [theta])
        #expect(optimizer.learningRate == 1e-4 && optimizer.beta1 == 0.9 && optimizer.beta2 == 0.99 && optimizer.weightDecay == 0)
        theta.grad = Tensor([0.5, -1, 2])
        optimizer.step()
        let m = optimizer.state().perParameter[0]["exp_avg"]!.scalars
        #expect(zip(m, [0.005, -0.01, 0.02]).allSatisfy { Swift.abs($0 - $1) < 1e-15 })
    }
}
