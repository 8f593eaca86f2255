import Backprop
import BackpropNN
import Foundation

/// A next-character model: windows of token indices `[batch][length]` to logits
/// `[batch, length, vocabulary]`, where position t's logits depend only on tokens 0…t.
public protocol CharacterModel: Module where Scalar == Float, Input == [[Int]], Output == Variable<Float> {}

/// The bigram baseline: a table of logits for the next character given only the current one.
///
/// Trained by cross-entropy, the table's softmax rows approach the bigram counts'
/// proportions, the best any model that sees one character can do.
public struct BigramModel: CharacterModel {
    /// `[V, V]`: row i holds the logits of the token after token i; zeros (uniform) at first.
    public let table: Variable<Float>

    /// A uniform table for `vocabularySize` tokens.
    public init(vocabularySize: Int) { table = Variable(.zeros([vocabularySize, vocabularySize]), requiresGrad: true) }

    public func callAsFunction(_ windows: [[Int]]) -> Variable<Float> {
        table.gathering(indices: windows.flatMap { $0 }, axis: 0).reshaped([windows.count, -1, table.shape[0]])
    }
}

/// A small GPT: token and position embeddings, causal pre-norm transformer layers, a final layer norm
/// and a linear head.
///
/// Each layer is the library's `TransformerEncoderLayer` with `normFirst`, GELU and no dropout:
/// `x + attention(norm1(x))`, then `x + linear2(gelu(linear1(norm2(x))))` with `E → 4E → E`, the
/// attention masked so that position t sees only positions ≤ t.
public struct TransformerLanguageModel: CharacterModel {
    /// One learned vector per token, `[V, E]`.
    public let tokenEmbedding: Embedding<Float>
    /// One learned vector per position, `[context, E]`.
    public let positionEmbedding: Embedding<Float>
    /// The transformer layers, each called with a causal mask.
    public let blocks: [TransformerEncoderLayer<Float>]
    public let finalNorm: LayerNorm<Float>
    /// Logits from the normalised last block, `E → V`.
    public let head: Linear<Float>

    /// Draws its weights from ``RandomScope``; `modelSize` must divide into `headCount` heads.
    public init(vocabularySize: Int, context: Int, modelSize: Int, layerCount: Int, headCount: Int) {
        tokenEmbedding = Embedding(embeddingCount: vocabularySize, embeddingSize: modelSize)
        positionEmbedding = Embedding(embeddingCount: context, embeddingSize: modelSize)
        blocks = (0..<layerCount).map { _ in
            TransformerEncoderLayer(modelSize: modelSize, headCount: headCount, feedForwardSize: 4 * modelSize,
                                    dropout: 0, normFirst: true, activation: .gelu)
        }
        finalNorm = LayerNorm(featureCount: modelSize)
        head = Linear(inputSize: modelSize, outputSize: vocabularySize)
    }

    /// Logits for windows of at most `context` tokens.
    public func callAsFunction(_ windows: [[Int]]) -> Variable<Float> {
        let length = windows.first?.count ?? 0
        // [B, T, E] + [T, E]: every window gets the same position vectors.
        let x = tokenEmbedding(windows) + positionEmbedding(Array(0..<length))
        return head(finalNorm(blocks.reduce(x) { $1($0, mask: .causal) }))
    }
}

/// An LSTM over embedded characters, its hidden state read out by a linear head at every step.
public struct LSTMLanguageModel: CharacterModel {
    /// One learned vector per token, `[V, E]`.
    public let embedding: Embedding<Float>
    /// The LSTM cell run along each window from the zero state.
    public let recurrent: Recurrent<LSTMCell<Float>>
    /// Logits from each step's hidden vector, `H → V`.
    public let head: Linear<Float>

    /// Draws its weights from ``RandomScope``.
    public init(vocabularySize: Int, embeddingSize: Int, hiddenSize: Int) {
        embedding = Embedding(embeddingCount: vocabularySize, embeddingSize: embeddingSize)
        recurrent = Recurrent(LSTMCell(inputSize: embeddingSize, hiddenSize: hiddenSize))
        head = Linear(inputSize: hiddenSize, outputSize: vocabularySize)
    }

    public func callAsFunction(_ windows: [[Int]]) -> Variable<Float> { head(recurrent(embedding(windows))) }
}

/// The cross-entropy, in nats per character, over a batch's scored targets (those that are not `-1`).
///
/// The rows of the flattened logits `[B·T, V]` that have a target are gathered, so padding adds
/// nothing to the loss or the gradient.
public func characterLoss(_ model: some CharacterModel, on batch: Batch<Float>, reduction: Reduction = .mean) -> Variable<Float> {
    let (logits, targets) = (model(batch.tokenRows), batch.labels)
    let scored = targets.indices.filter { targets[$0] >= 0 }
    return crossEntropy(logits: logits.reshaped([-1, logits.shape[2]]).gathering(indices: scored, axis: 0),
                        labels: scored.map { targets[$0] }, reduction: reduction)
}

/// The mean loss per scored character over a whole dataset, in nats, computed without gradients.
public func evaluationLoss(_ model: some CharacterModel, on data: some Dataset<Float>, batchSize: Int = 500) -> Double {
    withoutGradients {
        var (total, characters) = (0.0, 0)
        for batch in DataLoader(data, batchSize: batchSize, seed: 0) {
            total += Double(characterLoss(model, on: batch, reduction: .sum).scalar)
            characters += batch.labels.filter { $0 >= 0 }.count
        }
        return total / Double(characters)
    }
}

/// A token drawn from `softmax(logits / temperature)`: a temperature below 1 sharpens the
/// distribution, above 1 flattens it, and towards 0 it becomes the argmax.
public func sampleToken(logits: [Float], temperature: Double, using generator: inout SeededGenerator) -> Int {
    let largest = Double(logits.max()!)
    // Shifted by the largest logit so that nothing overflows, however small the temperature.
    let weights = logits.map { exp((Double($0) - largest) / temperature) }
    var remaining = Double.random(in: 0..<weights.reduce(0, +), using: &generator)
    for (token, weight) in weights.enumerated() {
        remaining -= weight
        if remaining < 0 { return token }
    }
    return weights.lastIndex { $0 > 0 }!
}

/// A new word's tokens: from the boundary, draws tokens with ``sampleToken(logits:temperature:using:)``
/// until it draws the boundary or the word fills `context` tokens, as the longest training word does.
public func sampleWord(from model: some CharacterModel, context: Int, temperature: Double,
                       using generator: inout SeededGenerator) -> [Int] {
    var tokens = [CharacterVocabulary.boundary]
    while tokens.count < context {
        let logits = withoutGradients { model([tokens]) }  // [1, T, V]: the last position's V logits are the next token's
        let next = sampleToken(logits: Array(logits.value.scalars.suffix(logits.shape[2])), temperature: temperature,
                               using: &generator)
        if next == CharacterVocabulary.boundary { break }
        tokens.append(next)
    }
    return Array(tokens.dropFirst())
}
