import Backprop
import Foundation
import Testing
import BackpropNN

/// Compiled training steps give the bits of eager ones: the same losses, gradients and
/// parameters after every step, on the training workloads' models.
@Suite struct CompiledTraining {
    /// Trains two copies of a model, one eagerly and one through `compile`, for `steps` steps on
    /// `batches` (cycled), and expects identical losses and parameters after every step.
    func expectIdenticalTraining<M: Layer<Float>>(
        steps: Int, makeModel: () -> M, batches: [(Tensor<Float>, Tensor<Float>)],
        loss: @escaping (M, Variable<Float>, Variable<Float>) -> Variable<Float>
    ) {
        let eager = withRandomSeed(7, makeModel), compiled = withRandomSeed(7, makeModel)
        let eagerOptimizer = SGD(parameters: eager.parameters(), learningRate: 0.05)
        let compiledOptimizer = SGD(parameters: compiled.parameters(), learningRate: 0.05)
        let step = compile { x, y in loss(compiled, x, y) }
        for i in 0..<steps {
            let (x, y) = batches[i % batches.count]
            eagerOptimizer.zeroGrad()
            let eagerLoss = loss(eager, Variable(x), Variable(y))
            eagerLoss.backward()
            compiledOptimizer.zeroGrad()
            let compiledLoss = step(x, y)
            compiledLoss.backward()
            #expect(eagerLoss.value == compiledLoss.value, "loss of step \(i)")
            for (a, b) in zip(eager.parameters(), compiled.parameters()) {
                #expect(a.grad == b.grad, "gradient at step \(i)")
            }
            eagerOptimizer.step()
            compiledOptimizer.step()
        }
        for (a, b) in zip(eager.parameters(), compiled.parameters()) { #expect(a.value == b.value) }
        #expect(step.tracingCallCount == 2)
        #expect(step.replayCount == steps - 2)
    }

    static func uniform(_ shape: [Int], seed: UInt64) -> Tensor<Float> {
        var generator = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: -1, high: 1, using: &generator)
    }

    @Test func smallTanhNetworkWithMeanSquaredError() {
        let batches = (0..<3).map { i in
            let x = Self.uniform([32, 2], seed: UInt64(i))
            return (x, Tensor(shape: [32, 1], scalars: (0..<32).map { x[$0, 0] * x[$0, 1] }))
        }
        expectIdenticalTraining(steps: 8, makeModel: {
            Sequential<Float>(Linear(inputSize: 2, outputSize: 16), Tanh(), Linear(inputSize: 16, outputSize: 16), Tanh(),
                              Linear(inputSize: 16, outputSize: 1))
        }, batches: batches) { model, x, y in meanSquaredError(predicted: model(x), expected: y) }
    }
}
