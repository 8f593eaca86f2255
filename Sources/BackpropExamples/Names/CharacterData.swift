import Backprop
import BackpropNN
import Foundation

/// The tokens of a character-level language model: 0 is the word boundary, which starts and
/// ends every word, and 1… are the distinct characters of the words, sorted.
public struct CharacterVocabulary: Sendable {
    /// The boundary's token.
    public static let boundary = 0
    /// The characters of tokens 1…: a–z for the bundled English words.
    public let characters: [Character]
    private let tokens: [Character: Int]

    public init(words: [String]) {
        characters = Set(words.joined()).sorted()
        tokens = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, $0 + 1) })
    }

    /// The number of tokens, the boundary included.
    public var count: Int { characters.count + 1 }

    /// A word's tokens, without boundaries; each of its characters must be in the vocabulary.
    public func encode(_ word: String) -> [Int] { word.map { tokens[$0]! } }

    /// The characters of tokens that are not the boundary.
    public func decode(_ tokens: [Int]) -> String { String(tokens.map { characters[$0 - 1] }) }
}

/// The words of a text file, one a line, with surrounding spaces trimmed and blank lines skipped.
public func readWordList(at url: URL) throws -> [String] {
    try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// One window of `context` tokens per word, as a dataset of inputs and targets `[words, context]`,
/// token indices stored as floats. Every word must have fewer than `context` characters.
///
/// A word is read as `.word.`: the inputs are `. w₁ … wₙ` and the targets `w₁ … wₙ .`, so the
/// model sees the opening boundary and must predict every character and then the end. After the
/// end the window is padded with boundaries whose targets are `-1`, which the loss skips; a
/// position never sees the padding after it, so padding changes nothing that is scored.
public func makeWindows(words: [[Int]], context: Int) -> TensorDataset<Float> {
    precondition(words.allSatisfy { $0.count < context }, "makeWindows: a word does not fit in \(context) tokens")
    func padded(_ tokens: [Int], with padding: Int) -> [Float] {
        (tokens + repeatElement(padding, count: context - tokens.count)).map(Float.init)
    }
    let (shape, boundary) = ([words.count, context], CharacterVocabulary.boundary)
    return TensorDataset(inputs: Tensor(shape: shape, scalars: words.flatMap { padded([boundary] + $0, with: boundary) }),
                         targets: Tensor(shape: shape, scalars: words.flatMap { padded($0 + [boundary], with: -1) }))
}

extension Batch where Scalar == Float {
    /// The input windows as rows of token indices.
    public var tokenRows: [[Int]] {
        let (context, tokens) = (inputs.shape[1], inputs.scalars.map { Int($0) })
        return stride(from: 0, to: tokens.count, by: context).map { Array(tokens[$0..<($0 + context)]) }
    }
}
