// Names: next-token prediction, in a character-level language model of English words.
//
// After Karpathy's makemore: token and position embeddings, causal self-attention with layer
// norms and an MLP (or an LSTM), a cross-entropy that skips padding, a bigram baseline to beat,
// and sampling with a temperature.
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand.names
let options = command.parseOrExit()
let (isLSTM, steps) = (options.text("model") == "lstm", options.integer("steps-per-epoch")!)
let (sampleCount, temperature) = (options.integer("samples")!, options.number("temperature")!)
let wordList = options.text("words").map { URL(fileURLWithPath: $0) } ?? BundledData.wordList
options.prepareOrExit(command)
let words: [String]
do { words = try readWordList(at: wordList) } catch { command.fail("cannot read the word list \(wordList.path)", because: error) }

// Data: one window per word, so a word must fit with its opening boundary in `context` tokens.
// The longer ones (237 of the 63,737 English words) are left out rather than split across
// windows; then every kept character, and every word's end, is scored exactly once. A seeded
// tenth of the windows is held out for validation.
let context = 16
let vocabulary = CharacterVocabulary(words: words)
let kept = words.filter { $0.count < context }
let (training, validation) = makeWindows(words: kept.map(vocabulary.encode), context: context)
    .split(validationFraction: 0.1, seed: options.seed)
guard training.count > 0 && validation.count > 0 else {
    command.fail("\(wordList.path): \(kept.count) words of under \(context) characters are too few to hold out a tenth")
}
print("\(words.count) words, \(words.count - kept.count) of \(context) characters or more left out; \(training.count) "
      + "for training, \(validation.count) for validation; \(vocabulary.count) tokens: '\(String(vocabulary.characters))' and the boundary")

/// Trains `model` with Adam, the learning rate annealed along a cosine to 0; returns the
/// mean training loss and the validation loss of every epoch, in nats per character.
func train(_ model: some CharacterModel, learningRate: Double, seed: UInt64) -> (training: [Double], validation: [Double]) {
    let optimizer = Adam(parameters: model.parameters(), learningRate: Float(learningRate))
    let schedule = CosineAnnealingLR(optimizer: optimizer, maximumSteps: options.epochs * steps)
    // One shuffled pass after another, without end: an epoch is `steps` batches, not a whole pass.
    let loader = DataLoader(training, batchSize: options.batchSize, shuffle: true, seed: seed)
    var batches = (0...).lazy.flatMap { _ in loader }.makeIterator()
    let progress = ProgressBar(epochs: options.epochs, batchesPerEpoch: steps, metricName: "validation")
    var history: (training: [Double], validation: [Double]) = ([], [])
    for epoch in 1...options.epochs {
        var total = 0.0
        for step in 1...steps {
            let batch = batches.next()!
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

let modelName = isLSTM ? "LSTM" : "transformer"
let (bigram, model): (BigramModel, any CharacterModel) = withRandomSeed(options.seed) {
    (BigramModel(vocabularySize: vocabulary.count),
     isLSTM ? LSTMLanguageModel(vocabularySize: vocabulary.count, embeddingSize: 48, hiddenSize: 96) as any CharacterModel
            : TransformerLanguageModel(vocabularySize: vocabulary.count, context: context, modelSize: 48, layerCount: 2, headCount: 4))
}
print("bigram baseline: \(bigram.parameterCount) parameters")
// The bigram's loss is convex in its table, so a larger step is safe and converges in the same budget.
let bigramHistory = train(bigram, learningRate: 0.1, seed: options.seed &+ 1)
print("\(modelName): \(model.parameterCount) parameters")
let history = train(model, learningRate: options.learningRate, seed: options.seed &+ 2)

let (baseline, final) = (bigramHistory.validation.last!, history.validation.last!)
let heldOut = validation.indices.map { kept[$0] }
print("\nvalidation loss per character (nats), over the \(heldOut.map { $0.count + 1 }.reduce(0, +)) characters "
      + "(ends included) of \(heldOut.count) words:")
print("  bigram       " + String(format: "%.3f", baseline))
print("  \(modelName.padding(toLength: 12, withPad: " ", startingAt: 0)) " + String(format: "%.3f", final)
      + String(format: "  (%.3f lower than the bigram)", baseline - final))

// Samples: a seeded generator, so --seed and --temperature reproduce them.
let trainingWords = Set(training.indices.map { kept[$0] }), heldOutWords = Set(heldOut)
var generator = SeededGenerator(seed: options.seed)
if sampleCount > 0 {
    print("\n\(sampleCount) samples at temperature \(temperature) (+ a held-out validation word, * not in the word list at all):")
}
for _ in 0..<sampleCount {
    let word = vocabulary.decode(sampleWord(from: model, context: context, temperature: temperature, using: &generator))
    print("  " + word + (trainingWords.contains(word) ? "" : heldOutWords.contains(word) ? " +" : " *"))
}

// The loss curves, with the bigram's final validation loss as the line to get under.
var chart = Chart(title: "names: \(modelName) against the bigram baseline", xLabel: "epoch", yLabel: "loss (nats per character)")
let epochs = (1...options.epochs).map(Double.init)
chart.addLine("\(modelName) training (epoch mean)", x: epochs, y: history.training)
chart.addLine("\(modelName) validation", x: epochs, y: history.validation)
chart.addLine("bigram validation", x: epochs, y: epochs.map { _ in baseline }, dashed: true)
command.writeOrExit(options.outputPath("loss.svg")) { try chart.write(to: $0) }
print("\nwrote \(options.outputPath("loss.svg"))")
