import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Hand-computed values and central differences for the losses of Losses+Divergence, Losses+Regression and
/// Losses+Margin, and for binaryCrossEntropy on probabilities.
@Suite struct LossFamilies {
    @Test func batchMeanDividesByTheFirstAxis() {
        let predicted = Variable<Double>(Tensor([[1, 2, 3], [4, 5, 6]]))
        let zero = Variable<Double>(.zeros([2, 3]))
        // Squares sum to 91; the batch is 2.
        #expect(meanSquaredError(predicted: predicted, expected: zero, reduction: .batchMean).scalar == 45.5)
        // Per-sample losses: batchMean is the mean.
        let logits = Variable<Double>(Tensor([[0, 0], [0, 0], [0, 0]]))
        expectClose(crossEntropy(logits: logits, labels: [0, 1, 1], reduction: .batchMean).scalar, Foundation.log(2.0))
    }

    @Test func klDivergenceTreatsZeroTargetsAsZero() {
        let x = Variable<Double>(Tensor([[-1, -2], [-0.5, -3]]), requiresGrad: true)
        let t = Variable<Double>(Tensor([[0.25, 0.75], [0, 1]]), requiresGrad: true)
        // t·(log t − x) per element, 0 where t = 0; batchMean halves the total.
        let elements = [0.25 * (Foundation.log(0.25) + 1), 0.75 * (Foundation.log(0.75) + 2), 0, 3]
        expectClose(klDivergence(logProbabilities: x, targets: t, reduction: .none).value,
                    Tensor(shape: [2, 2], scalars: elements), tolerance: 1e-15)
        let loss = klDivergence(logProbabilities: x, targets: t)
        expectClose(loss.scalar, elements.reduce(0, +) / 2, tolerance: 1e-15)
        loss.backward()
        expectClose(x.grad!, Tensor([[-0.125, -0.375], [0, -0.5]]), tolerance: 1e-15)
        // ∂/∂t = (log t + 1 − x)/2, and −x/2 where t = 0.
        let targetGradient = [(Foundation.log(0.25) + 2) / 2, (Foundation.log(0.75) + 3) / 2, 0.25, (0 + 1 + 3) / 2.0]
        expectClose(t.grad!, Tensor(shape: [2, 2], scalars: targetGradient), tolerance: 1e-15)
    }

    @Test func smoothL1AtTheKinkAndAtBetaZero() {
        let p = Variable<Double>(Tensor([0.25, -1, 2, 0]), requiresGrad: true), zero = Variable<Double>(.zeros([4]))
        // beta 1: ½d² inside, |d| − ½ from |d| = 1 on.
        #expect(smoothL1Loss(predicted: p, expected: zero, reduction: .none).value == Tensor([0.03125, 0.5, 1.5, 0]))
        smoothL1Loss(predicted: p, expected: zero, reduction: .sum).backward()
        #expect(p.grad == Tensor([0.25, -1, 1, 0]))
        p.grad = nil
        smoothL1Loss(predicted: p, expected: zero, beta: 0, reduction: .sum).backward()
        #expect(p.grad == Tensor([1, -1, 1, 0]))
        #expect(smoothL1Loss(predicted: p, expected: zero, beta: 0).scalar == l1Loss(predicted: p, expected: zero).scalar)
    }

    @Test func binaryCrossEntropyOnProbabilitiesClampsItsLogarithms() {
        let p = Variable<Double>(Tensor([0, 0, 1, 0.25]), requiresGrad: true)
        let t = Variable<Double>(Tensor([0, 1, 0.5, 1]))
        let losses = binaryCrossEntropy(probabilities: p, labels: t, reduction: .none)
        expectClose(losses.value, Tensor([0, 100, 50, -Foundation.log(0.25)]), tolerance: 1e-13)
        losses.sum().backward()
        // Unclamped terms: −t/p + (1 − t)/(1 − p); clamped ones give nothing.
        #expect(p.grad!.scalars.allSatisfy { $0.isFinite })
        expectClose(p.grad!, Tensor([1, 0, -0.5, -4]), tolerance: 1e-13)
        // Equal to the logits form at σ(x).
        let logits = Variable<Double>(Tensor([-2, 0.5, 3]))
        let targets = Variable<Double>(Tensor([0.1, 0.9, 0.4]))
        expectClose(binaryCrossEntropy(probabilities: sigmoid(logits), labels: targets).scalar,
                    binaryCrossEntropy(logits: logits, labels: targets).scalar, tolerance: 1e-14)
    }

    @Test func marginLossesByHand() {
        let a = Variable<Double>(Tensor([1, 2, 3])), b = Variable<Double>(Tensor([2, 0, 3]))
        // max(0, −y(a − b) + 0.5): y = (1, 1, −1) gives 1.5, 0, 0.5.
        expectClose(marginRankingLoss(a, b, target: Tensor([1, 1, -1]), margin: 0.5, reduction: .none).value,
                    Tensor([1.5, 0, 0.5]))
        let u = Variable<Double>(Tensor([[1, 0], [1, 1]])), v = Variable<Double>(Tensor([[0, 2], [2, 2]]))
        // cos = 0 and 1 (up to ε): y = 1 gives 1 − 0; y = −1 gives max(0, 1 − 0.2).
        expectClose(cosineEmbeddingLoss(u, v, target: Tensor([1, -1]), margin: 0.2, reduction: .none).value,
                    Tensor([1, 0.8]), tolerance: 1e-11)
        let anchor = Variable<Double>(Tensor([[0, 0]])), positive = Variable<Double>(Tensor([[3, 4]]))
        let negative = Variable<Double>(Tensor([[1, 0]]))
        // ‖(−3, −4) + ε‖ − ‖(−1, 0) + ε‖ + 1 ≈ 5 − 1 + 1.
        expectClose(tripletMarginLoss(anchor: anchor, positive: positive, negative: negative).scalar, 5, tolerance: 1e-5)
        expectClose(tripletMarginLoss(anchor: anchor, positive: positive, negative: negative, p: 1).scalar, 7, tolerance: 1e-5)
    }

    @Test func newLossesPassGradientChecks() {
        let points = [Tensor<Double>.uniform([3, 4], low: -2, high: 2, seed: 1), .uniform([3, 4], low: 0.1, high: 0.9, seed: 2),
                      .uniform([3, 4], low: -2, high: 2, seed: 3)]
        let signs = Tensor<Double>([1, -1, 1])
        let cases: [(String, ([Variable<Double>]) -> Variable<Double>)] = [
            ("klDivergence", { klDivergence(logProbabilities: logSoftmax($0[0], axis: 1), targets: $0[1]) + $0[2].sum() * 0 }),
            ("smoothL1Loss", { smoothL1Loss(predicted: $0[0], expected: $0[2], beta: 0.5) + $0[1].sum() * 0 }),
            ("binaryCrossEntropy", { binaryCrossEntropy(probabilities: $0[1], labels: sigmoid($0[0]), reduction: .sum) + $0[2].sum() * 0 }),
            ("marginRankingLoss", { marginRankingLoss($0[0], $0[2], target: Tensor(shape: [3, 4], scalars: (0..<12).map { $0 % 2 == 0 ? 1 : -1 }),
                                                      margin: 0.1) + $0[1].sum() * 0 }),
            ("cosineEmbeddingLoss", { cosineEmbeddingLoss($0[0], $0[2], target: signs, margin: -0.9, reduction: .sum) + $0[1].sum() * 0 }),
            ("tripletMarginLoss", { tripletMarginLoss(anchor: $0[0], positive: $0[1], negative: $0[2], margin: 3) }),
            ("tripletMarginLoss p 3", { tripletMarginLoss(anchor: $0[0], positive: $0[1], negative: $0[2], margin: 3, p: 3) }),
        ]
        for (name, loss) in cases {
            let error = checkGradients(at: points, loss).maxRelativeError
            #expect(error < 1e-7, "\(name): \(error)")
        }
    }
}

@Suite("Losses: bad arguments")
struct LossArgumentTests {
    @Test func shapeMismatchesNameTheOpAndShapes() async {
        let kl = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = klDivergence(logProbabilities: Variable<Double>(.zeros([2, 3])), targets: Variable(.zeros([3, 2])))
        }
        expectMessage(kl, "klDivergence: log-probabilities [2, 3] and targets [3, 2] differ in shape")
        let triplet = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = tripletMarginLoss(anchor: Variable<Double>(.zeros([2, 3])), positive: Variable(.zeros([2, 3])),
                                  negative: Variable(.zeros([2, 4])))
        }
        expectMessage(triplet, "tripletMarginLoss: anchor [2, 3], positive [2, 3] and negative [2, 4] are not all [N, D] or [D]")
    }
}
