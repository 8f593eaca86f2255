import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Properties of attention and positional encodings that hold by construction: masking, dropout modes,
/// relative positions under RoPE, and the stacked encoder.
@Suite struct AttentionTests {
    static func attention(dropout: Double = 0, seed: UInt64? = nil) -> MultiHeadAttention<Double> {
        let layer = MultiHeadAttention<Double>(modelSize: 4, headCount: 2, dropout: dropout, seed: seed)
        AttentionReference.setWeights(layer)
        return layer
    }

    @Test func aQueryWithEveryKeyMaskedGetsNaNAsInPyTorch() {
        // PyTorch 2.15's multi_head_attention_forward with need_weights=True gives NaN for such rows.
        let x = Variable(sinePattern([2, 3, 4], 0.7, 0.3))
        let padding = Tensor<Bool>(shape: [2, 3], scalars: [true, true, true, false, true, false])
        let (output, weights) = Self.attention().outputAndWeights(query: x, key: x, value: x, keyPaddingMask: padding)
        #expect(output.value.slicing(0..<1).scalars.allSatisfy { $0.isNaN })
        #expect(output.value.slicing(1..<2).scalars.allSatisfy { $0.isFinite })
        // The second sequence attends only to its unpadded keys 0 and 2.
        let second = weights.value.slicing(1..<2).scalars
        #expect(second.enumerated().allSatisfy { $0.offset % 3 != 1 || $0.element == 0 })
        expectClose(second.reduce(0, +), 3, tolerance: 1e-12)
    }

    @Test func aBooleanMaskActsAsAnAdditiveMaskOfMinusInfinity() {
        let x = Variable(sinePattern([2, 3, 4], 0.7, 0.3))
        let forbidden: [Bool] = [false, true, true, false, false, true, false, true, false]
        let boolean = Tensor<Bool>(shape: [3, 3], scalars: forbidden)
        let additive = Tensor<Double>(shape: [3, 3], scalars: forbidden.map { $0 ? -.infinity : 0 })
        let attention = Self.attention()
        #expect(attention(x, mask: .boolean(boolean)).value == attention(x, mask: .additive(additive)).value)
        let causal = Tensor<Bool>(shape: [3, 3], scalars: (0..<9).map { $0 % 3 > $0 / 3 })
        #expect(attention(x, mask: .causal).value == attention(x, mask: .boolean(causal)).value)
    }

    @Test func attentionDropoutActsOnlyInTrainingAndASeedReproducesIt() {
        let x = Variable(sinePattern([2, 3, 4], 0.7, 0.3))
        let plain = Self.attention()(x).value
        let first = Self.attention(dropout: 0.5, seed: 3), second = Self.attention(dropout: 0.5, seed: 3)
        #expect(first.namedGenerators().map(\.name) == ["generator"])
        #expect(Self.attention().namedGenerators().isEmpty)
        let trained = first(x).value
        #expect(trained == second(x).value)
        #expect(trained != plain)
        #expect(first(x).value != trained)                       // each call draws new masks
        first.eval()
        #expect(first(x).value == plain)
        // Kept weights are scaled by 1 / (1 − p) = 2, so each lies in [0, 2].
        first.train()
        let weights = first.outputAndWeights(query: x, key: x, value: x, averageWeights: false).weights.value.scalars
        #expect(weights.allSatisfy { $0 >= 0 && $0 <= 2 })
    }

    @Test func encoderLayerDropoutIsOffInEvaluation() {
        let x = Variable(sinePattern([2, 3, 4], 0.7, 0.3))
        let (layer, reference) = withRandomSeed(5) {
            (TransformerEncoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 6),
             TransformerEncoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 6, dropout: 0))
        }
        AttentionReference.setWeights(layer); AttentionReference.setWeights(reference)
        #expect(layer(x).value != reference(x).value)
        layer.eval()
        #expect(layer(x).value == reference(x).value)
    }

    @Test func rotaryEmbeddingMakesScoresDependOnlyOnRelativePosition() {
        let q = Variable(sinePattern([1, 8], 0.9, 0.2)), k = Variable(sinePattern([1, 8], 0.4, 1.3))
        func score(_ m: Int, _ n: Int) -> Double {
            (rotaryPositionalEncoding(q, offset: m) * rotaryPositionalEncoding(k, offset: n)).value.sum().scalar
        }
        expectClose(score(5, 2), score(3, 0), tolerance: 1e-12)
        expectClose(score(5, 2), score(40, 37), tolerance: 1e-12)
        expectClose(score(0, 6), score(11, 17), tolerance: 1e-12)
        #expect(Swift.abs(score(5, 2) - score(2, 5)) > 1e-3)
        // A rotation keeps each pair's length.
        expectClose((rotaryPositionalEncoding(q, offset: 9) * rotaryPositionalEncoding(q, offset: 9)).value.sum().scalar,
                    (q * q).value.sum().scalar, tolerance: 1e-12)
    }

    @Test func theEncoderStacksLayersUnderPyTorchsKeys() {
        let encoder = withRandomSeed(2) {
            TransformerEncoder(layerCount: 2, norm: LayerNorm(featureCount: 4)) {
                TransformerEncoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 6, dropout: 0)
            }
        }
        let names = encoder.namedParameters().map(\.name)
        #expect(names.count == 2 * 12 + 2)
        #expect(names.first == "layers.0.self_attn.in_proj_weight" && names.contains("layers.1.norm2.bias") && names.last == "norm.bias")
        let x = Variable(sinePattern([2, 3, 4], 0.7, 0.3))
        let padding = Tensor<Bool>(shape: [2, 3], scalars: [false, false, true, false, false, false])
        let stepwise = encoder.norm!(encoder.layers[1](encoder.layers[0](x, mask: .causal, keyPaddingMask: padding),
                                                       mask: .causal, keyPaddingMask: padding))
        #expect(encoder(x, mask: .causal, keyPaddingMask: padding).value == stepwise.value)
        #expect(encoder.layers[0].selfAttention.inputProjectionWeight !== encoder.layers[1].selfAttention.inputProjectionWeight)
    }

    @Test func buildingModelsTransformerEncoder() {
        // doc: Docs/BuildingModels.md
        /// Classifies token sequences: embeddings plus positions, two encoder layers, a mean over positions.
        struct EncoderClassifier: Module {
            typealias Scalar = Float
            let embedding: Embedding<Float>
            let encoder: TransformerEncoder<Float>
            let head: Linear<Float>

            init(vocabularySize: Int, modelSize: Int, classCount: Int) {
                embedding = Embedding(embeddingCount: vocabularySize, embeddingSize: modelSize)
                encoder = TransformerEncoder(layerCount: 2) {
                    TransformerEncoderLayer(modelSize: modelSize, headCount: 4, feedForwardSize: 4 * modelSize)
                }
                head = Linear(inputSize: modelSize, outputSize: classCount)
            }

            func callAsFunction(_ tokens: [[Int]]) -> Variable<Float> {
                let x = embedding(tokens)                        // [batch, length, modelSize]
                let positions = sinusoidalPositionalEncoding(length: x.shape[1], modelSize: x.shape[2], as: Float.self)
                return head(encoder(x + Variable(positions)).mean(axis: 1))
            }
        }

        let model = withRandomSeed(0) { EncoderClassifier(vocabularySize: 50, modelSize: 16, classCount: 3) }
        print(model.namedParameters()[0].name)           // embedding.weight
        print(model.namedParameters()[1].name)           // encoder.layers.0.self_attn.in_proj_weight
        model.eval()                                     // no dropout
        print(model([[3, 1, 4, 1], [5, 9, 2, 6]]).shape) // [2, 3]
        // end doc
        #expect(model.namedParameters().map(\.name).prefix(2) == ["embedding.weight", "encoder.layers.0.self_attn.in_proj_weight"])
        let logits = model([[3, 1, 4, 1], [5, 9, 2, 6]])
        #expect(logits.shape == [2, 3] && logits.value.scalars.allSatisfy { $0.isFinite })
        #expect(model.namedParameters().count == 1 + 2 * 12 + 2)
    }

    @Test func aPaddingMaskAloneNeedsNoMaskArgument() {
        let x = Variable(sinePattern([2, 3, 4], 0.7, 0.3))
        let padding = Tensor<Bool>(shape: [2, 3], scalars: [false, false, true, false, false, false])
        let layer = withRandomSeed(4) { TransformerEncoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 6, dropout: 0) }
        #expect(layer(x, keyPaddingMask: padding).value == layer(x, mask: nil, keyPaddingMask: padding).value)
        #expect(layer(x).value == layer(x, mask: nil).value)
        #expect(layer(x).value != layer(x, keyPaddingMask: padding).value)
    }
}
