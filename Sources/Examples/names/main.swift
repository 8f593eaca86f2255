// Names: next-token prediction, in a character-level language model of English words.
//
// After Karpathy's makemore: embeddings, causal self-attention (or an LSTM), a
// cross-entropy that skips padding, a bigram baseline to beat, and sampling with a temperature.
import Backprop
import BackpropExamples
import BackpropNN
import Foundation

let command = NamesSettings.command
let (options, settings) = NamesSettings.parseOrExit()
options.prepareOrExit(command)
let words: [String]
do { words = try readWordList(at: settings.wordList) } catch { command.fail(error.description) }

// Data: a seeded 90/10 split of the words, each cut into windows of `context` characters.
let vocabulary = CharacterVocabulary(words: words)
let (trainingWords, validationWords) = splitWords(words, validationFraction: 0.1, seed: options.seed)
let training = makeWindowDataset(words: trainingWords, vocabulary: vocabulary, context: settings.context)
let validation = makeWindowDataset(words: validationWords, vocabulary: vocabulary, context: settings.context)
print("\(words.count) words: \(trainingWords.count) for training, \(validationWords.count) for validation; "
      + "\(vocabulary.count) tokens '\(String(vocabulary.characters))'")

/// Trains `model` with Adam, the learning rate annealed along a cosine to 0; returns the
/// mean training loss and the validation loss of every epoch, in nats per character.
func train<Model: CharacterModel>(_ model: Model, learningRate: Double, seed: UInt64) -> (training: [Double], validation: [Double]) {
    let (epochs, steps) = (options.epochs, settings.stepsPerEpoch)
    let optimizer = Adam(parameters: model.parameters(), learningRate: Float(learningRate))
    let schedule = CosineAnnealingLR(optimizer: optimizer, maximumSteps: epochs * steps)
    // One shuffled pass after another; an epoch is `steps` batches, not necessarily a whole pass.
    let loader = DataLoader(training, batchSize: options.batchSize, shuffle: true, seed: seed)
    var batches = loader.makeIterator()
    let progress = ProgressBar(epochs: epochs, batchesPerEpoch: steps, metricName: "validation")
    var history: (training: [Double], validation: [Double]) = ([], [])
    for epoch in 1...epochs {
        var total = 0.0
        for step in 1...steps {
            guard let batch = batches.next() ?? { batches = loader.makeIterator(); return batches.next() }() else { break }
            optimizer.zeroGrad()
            let loss = characterLoss(model, on: batch)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += Double(loss.scalar)
            progress.update(epoch: epoch, batch: step, loss: Double(loss.scalar), samples: batch.inputs.shape[0])
        }
        history.training.append(total / Double(steps))
        history.validation.append(evaluationLoss(model, on: validation))
        progress.finishEpoch(epoch: epoch, loss: history.training.last!, metric: history.validation.last!)
    }
    return history
}

let modelName = settings.model == .lstm ? "LSTM" : "transformer"
let (bigram, model): (BigramModel, any CharacterModel) = withRandomSeed(options.seed) {
    let bigram = BigramModel(vocabularySize: vocabulary.count)
    switch settings.model {
    case .transformer:
        return (bigram, TransformerLanguageModel(vocabularySize: vocabulary.count, context: settings.context,
                                                 embedDimension: settings.embedDimension, layerCount: settings.layerCount,
                                                 headCount: settings.headCount))
    case .lstm:
        return (bigram, LSTMLanguageModel(vocabularySize: vocabulary.count, context: settings.context,
                                          embedDimension: settings.embedDimension, hiddenSize: settings.embedDimension * 2))
    }
}
print("bigram baseline: \(bigram.parameterCount) parameters")
// The bigram's loss is convex in its table, so a larger step is safe and converges in the same budget.
let bigramHistory = train(bigram, learningRate: 0.1, seed: options.seed &+ 1)
print("\(modelName): \(model.parameterCount) parameters")
let history = train(model, learningRate: options.learningRate, seed: options.seed &+ 2)

let (baseline, final) = (bigramHistory.validation.last!, history.validation.last!)
let characters = validation.targets.scalars.filter { $0 >= 0 }.count
print("\nvalidation loss per character (nats), over the \(characters) characters (ends included) of \(validationWords.count) words:")
print("  bigram       " + String(format: "%.3f", baseline))
print("  \(modelName.padding(toLength: 12, withPad: " ", startingAt: 0)) " + String(format: "%.3f", final)
      + String(format: "  (%.3f lower than the bigram)", baseline - final))

// Samples: a seeded generator, so --seed and --temperature reproduce them.
let trainingSet = Set(trainingWords), validationSet = Set(validationWords)
var generator = SeededGenerator(seed: options.seed)
if settings.sampleCount > 0 {
    print("\n\(settings.sampleCount) samples at temperature \(settings.temperature) "
          + "(+ a held-out validation word, * not in the word list at all):")
}
for _ in 0..<settings.sampleCount {
    let word = sampleWord(from: model, vocabulary: vocabulary, temperature: settings.temperature, using: &generator)
    let mark = trainingSet.contains(word) ? "" : validationSet.contains(word) ? " +" : " *"
    print("  " + word + mark)
}

// The loss curves, with the bigram's final validation loss as the line to get under.
var chart = Chart(title: "names: \(modelName) against the bigram baseline", xLabel: "epoch",
                  yLabel: "loss (nats per character)")
let epochs = (1...options.epochs).map(Double.init)
chart.addLine("\(modelName) training (epoch mean)", x: epochs, y: history.training)
chart.addLine("\(modelName) validation", x: epochs, y: history.validation)
chart.addLine("bigram validation", x: epochs, y: epochs.map { _ in baseline }, dashed: true)
command.writeOrExit(options.outputPath("loss.svg")) { try chart.write(to: $0) }
print("\nwrote \(options.outputPath("loss.svg"))")
