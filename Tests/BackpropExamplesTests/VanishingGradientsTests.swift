import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct VanishingGradientsTests {
    @Test func networksHaveTwentyLinearLayersAndTheirInitialisation() {
        for network in DeepNetwork.allCases {
            let model = network.makeModel(depth: 20, width: 32, inputSize: 2, outputSize: 3, seed: 1)
            #expect(model.linearLayerNames().count == 20, "\(network)")
        }
        // The residual network's hidden layers sit inside blocks; the LayerNorm one has a norm per hidden layer.
        let residual = DeepNetwork.tanhResidual.makeModel(depth: 20, width: 32, inputSize: 2, outputSize: 3, seed: 1)
        #expect(residual.linearLayerNames().prefix(3) == ["0", "2.body.0", "3.body.0"])
        let normalised = DeepNetwork.tanhLayerNorm.makeModel(depth: 20, width: 32, inputSize: 2, outputSize: 3, seed: 1)
        #expect(normalised.namedParameters().count { $0.name.hasSuffix("weight") && $0.parameter.shape == [32] } == 19)
        // Kaiming's N(0, 2/32) against PyTorch's default, uniform on ±1/√32 (standard deviation 1/√96).
        let kaiming = DeepNetwork.reluKaiming.makeModel(depth: 20, width: 32, inputSize: 2, outputSize: 3, seed: 1)
        let sigmoid = DeepNetwork.sigmoid.makeModel(depth: 20, width: 32, inputSize: 2, outputSize: 3, seed: 1)
        func deviation(_ model: Sequential<Float>) -> Double {
            let scalars = model.namedParameters().filter { $0.parameter.shape == [32, 32] }.flatMap(\.parameter.value.scalars)
            return (scalars.reduce(0) { $0 + Double($1) * Double($1) } / Double(scalars.count)).squareRoot()
        }
        #expect(abs(deviation(kaiming) / (2.0 / 32).squareRoot() - 1) < 0.02)
        #expect(abs(deviation(sigmoid) * 96.0.squareRoot() - 1) < 0.02)
        // Large init: 1.6 times Kaiming's standard deviation.
        let large = makeLargeInitNetwork(depth: 20, width: 32, inputSize: 2, outputSize: 3, scale: 1.6, seed: 1)
        #expect(abs(deviation(large) / (1.6 * (2.0 / 32).squareRoot()) - 1) < 0.02)
    }

    @Test func sigmoidGradientsVanishWhereTheRemediesKeepThem() {
        let data = Spirals.makeData(perClass: 32, seed: 0)
        var runs: [DeepNetwork: DeepRun] = [:]
        for network in DeepNetwork.allCases {
            runs[network] = trainDeepNetwork(network, on: data, classCount: 3, depth: 20, width: 32, epochs: 1, batchSize: 32,
                                             learningRate: 0.002, seed: 1)
        }
        func ratio(_ network: DeepNetwork) -> Double { runs[network]!.initialNorms.first! / runs[network]!.initialNorms.last! }
        // σ′ ≤ 1/4 and small weights: about 0.14 per layer over 19 layers.
        #expect(ratio(.sigmoid) < 1e-14)
        #expect(ratio(.tanh) < 1e-4 && ratio(.tanh) > 1e-8)
        for network in [DeepNetwork.reluKaiming, .tanhLayerNorm, .tanhResidual] { #expect(ratio(network) > 1e-2, "\(network)") }
        #expect(runs[.sigmoid]!.initialNorms.first! < 1e-12 * runs[.reluKaiming]!.initialNorms.first!)
        // The norms fall steadily from the last layer back to the first.
        let sigmoidNorms = runs[.sigmoid]!.initialNorms
        #expect(zip(sigmoidNorms, sigmoidNorms.dropFirst()).allSatisfy { $0 < $1 })
        // The monitor says so for the first two, and nothing for the remedies, in one epoch.
        for network in [DeepNetwork.sigmoid, .tanh] {
            let warning = runs[network]!.warnings.first
            #expect(warning?.kind == .vanishingGradients && warning?.step == 0 && warning?.layer == "0", "\(network)")
            #expect(warning?.value == runs[network]!.initialNorms.first!)
        }
        for network in [DeepNetwork.reluKaiming, .tanhLayerNorm, .tanhResidual] {
            #expect(runs[network]!.warnings.isEmpty, "\(network): \(runs[network]!.warnings)")
        }
    }

    @Test func residualNetworkLearnsWhereTheSigmoidOneCannot() {
        let data = Spirals.makeData(perClass: 32, seed: 0)
        let sigmoid = trainDeepNetwork(.sigmoid, on: data, classCount: 3, depth: 20, width: 32, epochs: 15, batchSize: 32,
                                       learningRate: 0.005, seed: 1)
        let residual = trainDeepNetwork(.tanhResidual, on: data, classCount: 3, depth: 20, width: 32, epochs: 15,
                                        batchSize: 32, learningRate: 0.005, seed: 1)
        // The sigmoid network stays at chance: ln 3 ≈ 1.0986, one class for every point.
        #expect(abs(sigmoid.epochLosses.last! - log(3)) < 0.02)
        #expect(abs(sigmoid.accuracies.last! - 1.0 / 3) < 1e-9)
        // The residual one learns: its loss falls well below ln 3 in 45 steps.
        #expect(residual.epochLosses.last! < 0.9 && residual.accuracies.last! > 0.5)
    }

    @Test func clippingKeepsTheLargeInitNetworkFinite() {
        let data = Spirals.makeData(perClass: 32, seed: 0)
        func train(_ maxNorm: Double?) -> ExplodingRun {
            trainLargeInitNetwork(on: data, classCount: 3, depth: 20, width: 32, scale: 1.6, steps: 30, batchSize: 32,
                                  learningRate: 0.002, maxNorm: maxNorm, seed: 2)
        }
        let unclipped = train(nil), clipped = train(5)
        #expect(unclipped.diverged && unclipped.losses.count < 30)
        let kinds = unclipped.warnings.map(\.kind)
        #expect(kinds.first == .explodingGradients && kinds.contains(.divergingLoss) && kinds.contains(.nonFiniteGradients))
        #expect(unclipped.warnings.first!.value > 1e3 && unclipped.warnings.first!.step == 0)
        // The same start, the same first gradient; clipped, the loss stays finite and falls.
        #expect(clipped.gradientNorms.first == unclipped.gradientNorms.first && clipped.gradientNorms.first! > 1e3)
        #expect(!clipped.diverged && clipped.losses.count == 30)
        #expect(clipped.losses.last! < clipped.losses.first! / 10)
    }
}
