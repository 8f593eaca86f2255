import Backprop
import Foundation
import Testing
@testable import BackpropNN

@Suite struct LossValues {
    private let predicted = Variable<Double>(Tensor([1, 2, 3]), requiresGrad: true)
    private let expected = Variable<Double>(Tensor([1, 0, 5]))

    @Test func meanSquaredErrorReductions() {
        // Squared differences 0, 4, 4.
        expectClose(meanSquaredError(predicted: predicted, expected: expected).scalar, 8.0 / 3)
        #expect(meanSquaredError(predicted: predicted, expected: expected, reduction: .sum).scalar == 8)
        #expect(meanSquaredError(predicted: predicted, expected: expected, reduction: .none).value == Tensor([0, 4, 4]))
        meanSquaredError(predicted: predicted, expected: expected).backward()
        // ∂/∂p = 2(p − e)/3.
        expectClose(predicted.grad!, Tensor([0, 4.0 / 3, -4.0 / 3]))
    }

    @Test func l1AndHuber() {
        expectClose(l1Loss(predicted: predicted, expected: expected).scalar, 4.0 / 3)
        let p = Variable<Double>(Tensor([0.5, -2, 3]), requiresGrad: true), zero = Variable<Double>(.zeros([3]))
        // |d| < 1: ½d² = 0.125; otherwise |d| − ½: 1.5 and 2.5.
        #expect(huberLoss(predicted: p, expected: zero, reduction: .none).value == Tensor([0.125, 1.5, 2.5]))
        expectClose(huberLoss(predicted: p, expected: zero, delta: 2, reduction: .sum).scalar, 0.125 + 2 + 2 * (3 - 1))
        huberLoss(predicted: p, expected: zero, reduction: .sum).backward()
        #expect(p.grad == Tensor([0.5, -1, 1]))
    }

    @Test func binaryCrossEntropyIsStableForAnyLogit() {
        let logits = Variable<Double>(Tensor([0, 2, -1000, 1000, 3]), requiresGrad: true)
        let targets = Variable<Double>(Tensor([1, 0, 1, 0, 0.25]))
        let losses = binaryCrossEntropy(logits: logits, labels: targets, reduction: .none).value.scalars
        let sigmoid3 = 1 / (1 + Foundation.exp(-3.0))
        let expected = [Foundation.log(2.0), Foundation.log(1 + Foundation.exp(2.0)), 1000, 1000,
                        -(0.25 * Foundation.log(sigmoid3) + 0.75 * Foundation.log(1 - sigmoid3))]
        for (actual, value) in zip(losses, expected) { expectClose(actual, value, tolerance: 1e-12) }
        binaryCrossEntropy(logits: logits, labels: targets, reduction: .sum).backward()
        // ∂/∂x = σ(x) − t.
        expectClose(logits.grad!, Tensor([-0.5, 1 / (1 + Foundation.exp(-2.0)), -1, 1, sigmoid3 - 0.25]), tolerance: 1e-12)
    }

    @Test func crossEntropyWithAndWithoutSmoothing() {
        let logits = Variable<Double>(Tensor([[1, 2, 3], [1, 1, 1]]), requiresGrad: true)
        let lse = Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0))
        let nll = [lse - 3, Foundation.log(3.0)]
        expectClose(crossEntropy(logits: logits, labels: [2, 0]).scalar, (nll[0] + nll[1]) / 2, tolerance: 1e-12)
        // With smoothing 0.1: 0.9·nll + 0.1·mean over classes of −log p.
        let smoothedFirst = 0.9 * nll[0] + 0.1 * (lse - 2)
        let smoothed = crossEntropy(logits: logits, labels: [2, 0], labelSmoothing: 0.1, reduction: .none).value
        expectClose(smoothed, Tensor([smoothedFirst, Foundation.log(3.0)]), tolerance: 1e-12)
        crossEntropy(logits: logits, labels: [2, 0]).backward()
        // ∂/∂z = (softmax(z) − onehot) / N.
        let p = [1.0, 2, 3].map { Foundation.exp($0 - lse) }
        let firstRow: [Double] = [p[0] / 2, p[1] / 2, (p[2] - 1) / 2]
        let secondRow: [Double] = [-1.0 / 3, 1.0 / 6, 1.0 / 6]
        expectClose(logits.grad!, Tensor([firstRow, secondRow]), tolerance: 1e-12)
        let huge = Variable<Float>(Tensor([[1000, -1000], [-1000, 1000]]))
        #expect(crossEntropy(logits: huge, labels: [0, 1]).scalar == 0)
    }

    @Test func negativeLogLikelihoodPicksLabels() {
        let logProbabilities = Variable<Double>(Tensor([[-0.1, -2.3], [-1.2, -0.4]]))
        expectClose(negativeLogLikelihood(logProbabilities: logProbabilities, labels: [1, 0]).scalar, (2.3 + 1.2) / 2)
        #expect(negativeLogLikelihood(logProbabilities: logProbabilities, labels: [0, 1], reduction: .sum).scalar == 0.5)
    }

    @Test func lossesPassGradientChecks() {
        let shapes = [Tensor<Double>.uniform([3, 4], low: -2, high: 2, seed: 1), .uniform([3, 4], low: 0.1, high: 0.9, seed: 2)]
        let cases: [([Variable<Double>]) -> Variable<Double>] = [
            { meanSquaredError(predicted: $0[0], expected: $0[1]) },
            { huberLoss(predicted: $0[0], expected: $0[1], delta: 0.5) },
            { binaryCrossEntropy(logits: $0[0], labels: $0[1]) },
            { crossEntropy(logits: $0[0], labels: [3, 0, 1], labelSmoothing: 0.2) + $0[1].sum() * 0 },
        ]
        for loss in cases { #expect(checkGradients(at: shapes, loss).maxRelativeError < 1e-7) }
    }
}
