import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Two interleaved spirals, `perClass` points each, with a little seeded noise.
func twoSpirals(perClass: Int, seed: UInt64) -> TensorDataset<Float> {
    var noise = SeededGenerator(seed: seed)
    var points: [Float] = [], labels: [Int] = []
    for label in 0..<2 {
        for i in 0..<perClass {
            let progress = Double(i) / Double(perClass)
            let radius = 0.1 + 0.9 * progress, angle = 3 * Double.pi * progress + Double(label) * Double.pi
            let jitter = Tensor<Double>.normal([2], standardDeviation: 0.02, using: &noise).scalars
            points += [Float(radius * cos(angle) + jitter[0]), Float(radius * sin(angle) + jitter[1])]
            labels.append(label)
        }
    }
    return TensorDataset(inputs: Tensor(shape: [2 * perClass, 2], scalars: points), labels: labels)
}

@Suite struct Convergence {
    @Test func xorFallsBelowOneHundredth() {
        let model = withRandomSeed(1) { Sequential<Float>(Linear(inputSize: 2, outputSize: 8), Tanh(), Linear(inputSize: 8, outputSize: 1)) }
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.05)
        let x = Variable(Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]]))
        let y = Variable(Tensor<Float>([[0], [1], [1], [0]]))
        var loss = Float.infinity
        for _ in 0..<300 {
            optimizer.zeroGrad()
            let value = meanSquaredError(predicted: model(x), expected: y)
            value.backward()
            optimizer.step()
            loss = value.scalar
        }
        #expect(loss < 0.01)
    }

    @Test func twoSpiralsAreSeparatedAboveNinetyFivePercent() {
        let data = twoSpirals(perClass: 200, seed: 3)
        let model = withRandomSeed(2) {
            Sequential<Float>(Linear(inputSize: 2, outputSize: 32), Tanh(), Linear(inputSize: 32, outputSize: 32), Tanh(),
                              Linear(inputSize: 32, outputSize: 2))
        }
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.02)
        let loader = DataLoader(data, batchSize: 100, shuffle: true, seed: 4)
        for _ in 0..<150 {
            for batch in loader {
                optimizer.zeroGrad()
                crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels).backward()
                optimizer.step()
            }
        }
        let predictions = withoutGradients { model(Variable(data.inputs)).value.argmax(axis: 1).scalars }
        let correct = zip(predictions, data.targets.scalars).filter { $0 == Int($1) }.count
        let accuracy = Double(correct) / Double(data.count)
        #expect(accuracy > 0.95, "accuracy \(accuracy)")
    }
}
