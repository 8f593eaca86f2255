import Testing
import Backprop

/// The index-tensor and mask snippets of the docs, run as written.
@Suite struct DocumentationIndexExamples {
    @Test func conceptsIndexTensorsAndMasks() {
        // doc: Docs/Concepts.md
        let logits = Tensor<Float>([[2, 0.5, -1], [0.1, 0.2, 3]])
        let predicted = logits.argmax(axis: -1)                 // Tensor<Int>: [0 2]
        let correct = predicted.isEqual(to: Tensor([0, 1]))     // Tensor<Bool>: [ true false]
        print(correct.converted(to: Float.self).mean())         // 0.5, the accuracy

        let table = Variable(Tensor<Float>.normal([10, 4], seed: 0), requiresGrad: true)
        let tokens = Tensor<Int>(shape: [2, 3], scalars: [1, 5, 9, 0, 0, 2])
        print(table.gathering(indices: tokens, axis: 0).shape)  // [2, 3, 4]

        // A causal mask: position i may attend to positions j ≤ i.
        let positions = Tensor<Int>([0, 1, 2])
        let causal = positions.reshaped([3, 1]).isGreaterOrEqual(to: positions)
        let scores = Variable(Tensor<Float>.ones([3, 3]), requiresGrad: true)
        let weights = softmax(which(causal, scores, Variable(Tensor(-Float.infinity))), axis: -1)
        print(weights.value[2, 0], weights.value[0, 1])        // 0.3333333 0.0
        // end doc
        #expect(predicted.description == "[0 2]" && correct.description == "[ true false]")
        #expect(correct.converted(to: Float.self).mean().scalar == 0.5)
        #expect(table.gathering(indices: tokens, axis: 0).shape == [2, 3, 4])
        #expect(causal.scalars == [true, false, false, true, true, false, true, true, true])
        #expect(Swift.abs(weights.value[2, 0] - 1 / 3) < 1e-6 && weights.value[0, 1] == 0 && weights.value[0, 0] == 1)
    }
}
