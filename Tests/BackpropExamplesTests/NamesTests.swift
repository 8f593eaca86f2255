import Backprop
import BackpropNN
import Foundation
import Testing
@testable import BackpropExamples

@Suite struct NamesDataTests {
    @Test func vocabularyOfTheBundledWordsIsBoundaryAndLetters() throws {
        let words = try readWordList(at: BundledData.wordList)
        #expect(words.count == 63_737)
        #expect(words.filter { $0.count >= 16 }.count == 237)  // left out at the program's context of 16
        let vocabulary = CharacterVocabulary(words: words)
        #expect(String(vocabulary.characters) == "abcdefghijklmnopqrstuvwxyz" && vocabulary.count == 27)
        #expect(vocabulary.encode("cab") == [3, 1, 2])
        for word in ["aardvark", "zygote", "quixotic"] {
            #expect(vocabulary.decode(vocabulary.encode(word)) == word)
        }
        // Any character of the words is a token, even the dot that marks boundaries in makemore.
        #expect(CharacterVocabulary(words: ["a.b", "b"]).encode("a.b") == [2, 1, 3])
    }

    @Test func wordListsAreTrimmedAndUnreadableOnesDescribed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("names-test-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try "apple\n\n  pear \r\nfig\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(try readWordList(at: url) == ["apple", "pear", "fig"])
        let missing = url.appendingPathExtension("missing")
        #expect(throws: (any Error).self) { try readWordList(at: missing) }
    }

    @Test func aWordIsOneWindowStartedByTheBoundaryAndPadded() {
        // "cat" = [3, 1, 20]: read as .cat. — inputs start at the boundary, targets end with it.
        let windows = makeWindows(words: [[3, 1, 20], [2]], context: 6)
        #expect(windows.inputs == Tensor(shape: [2, 6], scalars: [0, 3, 1, 20, 0, 0, 0, 2, 0, 0, 0, 0]))
        #expect(windows.targets == Tensor(shape: [2, 6], scalars: [3, 1, 20, 0, -1, -1, 2, 0, -1, -1, -1, -1]))
        #expect(windows.batch(at: [1, 0]).tokenRows == [[0, 2, 0, 0, 0, 0], [0, 3, 1, 20, 0, 0]])
        // The longest word that fits fills the window: n letters and the end are n + 1 targets.
        let full = makeWindows(words: [[3, 1, 20]], context: 4)
        #expect(full.inputs.scalars == [0, 3, 1, 20] && full.targets.scalars == [3, 1, 20, 0])
    }
}

@Suite struct NamesCommandTests {
    private func options(_ arguments: [String]) throws -> ExampleOptions { try ExampleCommand.names.parse(arguments) }

    @Test func defaultsAndFlags() throws {
        let defaults = try options([])
        #expect(defaults.text("model") == "transformer" && defaults.number("temperature") == 1)
        #expect(defaults.integer("steps-per-epoch") == 300 && defaults.integer("samples") == 20 && defaults.text("words") == nil)
        let chosen = try options(["--model", "lstm", "--temperature", "0.5", "--samples", "0", "--words=w.txt"])
        #expect(chosen.text("model") == "lstm" && chosen.number("temperature") == 0.5 && chosen.integer("samples") == 0)
        #expect(chosen.text("words") == "w.txt")
    }

    @Test func badValuesAreRejectedWithAReason() throws {
        for temperature in ["0", "-1", "inf"] {
            #expect(throws: UsageError("--temperature expects a positive number, not '\(temperature)'")) {
                try options(["--temperature", temperature])
            }
        }
        #expect(throws: UsageError("--steps-per-epoch expects a positive whole number, not '0'")) {
            try options(["--steps-per-epoch", "0"])
        }
        #expect(throws: UsageError("--samples expects a whole number of 0 or more, not '-1'")) { try options(["--samples", "-1"]) }
        #expect(throws: UsageError("--words needs a path")) { try options(["--words="]) }
        #expect(throws: UsageError("--model expects one of transformer, lstm, not 'gru'")) { try options(["--model", "gru"]) }
        #expect(throws: UsageError("unknown option '--context'")) { try options(["--context", "8"]) }
    }
}

@Suite struct NamesModelTests {
    /// The largest |a − b| over two logit tensors' positions `range` of window 0.
    private func difference(_ a: Variable<Float>, _ b: Variable<Float>, positions range: Range<Int>) -> Float {
        let size = a.shape[2]
        let (x, y) = (a.value.scalars, b.value.scalars)
        return (range.lowerBound * size..<range.upperBound * size).map { Swift.abs(x[$0] - y[$0]) }.max() ?? 0
    }

    private func tinyModels(vocabularySize: Int) -> [any CharacterModel] {
        withRandomSeed(3) {
            [TransformerLanguageModel(vocabularySize: vocabularySize, context: 8, modelSize: 16, layerCount: 1, headCount: 4),
             LSTMLanguageModel(vocabularySize: vocabularySize, embeddingSize: 8, hiddenSize: 16)]
        }
    }

    @Test func changingAFutureCharacterLeavesEarlierLogitsAlone() {
        let window = [0, 5, 9, 2, 7, 1, 3, 0]
        var changed = window
        changed[4] = 20
        for model in tinyModels(vocabularySize: 27) {
            let (before, after) = withoutGradients { (model([window]), model([changed])) }
            #expect(before.shape == [1, 8, 27])
            #expect(difference(before, after, positions: 0..<4) < 1e-6)
            #expect(difference(before, after, positions: 4..<5) > 1e-4)
        }
    }

    @Test func eachModelLearnsAFewHundredWords() throws {
        let words = try readWordList(at: BundledData.wordList).filter { $0.count < 8 }.prefix(300)
        let vocabulary = CharacterVocabulary(words: Array(words))
        let data = makeWindows(words: words.map(vocabulary.encode), context: 8)
        let models = [BigramModel(vocabularySize: vocabulary.count)] + tinyModels(vocabularySize: vocabulary.count)
        for model in models {
            let before = evaluationLoss(model, on: data)
            let optimizer = Adam(parameters: model.parameters(), learningRate: 0.05)
            let loader = DataLoader(data, batchSize: 32, shuffle: true, seed: 5)
            for batch in loader.prefix(10) {
                optimizer.zeroGrad()
                characterLoss(model, on: batch).backward()
                optimizer.step()
            }
            let after = evaluationLoss(model, on: data)
            #expect(after < before - 0.3, "\(type(of: model)): \(before) → \(after)")
        }
    }

    @Test func anUntrainedBigramIsUniformOverTheScoredCharacters() {
        let data = makeWindows(words: [[1, 2], [2], [1, 2, 2, 1]], context: 5)  // ab, b, abba
        let bigram = BigramModel(vocabularySize: 3)
        #expect(Swift.abs(evaluationLoss(bigram, on: data) - Foundation.log(3)) < 1e-6)
        #expect(Swift.abs(evaluationLoss(bigram, on: data, batchSize: 1) - evaluationLoss(bigram, on: data, batchSize: 100)) < 1e-6)
    }

    /// The toy corpus "ab" ×3 and "b": after '.', a 3 times and b once; after a, b; after b, the end.
    private func trainedToyBigram() -> (BigramModel, TensorDataset<Float>) {
        let data = makeWindows(words: [[1, 2], [1, 2], [1, 2], [2]], context: 3)
        let bigram = BigramModel(vocabularySize: 3)
        let optimizer = Adam(parameters: bigram.parameters(), learningRate: 0.1)
        let everything = data.batch(at: Array(0..<data.count))
        for _ in 0..<300 {
            optimizer.zeroGrad()
            characterLoss(bigram, on: everything).backward()
            optimizer.step()
        }
        return (bigram, data)
    }

    @Test func aTrainedBigramMatchesTheCounts() {
        let (bigram, data) = trainedToyBigram()
        let probabilities = softmax(bigram.table, axis: 1).value
        // Rows: from '.', 'a', 'b'; columns: to '.', 'a', 'b'.
        let expected: [[Float]] = [[0, 0.75, 0.25], [0, 0, 1], [1, 0, 0]]
        for row in 0..<3 {
            for column in 0..<3 { #expect(Swift.abs(probabilities[row, column] - expected[row][column]) < 0.01) }
        }
        // 11 scored characters; only the 4 first letters are uncertain: (3·log(4/3) + log 4) / 11.
        let entropy = (3 * Foundation.log(4.0 / 3) + Foundation.log(4.0)) / 11
        #expect(Swift.abs(evaluationLoss(bigram, on: data) - entropy) < 0.01)
        // Weighted by characters, not by batches: "b" alone in a batch of one counts 2 of the 11.
        #expect(Swift.abs(evaluationLoss(bigram, on: data, batchSize: 3) - evaluationLoss(bigram, on: data)) < 1e-6)
    }

    @Test func samplingIsSeededAndColdSamplingIsTheArgmax() {
        var generator = SeededGenerator(seed: 1)
        let logits: [Float] = [1, 3, 2.9, -4]
        #expect((0..<200).allSatisfy { _ in sampleToken(logits: logits, temperature: 0.001, using: &generator) == 1 })
        // At temperature 1 the draws follow the softmax.
        let draws = (0..<20_000).map { _ in sampleToken(logits: logits, temperature: 1, using: &generator) }
        let softmax = logits.map { Foundation.exp(Double($0)) }
        for token in 0..<4 {
            let frequency = Double(draws.filter { $0 == token }.count) / 20_000
            #expect(Swift.abs(frequency - softmax[token] / softmax.reduce(0, +)) < 0.015)
        }

        let (bigram, _) = trainedToyBigram()
        func words(seed: UInt64, temperature: Double, context: Int = 4) -> [[Int]] {
            var generator = SeededGenerator(seed: seed)
            return (0..<20).map { _ in sampleWord(from: bigram, context: context, temperature: temperature, using: &generator) }
        }
        #expect(words(seed: 4, temperature: 1) == words(seed: 4, temperature: 1))
        #expect(words(seed: 4, temperature: 1) != words(seed: 5, temperature: 1))
        #expect(Set(words(seed: 4, temperature: 1)) == [[1, 2], [2]])  // ab and b
        #expect(words(seed: 5, temperature: 0.01) == Array(repeating: [1, 2], count: 20))
        // A word stops where the context is full, as the longest training word does: "a" then "b" is cut short.
        #expect(words(seed: 5, temperature: 0.01, context: 2) == Array(repeating: [1], count: 20))
    }
}
