import Backprop
import BackpropNN
import Foundation

/// The characters of a character-level language model: index 0 is the word boundary `.`,
/// which starts every word and ends it; the letters follow in sorted order.
public struct CharacterVocabulary: Equatable, Sendable {
    /// The boundary token's character.
    public static let boundaryCharacter: Character = "."
    /// The boundary token's index.
    public static let boundary = 0

    /// Every token's character, the boundary first.
    public let characters: [Character]
    private let indices: [Character: Int]

    /// The boundary followed by the distinct characters of `words`, sorted: `.` and a–z for the English word list.
    public init(words: [String]) {
        let letters = Set(words.joined()).subtracting([Self.boundaryCharacter]).sorted()
        characters = [Self.boundaryCharacter] + letters
        indices = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($0.element, $0.offset) })
    }

    /// The number of tokens, the boundary included.
    public var count: Int { characters.count }

    /// The indices of a word's characters, without boundaries; nil if it holds a character outside the vocabulary.
    public func encode(_ word: String) -> [Int]? {
        var tokens: [Int] = []
        for character in word {
            guard let index = indices[character], index != Self.boundary else { return nil }
            tokens.append(index)
        }
        return tokens
    }

    /// The characters of `tokens`, boundaries written as `.`.
    public func decode(_ tokens: [Int]) -> String { String(tokens.map { characters[$0] }) }
}

/// A word list that cannot be used: the file is unreadable, empty, or holds a word with the boundary character.
public struct WordListError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The words of a text file, one per line; blank lines are skipped and surrounding spaces trimmed.
///
/// - Throws: ``WordListError`` naming the file, or the line of a word that contains `.` or a space.
public func readWordList(at url: URL) throws(WordListError) -> [String] {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
        throw WordListError("cannot read the word list \(url.path): \(readableDescription(of: error))")
    }
    var words: [String] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let word = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if word.isEmpty { continue }
        if word.contains(CharacterVocabulary.boundaryCharacter) || word.contains(where: \.isWhitespace) {
            throw WordListError("\(url.path), line \(number + 1): '\(word)' contains '.' or a space; "
                                + "'.' marks word boundaries and a line holds one word")
        }
        words.append(word)
    }
    guard words.count >= 2 else { throw WordListError("\(url.path) holds \(words.count) words; at least 2 are needed") }
    return words
}

/// A seeded random split of `words` into training and validation lists, `validationFraction`
/// of them (rounded, at least one) going to validation.
public func splitWords(_ words: [String], validationFraction: Double, seed: UInt64)
    -> (training: [String], validation: [String]) {
    precondition(words.count >= 2 && validationFraction > 0 && validationFraction < 1,
                 "splitWords: need 2 or more words and a fraction in (0, 1)")
    // Fisher–Yates with the portable generator, so a seed splits alike on every platform.
    var generator = SeededGenerator(seed: seed)
    var shuffled = words
    for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
        shuffled.swapAt(i, Int(generator.next() % UInt64(i + 1)))
    }
    let validationCount = min(max(1, Int((Double(words.count) * validationFraction).rounded())), words.count - 1)
    return (Array(shuffled[validationCount...]), Array(shuffled[..<validationCount]))
}
