import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct SpiralsTests {
    @Test func dataHasThreeSeededArms() {
        let data = Spirals.makeData(perClass: 50, noise: 0, seed: 1)
        #expect(data.inputs.shape == [150, 2])
        #expect(data.targets.scalars.map { Int($0) } == (0..<3).flatMap { Array(repeating: $0, count: 50) })
        // Without noise, arm k starts at radius 0.1 and angle 2πk/3.
        for arm in 0..<3 {
            let angle = 2 * Double.pi * Double(arm) / 3
            #expect(abs(Double(data.inputs[50 * arm, 0]) - 0.1 * cos(angle)) < 1e-6)
            #expect(abs(Double(data.inputs[50 * arm, 1]) - 0.1 * sin(angle)) < 1e-6)
        }
        let noisy = Spirals.makeData(perClass: 50, seed: 1)
        #expect(noisy.inputs.scalars == Spirals.makeData(perClass: 50, seed: 1).inputs.scalars)
        #expect(noisy.inputs.scalars != data.inputs.scalars)
    }

    @Test func smallNetworkSeparatesTheArms() {
        let data = Spirals.makeData(perClass: 40, seed: 0)
        let model = Spirals.makeModel(hiddenUnits: 32, seed: 1)
        let history = trainClassifier(model, on: data, epochs: 120, batchSize: 20, learningRate: 0.01, seed: 2)
        #expect(history.count == 120)
        #expect(history.last!.accuracy >= 0.95)
        #expect(history.last!.loss < 0.2)
        #expect(history.last!.loss < history.first!.loss / 4)
        // The decision regions agree with the classifier at a training point's cell.
        let regions = decisionRegions(x: -1.25...1.25, y: -1.25...1.25, resolution: 50) { predictedClasses(model, $0) }
        #expect(Set(regions.joined()) == [0, 1, 2])
    }
}
