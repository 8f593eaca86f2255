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

/// The Getting Started snippets on index tensors, einsum and transforms.
@Suite struct GettingStartedIndexExamples {
    @Test func attentionOverPaddedTokens() {
        // doc: Docs/GettingStarted.md
        let tokens = Tensor<Int>(shape: [2, 4], scalars: [3, 1, 4, 0, 2, 2, 0, 0])   // 0 pads
        let isPadding = tokens.isEqual(to: Tensor(0))                                 // Tensor<Bool> [2, 4]
        let embedding = Variable(Tensor<Float>.normal([5, 8], seed: 1), requiresGrad: true)
        let x = embedding.gathering(indices: tokens, axis: 0)                         // [2, 4, 8]
        let scores = einsum("btd,bsd->bts", x, x) / Float(8).squareRoot()             // [2, 4, 4]
        let attention = softmax(scores.filling(where: isPadding.reshaped([2, 1, 4]), with: -.infinity), axis: -1)
        let mixed = einsum("bts,bsd->btd", attention, x)                              // [2, 4, 8]
        mixed.sum().backward()
        print(attention.value[1, 0, 2], attention.value[1, 0, 3])  // 0.0 0.0: no weight on padding
        print(embedding.grad!.shape)                               // [5, 8]
        // end doc
        #expect(attention.value[1, 0, 2] == 0 && attention.value[1, 0, 3] == 0 && attention.value[0, 2, 3] == 0)
        #expect(Swift.abs(attention.value.sum(axis: -1).sum().scalar - 8) < 1e-5)
        #expect(embedding.grad!.shape == [5, 8])
        #expect(mixed.shape == [2, 4, 8])
    }

    @Test func derivativesOfAFunctionOfATensor() {
        // doc: Docs/GettingStarted.md
        let cube = { (w: Variable<Double>) in (w * w * w).sum() }
        print(gradient(at: Tensor([1, 2]), of: cube))   // [ 3.0 12.0]
        print(hessian(at: Tensor([1, 2]), of: cube))    // [[ 6.0  0.0]
                                                        //  [ 0.0 12.0]]
        // end doc
        #expect(gradient(at: Tensor([1, 2]), of: cube).description == "[ 3.0 12.0]")
        #expect(hessian(at: Tensor([1, 2]), of: cube).description == "[[ 6.0  0.0]\n [ 0.0 12.0]]")
    }
}

/// The Concepts snippet on the ops that ported models need.
@Suite struct ConceptsModelOpExamples {
    @Test func einsumAndTopK() {
        // doc: Docs/Concepts.md
        let q = Variable(Tensor<Float>.normal([2, 3, 4, 8], seed: 1), requiresGrad: true)  // [batch, heads, time, d]
        let k = Variable(Tensor<Float>.normal([2, 3, 4, 8], seed: 2), requiresGrad: true)
        let scores = einsum("bhtd,bhsd->bhts", q, k)                  // one batched GEMM, no copies
        print(scores.value.isApproximatelyEqual(to: matmul(q, k.transposed()).value, tolerance: 1e-5))  // true
        let (best, positions) = scores.topK(2)                        // the two largest scores per row
        print(best.shape, positions.shape)                            // [2, 3, 4, 2] [2, 3, 4, 2]
        best.sum().backward()                                         // reaches q and k through the picked scores
        print(q.grad!.shape)                                          // [2, 3, 4, 8]
        // end doc
        #expect(scores.value.isApproximatelyEqual(to: matmul(q, k.transposed()).value, tolerance: 1e-5))
        #expect(best.shape == [2, 3, 4, 2] && positions.shape == [2, 3, 4, 2])
        #expect(best.value.slicing(0..<1, axis: -1).isGreater(than: best.value.slicing(1..<2, axis: -1)).scalars.allSatisfy { $0 })
        #expect(q.grad!.shape == [2, 3, 4, 8])
    }
}
