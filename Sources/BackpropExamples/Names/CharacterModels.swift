import Backprop
import BackpropNN

/// A next-character model: windows of token indices `[batch][length]` to logits
/// `[batch, length, vocabulary]`, where position t's logits depend only on tokens 0…t.
public protocol CharacterModel: Module where Scalar == Float, Input == [[Int]], Output == Variable<Float> {
    /// The most tokens the model reads at once.
    var context: Int { get }
}

/// The bigram baseline: a table of logits for the next character given only the current one.
///
/// Trained by cross-entropy, the table's softmax rows approach the bigram counts'
/// proportions, the best any model that sees one character can do.
public struct BigramModel: CharacterModel {
    /// `[V, V]`: row i holds the logits of the token after token i; zeros (uniform) at first.
    public let table: Variable<Float>

    /// A uniform table for `vocabularySize` tokens.
    public init(vocabularySize: Int) { table = Variable(.zeros([vocabularySize, vocabularySize]), requiresGrad: true) }

    public var context: Int { 1 }

    public func callAsFunction(_ windows: [[Int]]) -> Variable<Float> {
        let length = windows.first?.count ?? 0
        return table.gathering(indices: windows.flatMap { $0 }, axis: 0).reshaped([windows.count, length, table.shape[0]])
    }
}

/// A pre-norm transformer block: `x + attention(norm(x))`, then `x + mlp(norm(x))`,
/// the attention causal and the MLP `E → 4E → E` with GELU.
public struct TransformerBlock: Layer {
    /// The norms before the attention and before the MLP.
    public let attentionNorm: LayerNorm<Float>
    /// Causal self-attention.
    public let attention: MultiHeadAttention<Float>
    public let mlpNorm: LayerNorm<Float>
    /// The MLP's two layers, `E → 4E` and `4E → E`.
    public let expand: Linear<Float>
    public let project: Linear<Float>

    /// Draws its weights from ``RandomScope``; `embedDimension` must divide into `headCount` heads.
    public init(embedDimension: Int, headCount: Int) {
        attentionNorm = LayerNorm(featureCount: embedDimension)
        attention = MultiHeadAttention(embedDimension: embedDimension, headCount: headCount, causal: true)
        mlpNorm = LayerNorm(featureCount: embedDimension)
        expand = Linear(inputSize: embedDimension, outputSize: 4 * embedDimension)
        project = Linear(inputSize: 4 * embedDimension, outputSize: embedDimension)
    }

    public func callAsFunction(_ input: Variable<Float>) -> Variable<Float> {
        let x = input + attention(attentionNorm(input))
        return x + project(gelu(expand(mlpNorm(x))))
    }
}

/// A small GPT: token and position embeddings, transformer blocks, a final layer norm and a linear head.
public struct TransformerLanguageModel: CharacterModel {
    /// One learned vector per token, `[V, E]`.
    public let tokenEmbedding: Embedding<Float>
    /// One learned vector per position, `[context, E]`.
    public let positionEmbedding: Embedding<Float>
    public let blocks: [TransformerBlock]
    public let finalNorm: LayerNorm<Float>
    /// Logits from the normalised last block, `E → V`.
    public let head: Linear<Float>

    /// Draws its weights from ``RandomScope``; `embedDimension` must divide into `headCount` heads.
    public init(vocabularySize: Int, context: Int, embedDimension: Int, layerCount: Int, headCount: Int) {
        tokenEmbedding = Embedding(count: vocabularySize, dimension: embedDimension)
        positionEmbedding = Embedding(count: context, dimension: embedDimension)
        blocks = (0..<layerCount).map { _ in TransformerBlock(embedDimension: embedDimension, headCount: headCount) }
        finalNorm = LayerNorm(featureCount: embedDimension)
        head = Linear(inputSize: embedDimension, outputSize: vocabularySize)
    }

    public var context: Int { positionEmbedding.weight.shape[0] }

    /// Logits for windows of at most `context` tokens.
    public func callAsFunction(_ windows: [[Int]]) -> Variable<Float> {
        let length = windows.first?.count ?? 0
        precondition(length <= context, "TransformerLanguageModel: windows of \(length) exceed the context \(context)")
        // [B, T, E] + [T, E]: every window gets the same position vectors.
        let x = tokenEmbedding(windows) + positionEmbedding(Array(0..<length))
        return head(finalNorm(blocks.reduce(x) { $1($0) }))
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
    /// The most tokens sampling feeds the model at once; training windows set their own length.
    public let context: Int

    /// Draws its weights from ``RandomScope``. `context` only bounds what sampling feeds it.
    public init(vocabularySize: Int, context: Int, embedDimension: Int, hiddenSize: Int) {
        embedding = Embedding(count: vocabularySize, dimension: embedDimension)
        recurrent = Recurrent(LSTMCell(inputSize: embedDimension, hiddenSize: hiddenSize))
        head = Linear(inputSize: hiddenSize, outputSize: vocabularySize)
        self.context = context
    }

    public func callAsFunction(_ windows: [[Int]]) -> Variable<Float> { head(recurrent(embedding(windows))) }
}
