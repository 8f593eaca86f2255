import Backprop
import BackpropNN

/// One training example of a next-character model: `context` input tokens and, at each
/// position, the token that follows it, or `-1` where nothing is scored.
///
/// A word is read as `.word.`: the model sees the opening boundary and must predict every
/// letter and then the closing boundary. A short word's window is padded after its end with
/// boundaries whose targets are `-1`; causal attention never lets a position see the padding
/// that follows it, so padding changes nothing that is scored.
public struct CharacterWindow: Equatable, Sendable {
    /// `context` token indices.
    public var inputs: [Int]
    /// `context` next-token indices, `-1` for padding and for targets scored in an earlier window.
    public var targets: [Int]

    /// A window from its two rows, which should have the same length.
    public init(inputs: [Int], targets: [Int]) { (self.inputs, self.targets) = (inputs, targets) }
}

/// The windows that score each character of a word, and the closing boundary, exactly once.
///
/// A word of n letters has n + 1 targets. If they fit in one window it is `. w₁ … wₙ` and padding;
/// a longer word takes further windows, each the last `context` tokens before its new targets,
/// with the targets already scored masked to `-1`.
public func makeWindows(word tokens: [Int], context: Int) -> [CharacterWindow] {
    precondition(context > 0, "makeWindows: context \(context) is not positive")
    let sequence = [CharacterVocabulary.boundary] + tokens + [CharacterVocabulary.boundary]
    var windows: [CharacterWindow] = []
    var scored = 0  // sequence[1...scored] already have a window
    while scored < sequence.count - 1 {
        let end = min(scored + context, sequence.count - 1)  // the last target's position
        let start = max(0, end - context)                   // inputs sequence[start..<end]
        let padding = context - (end - start)
        let inputs = Array(sequence[start..<end]) + Array(repeating: CharacterVocabulary.boundary, count: padding)
        let targets = ((start + 1)...end).map { $0 > scored ? sequence[$0] : -1 } + Array(repeating: -1, count: padding)
        windows.append(CharacterWindow(inputs: inputs, targets: targets))
        scored = end
    }
    return windows
}

/// The windows of all `words` as a dataset: inputs and targets `[windows, context]`, token indices stored as floats.
///
/// Words with characters outside `vocabulary` are skipped.
public func makeWindowDataset(words: [String], vocabulary: CharacterVocabulary, context: Int) -> TensorDataset<Float> {
    let windows = words.compactMap(vocabulary.encode).flatMap { makeWindows(word: $0, context: context) }
    let shape = [windows.count, context]
    return TensorDataset(inputs: Tensor(shape: shape, scalars: windows.flatMap(\.inputs).map(Float.init)),
                         targets: Tensor(shape: shape, scalars: windows.flatMap(\.targets).map(Float.init)))
}

extension Batch where Scalar == Float {
    /// The input windows as rows of token indices.
    public var tokenRows: [[Int]] {
        let context = inputs.shape[1]
        let tokens = inputs.scalars.map { Int($0) }
        return stride(from: 0, to: tokens.count, by: context).map { Array(tokens[$0..<($0 + context)]) }
    }
}
