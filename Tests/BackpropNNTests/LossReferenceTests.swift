import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// The losses against PyTorch's float64 values and input gradients (Tests/References/losses.json).
@Suite struct LossReference {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name, reduction: String
        let parameters: [String: Double]
        let inputShapes: [[Int]]
        let inputs: [[Double]]
        let target: [Double]?
        let targetShape: [Int]?
        let outputShape: [Int]
        let output, weights: [Double]
        let gradients: [[Double?]?]
        var testDescription: String { "\(name) \(reduction) \(inputShapes[0]) \(parameters)" }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("losses.json", as: Reference.self).cases } catch {
            fatalError("Tests/References/losses.json: \(error)")
        }
    }()

    static func loss(_ reference: Case, _ x: [Variable<Double>]) -> Variable<Double> {
        let reduction: Reduction = switch reference.reduction {
        case "none": .none
        case "mean": .mean
        case "sum": .sum
        default: .batchMean
        }
        let target = reference.target.map { Tensor(shape: reference.targetShape!, scalars: $0) }
        let margin = reference.parameters["margin"] ?? 0
        switch reference.name {
        case "klDivergence":
            return klDivergence(logProbabilities: x[0], targets: x[1], reduction: reduction)
        case "smoothL1Loss":
            return smoothL1Loss(predicted: x[0], expected: x[1], beta: reference.parameters["beta"]!, reduction: reduction)
        case "binaryCrossEntropy":
            return binaryCrossEntropy(probabilities: x[0], labels: x[1], reduction: reduction)
        case "marginRankingLoss":
            return marginRankingLoss(x[0], x[1], target: target!, margin: margin, reduction: reduction)
        case "cosineEmbeddingLoss":
            return cosineEmbeddingLoss(x[0], x[1], target: target!, margin: margin, reduction: reduction)
        case "tripletMarginLoss":
            return tripletMarginLoss(anchor: x[0], positive: x[1], negative: x[2], margin: margin,
                                     p: reference.parameters["p"]!, reduction: reduction)
        default:
            fatalError("losses.json: unknown loss \(reference.name)")
        }
    }

    @Test func theReferenceHoldsEveryCase() {
        #expect(Self.cases.count == 56)
        #expect(Set(Self.cases.map(\.reduction)) == ["none", "mean", "sum", "batchmean"])
    }

    @Test(arguments: cases) func valuesAndGradientsMatchPyTorch(_ reference: Case) {
        let x = zip(reference.inputShapes, reference.inputs).map { shape, scalars in
            Variable(Tensor(shape: shape, scalars: scalars), requiresGrad: true)
        }
        let y = Self.loss(reference, x)
        #expect(y.shape == reference.outputShape)
        (y * Variable(Tensor(shape: reference.outputShape, scalars: reference.weights))).sum().backward()
        func compare(_ label: String, _ actual: [Double], _ expected: [Double?]) {
            #expect(actual.count == expected.count, "\(reference.testDescription) \(label): \(actual.count) elements")
            for (i, (a, b)) in zip(actual, expected).enumerated() {
                guard let b else { continue }
                #expect(Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b)),
                        "\(reference.testDescription) \(label)[\(i)]: \(a), PyTorch \(b)")
            }
        }
        compare("value", y.value.scalars, reference.output)
        for (k, gradient) in reference.gradients.enumerated() {
            guard let gradient else { continue }
            compare("gradient \(k)", x[k].grad?.scalars ?? [], gradient)
        }
    }
}
