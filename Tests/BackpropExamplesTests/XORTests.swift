import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct XORTests {
    @Test func hiddenLayerLearnsTheTruthTable() {
        let model = XOR.makeModel(hiddenUnits: 4, seed: 0)
        let losses = XOR.train(model, epochs: 300, batchSize: 4, learningRate: 0.05, seed: 0)
        #expect(losses.last! < 0.02)
        #expect(losses.last! < losses.first! / 10)
        let predicted = XOR.probabilities(of: model).map { $0 > 0.5 ? 1.0 : 0.0 }
        #expect(predicted == [0, 1, 1, 0])
    }

    @Test func hiddenLayerConvergesForOtherSeedsAndWithSingleExamples() {
        for seed: UInt64 in 1...3 {
            let model = XOR.makeModel(hiddenUnits: 4, seed: seed)
            #expect(XOR.train(model, epochs: 300, batchSize: 4, learningRate: 0.05, seed: seed).last! < 0.01, "seed \(seed)")
        }
        let model = XOR.makeModel(hiddenUnits: 4, seed: 0)
        #expect(XOR.train(model, epochs: 300, batchSize: 1, learningRate: 0.05, seed: 0).last! < 0.02)
    }

    /// Logistic regression's loss on XOR is convex with its minimum at w = 0, b = 0 (the
    /// gradient there is Σ (½ − tᵢ) xᵢ = 0), where every prediction is ½ and the loss is ln 2.
    @Test func linearModelCannotGoBelowLogTwo() {
        let model = XOR.makeModel(hiddenUnits: 0, seed: 0)
        let losses = XOR.train(model, epochs: 300, batchSize: 4, learningRate: 0.05, seed: 0)
        #expect(losses.allSatisfy { $0 >= log(2) - 1e-5 })
        #expect(abs(losses.last! - log(2)) < 1e-3)
        for probability in XOR.probabilities(of: model) { #expect(abs(probability - 0.5) < 0.02) }
    }

    @Test func decisionRegionsFollowTheRowsFromTheBottom() {
        // Class 1 above the diagonal y = x: the bottom-right cell is 0, the top-left is 1.
        let grid = decisionRegions(x: 0...1, y: 0...1, resolution: 4) { points in
            (0..<points.shape[0]).map { points[$0, 1] > points[$0, 0] ? 1 : 0 }
        }
        #expect(grid.count == 4 && grid.allSatisfy { $0.count == 4 })
        #expect(grid[0][3] == 0 && grid[3][0] == 1)
        #expect(grid.joined().filter { $0 == 1 }.count == 6)
        #expect(accuracy(predicted: [1, 0, 2, 2], labels: [1, 1, 2, 0]) == 0.5)
    }
}
