import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// APIs that take labels or token ids accept `Tensor<Int>` beside `[Int]`, with the same results.
@Suite struct IndexTensorInputs {
    @Test func crossEntropyTakesALabelTensor() {
        let logits = Variable(Tensor<Double>([[2, 0.5, -1], [0.1, 0.2, 3]]), requiresGrad: true)
        let fromArray = crossEntropy(logits: logits, labels: [0, 2], labelSmoothing: 0.1)
        let fromTensor = crossEntropy(logits: logits, labels: Tensor<Int>([0, 2]), labelSmoothing: 0.1)
        #expect(fromTensor.value == fromArray.value)
        // Hand-computed: mean of logSumExp(row) − logit[label] without smoothing.
        let plain = crossEntropy(logits: logits, labels: Tensor<Int>([0, 2])).scalar
        let first: Double = Foundation.log(Foundation.exp(2.0) + Foundation.exp(0.5) + Foundation.exp(-1.0)) - 2
        let second: Double = Foundation.log(Foundation.exp(0.1) + Foundation.exp(0.2) + Foundation.exp(3.0)) - 3
        let expected = (first + second) / 2
        #expect(Swift.abs(plain - expected) < 1e-12)
        let nll = negativeLogLikelihood(logProbabilities: logSoftmax(logits, axis: 1), labels: Tensor<Int>([0, 2]))
        #expect(Swift.abs(nll.scalar - expected) < 1e-12)
    }

    @Test func embeddingTakesTokenIdsOfAnyShape() {
        let embedding = Embedding<Double>(embeddingCount: 5, embeddingSize: 3)
        let ids = Tensor<Int>(shape: [2, 3], scalars: [4, 0, 1, 1, 2, 4])
        let vectors = embedding(ids)
        #expect(vectors.shape == [2, 3, 3])
        #expect(vectors.value == embedding([[4, 0, 1], [1, 2, 4]]).value)
    }

    @Test func datasetTakesALabelTensor() {
        let inputs = Tensor<Float>([[1, 2], [3, 4], [5, 6]])
        let dataset = TensorDataset(inputs: inputs, labels: Tensor<Int>([2, 0, 1]))
        #expect(dataset.batch(at: [2, 0]).labels == [1, 2])
    }
}
