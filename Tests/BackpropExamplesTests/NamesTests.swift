import Backprop
import BackpropNN
import Foundation
import Testing
@testable import BackpropExamples

@Suite struct NamesDataTests {
    @Test func vocabularyOfTheBundledWordsIsBoundaryAndLetters() throws {
        let words = try readWordList(at: BundledData.wordList)
        #expect(words.count == 63_737)
        let vocabulary = CharacterVocabulary(words: words)
        #expect(String(vocabulary.characters) == ".abcdefghijklmnopqrstuvwxyz")
        #expect(vocabulary.encode("cab") == [3, 1, 2])
        for word in ["aardvark", "zygote", "quixotic"] {
            #expect(vocabulary.encode(word).map(vocabulary.decode) == word)
        }
        #expect(vocabulary.encode("café") == nil)
        #expect(vocabulary.encode("a.b") == nil)
        #expect(vocabulary.decode([0, 1, 0]) == ".a.")
    }

    @Test func unusableWordListsAreDescribed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("names-test-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try "apple\n\n  pear \nfig.tree\n".write(to: url, atomically: true, encoding: .utf8)
        #expect { try readWordList(at: url) } throws: { "\($0)".contains("line 4") && "\($0)".contains("fig.tree") }
        try "apple\n\n  pear \n".write(to: url, atomically: true, encoding: .utf8)
        #expect(try readWordList(at: url) == ["apple", "pear"])
        let missing = url.appendingPathExtension("missing")
        #expect { try readWordList(at: missing) } throws: { "\($0)".contains("cannot read") }
    }

    @Test func splitIsSeededAndDisjoint() {
        let words = (0..<100).map { "w\($0)" }
        let (training, validation) = splitWords(words, validationFraction: 0.1, seed: 7)
        #expect(validation.count == 10 && training.count == 90)
        #expect(Set(training + validation) == Set(words))
        #expect(splitWords(words, validationFraction: 0.1, seed: 7).validation == validation)
        #expect(splitWords(words, validationFraction: 0.1, seed: 8).validation != validation)
    }

    @Test func aShortWordIsOneWindowStartedByTheBoundaryAndPadded() {
        // "cat" = [3, 1, 20]: read as .cat. — inputs start at the boundary, targets end with it.
        let windows = makeWindows(word: [3, 1, 20], context: 6)
        #expect(windows == [CharacterWindow(inputs: [0, 3, 1, 20, 0, 0], targets: [3, 1, 20, 0, -1, -1])])
        #expect(makeWindows(word: [3, 1, 20], context: 4) == [CharacterWindow(inputs: [0, 3, 1, 20], targets: [3, 1, 20, 0])])
    }

    @Test func aLongWordScoresEveryTargetOnceWithTheLongestContext() {
        // .abcdef. with a context of 4: the second window is the last 4 tokens before the end.
        let windows = makeWindows(word: [1, 2, 3, 4, 5, 6], context: 4)
        #expect(windows == [
            CharacterWindow(inputs: [0, 1, 2, 3], targets: [1, 2, 3, 4]),
            CharacterWindow(inputs: [3, 4, 5, 6], targets: [-1, 5, 6, 0]),
        ])
        for length in 1...20 {
            let scored = makeWindows(word: Array(repeating: 1, count: length), context: 5).flatMap(\.targets).filter { $0 >= 0 }
            #expect(scored.count == length + 1)
        }
    }

    @Test func windowDatasetStacksTheWindows() {
        let vocabulary = CharacterVocabulary(words: ["ab", "b"])
        let dataset = makeWindowDataset(words: ["ab", "b"], vocabulary: vocabulary, context: 3)
        #expect(dataset.inputs == Tensor(shape: [2, 3], scalars: [0, 1, 2, 0, 2, 0]))
        #expect(dataset.targets == Tensor(shape: [2, 3], scalars: [1, 2, 0, 2, 0, -1]))
        #expect(dataset.batch(at: [1, 0]).tokenRows == [[0, 2, 0], [0, 1, 2]])
    }
}

@Suite struct NamesSettingsTests {
    private func settings(_ arguments: [String]) throws -> NamesSettings {
        try NamesSettings(NamesSettings.command.parse(arguments))
    }

    @Test func defaultsAndFlags() throws {
        let defaults = try settings([])
        #expect(defaults.model == .transformer && defaults.temperature == 1 && defaults.context == 16)
        #expect(defaults.wordList == BundledData.wordList)
        let chosen = try settings(["--model", "lstm", "--temperature", "0.5", "--samples", "0", "--embed=32"])
        #expect(chosen.model == .lstm && chosen.temperature == 0.5 && chosen.sampleCount == 0 && chosen.embedDimension == 32)
    }

    @Test func badValuesAreRejectedWithAReason() throws {
        for temperature in ["0", "-1"] {
            #expect { try settings(["--temperature", temperature]) } throws: {
                ($0 as? UsageError)?.message == "--temperature expects a positive number, not '\(temperature)'"
            }
        }
        #expect { try settings(["--embed", "30"]) } throws: { ($0 as? UsageError)?.message.contains("multiple of 4") == true }
        #expect(try settings(["--embed", "30", "--model", "lstm"]).embedDimension == 30)
        #expect(throws: UsageError("--context expects a positive whole number, not '0'")) { try settings(["--context", "0"]) }
        #expect(throws: UsageError("--samples expects a whole number of 0 or more, not '-1'")) { try settings(["--samples", "-1"]) }
        #expect(throws: UsageError("--words needs a path")) { try settings(["--words="]) }
        #expect { try settings(["--model", "gru"]) } throws: { ($0 as? UsageError)?.message.contains("transformer, lstm") == true }
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
            [TransformerLanguageModel(vocabularySize: vocabularySize, context: 8, embedDimension: 16, layerCount: 1, headCount: 4),
             LSTMLanguageModel(vocabularySize: vocabularySize, context: 8, embedDimension: 8, hiddenSize: 16)]
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
        let words = Array(try readWordList(at: BundledData.wordList).prefix(300))
        let vocabulary = CharacterVocabulary(words: words)
        let data = makeWindowDataset(words: words, vocabulary: vocabulary, context: 8)
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
        let vocabulary = CharacterVocabulary(words: ["ab", "b"])
        let data = makeWindowDataset(words: ["ab", "b", "abba"], vocabulary: vocabulary, context: 3)
        let bigram = BigramModel(vocabularySize: 3)
        #expect(Swift.abs(evaluationLoss(bigram, on: data) - Foundation.log(3)) < 1e-6)
        #expect(Swift.abs(evaluationLoss(bigram, on: data, batchSize: 1) - evaluationLoss(bigram, on: data, batchSize: 100)) < 1e-6)
    }

    /// The toy corpus "ab" ×3 and "b": after '.', a 3 times and b once; after a, b; after b, the end.
    private func trainedToyBigram() -> (BigramModel, TensorDataset<Float>) {
        let words = ["ab", "ab", "ab", "b"]
        let data = makeWindowDataset(words: words, vocabulary: CharacterVocabulary(words: words), context: 3)
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
        let vocabulary = CharacterVocabulary(words: ["ab", "b"])
        func words(seed: UInt64, temperature: Double) -> [String] {
            var generator = SeededGenerator(seed: seed)
            return (0..<20).map { _ in sampleWord(from: bigram, vocabulary: vocabulary, temperature: temperature, using: &generator) }
        }
        #expect(words(seed: 4, temperature: 1) == words(seed: 4, temperature: 1))
        #expect(Set(words(seed: 4, temperature: 1)) == ["ab", "b"])
        #expect(words(seed: 5, temperature: 0.01) == Array(repeating: "ab", count: 20))
    }
}
