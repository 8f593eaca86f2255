import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// RMSNorm and GroupNorm against PyTorch's float64 numbers (Tests/References/normalization.json).
@Suite struct NormalizationReference {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let shape: [Int]
        let epsilon: Double?
        let output, inputGradient, weightGradient: [Double]
        let biasGradient: [Double]?
        var testDescription: String { name }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("normalization.json", as: Reference.self).cases } catch {
            fatalError("Tests/References/normalization.json: \(error)")
        }
    }()

    @Test func theReferenceHoldsEveryCase() { #expect(Self.cases.count == 4) }

    @Test(arguments: cases) func outputAndGradientsMatchPyTorch(_ reference: Case) {
        let (weight, bias): (Variable<Double>, Variable<Double>?)
        let layer: (Variable<Double>) -> Variable<Double>
        switch reference.name {
        case "rmsNorm", "rmsNormDefaultEpsilon":
            let norm = RMSNorm<Double>(featureCount: reference.shape.last!, epsilon: reference.epsilon)
            (weight, bias, layer) = (norm.weight, nil, { norm($0) })
        default:
            let groups = reference.name == "groupNorm" ? 2 : 3
            let norm = GroupNorm<Double>(groupCount: groups, channelCount: reference.shape[1], epsilon: reference.epsilon!)
            (weight, bias, layer) = (norm.weight, norm.bias, { norm($0) })
        }
        weight.value = 1 + sinePattern(weight.shape, 1.3, 0.1) * 0.5
        bias?.value = sinePattern(bias!.shape, 0.9, 0.2) * 0.25
        let x = Variable(sinePattern(reference.shape, 0.7, 0.3), requiresGrad: true)
        let y = layer(x)
        (y * Variable(sinePattern(y.shape, 0.37, 1.1))).sum().backward()
        let pairs: [(String, [Double], [Double]?)] = [
            ("output", y.value.scalars, reference.output), ("input gradient", x.grad!.scalars, reference.inputGradient),
            ("weight gradient", weight.grad!.scalars, reference.weightGradient),
            ("bias gradient", bias?.grad?.scalars ?? [], reference.biasGradient ?? []),
        ]
        for (label, actual, expected) in pairs {
            #expect(actual.count == expected?.count, "\(reference.name) \(label): \(actual.count) elements")
            for (i, (a, b)) in zip(actual, expected ?? []).enumerated() {
                #expect(Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b)), "\(reference.name) \(label)[\(i)]: \(a), PyTorch \(b)")
            }
        }
    }

    @Test func gradientsMatchCentralDifferences() {
        let input = Tensor<Double>.uniform([2, 4, 3], low: -2, high: 2, seed: 7)
        #expect(layerGradientError(RMSNorm<Double>(featureCount: 3, epsilon: 1e-6), input: input) < 1e-7)
        #expect(layerGradientError(GroupNorm<Double>(groupCount: 2, channelCount: 4), input: input) < 1e-7)
        #expect(RMSNorm<Double>(featureCount: 3).parameters().count == 1)
        #expect(GroupNorm<Double>(groupCount: 2, channelCount: 4).parameters().count == 2)
    }
}
