import Backprop
import Foundation

/// A token drawn from `softmax(logits / temperature)`; as the temperature falls to 0 this becomes the argmax.
///
/// - Parameter temperature: greater than 0; below 1 sharpens the distribution, above 1 flattens it.
public func sampleToken(logits: [Float], temperature: Double, using generator: inout SeededGenerator) -> Int {
    precondition(temperature > 0 && !logits.isEmpty, "sampleToken: temperature \(temperature) is not positive")
    let largest = Double(logits.max()!)
    // Shifted by the largest logit so that nothing overflows, however small the temperature.
    let weights = logits.map { exp((Double($0) - largest) / temperature) }
    var remaining = Double(generator.next() >> 11) * 0x1p-53 * weights.reduce(0, +)
    for (token, weight) in weights.enumerated() {
        remaining -= weight
        if remaining < 0 { return token }
    }
    return weights.lastIndex { $0 > 0 }!
}

/// A new word: starting from the boundary, draws characters with ``sampleToken(logits:temperature:using:)``,
/// feeding the model the last `context` tokens, until it draws the boundary or reaches `maxLength` letters.
public func sampleWord<M: CharacterModel>(from model: M, vocabulary: CharacterVocabulary, temperature: Double,
                                          maxLength: Int = 30, using generator: inout SeededGenerator) -> String {
    var tokens = [CharacterVocabulary.boundary]
    while tokens.count <= maxLength {
        let logits = withoutGradients { model([Array(tokens.suffix(model.context))]) }
        let last = logits.value.scalars.suffix(vocabulary.count)
        let next = sampleToken(logits: Array(last), temperature: temperature, using: &generator)
        if next == CharacterVocabulary.boundary { break }
        tokens.append(next)
    }
    return vocabulary.decode(Array(tokens.dropFirst()))
}
