import Backprop
import BackpropNN
import Foundation

/// A way to keep a large network from memorising a small training set, or none.
public enum OverfittingRemedy: String, CaseIterable, Sendable {
    /// Plain training: the network learns the training images by heart.
    case none
    /// Dropout after each hidden layer, while training.
    case dropout
    /// AdamW's decoupled weight decay: every step shrinks the weights by a factor 1 − γλ.
    case weightDecay = "weight-decay"
    /// Stop when the validation loss has not improved for a while, and go back to the best epoch's weights.
    case earlyStopping = "early-stopping"

    /// The run's name in the charts and the table.
    public var title: String {
        switch self {
        case .none: "no remedy"
        case .dropout: "dropout"
        case .weightDecay: "weight decay"
        case .earlyStopping: "early stopping"
        }
    }
}

/// The settings the four runs of the overfitting example share.
public struct OverfittingSettings: Sendable {
    /// Units in each of the network's two hidden layers.
    public var hiddenUnits = 512
    /// The most epochs a run trains for; early stopping may end its run sooner.
    public var epochs = 100
    public var batchSize = 32
    /// AdamW's learning rate γ.
    public var learningRate = 0.001
    /// The dropout run's probability of zeroing a hidden unit.
    public var dropout = 0.8
    /// The weight-decay run's λ; the other runs use 0.
    public var weightDecay = 5.0
    /// The early-stopping run's patience: the epochs without a lower validation loss before it stops.
    public var patience = 10

    /// The default settings.
    public init() {}
}

/// The overfitting example's data: a small training slice of the digits, some of its labels
/// wrong, and a validation slice of other images with their true labels.
public struct OverfittingData: Sendable {
    public let training: DigitsData
    public let validation: DigitsData
    /// The indices of the training images whose label was made wrong.
    public let wrongLabels: [Int]
}

/// One epoch's scores: on all the training images and on the validation images, both in evaluation mode.
public struct OverfittingScores: Sendable, Equatable {
    public var training: ClassificationScore
    public var validation: ClassificationScore

    /// How much worse the network does on images it has not seen: training accuracy minus validation accuracy.
    public var accuracyGap: Double { training.accuracy - validation.accuracy }
    /// Validation loss minus training loss.
    public var lossGap: Double { validation.loss - training.loss }
}

/// One run of the overfitting example: a remedy, its curves and where it ended.
public struct OverfittingRun: Sendable {
    public let remedy: OverfittingRemedy
    /// The scores after each epoch trained.
    public let history: [OverfittingScores]
    /// The epoch with the lowest validation loss, counted from 1.
    public let bestEpoch: Int
    /// Whether early stopping ended the run before its last epoch.
    public let stoppedEarly: Bool
    /// The scores of the network the run hands back: after the last epoch, or, with early
    /// stopping, with the best epoch's weights restored.
    public let final: OverfittingScores
}

/// The overfitting example: a large MLP on a small slice of the digits, trained with each remedy.
public enum Overfitting {
    /// Two disjoint random slices of `digits`: `trainingCount` images to train on and
    /// `validationCount` to validate on. The same seed gives the same slices.
    ///
    /// - Parameter labelNoise: the probability that a training label is replaced by one of the
    ///   nine wrong digits, drawn evenly, as real data sets hold mislabelled examples. The
    ///   validation labels are left as they are.
    public static func slices(of digits: DigitsData, trainingCount: Int, validationCount: Int, labelNoise: Double = 0,
                              seed: UInt64) -> OverfittingData {
        precondition(trainingCount > 0 && validationCount > 0 && trainingCount + validationCount <= digits.count,
                     "Overfitting.slices: \(trainingCount) + \(validationCount) images of \(digits.count)")
        precondition((0...1).contains(labelNoise), "Overfitting.slices: label noise \(labelNoise) is not in [0, 1]")
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<digits.count)
        for i in stride(from: order.count - 1, to: 0, by: -1) {    // Fisher–Yates, portable
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        let training = digits.subset(Array(order[..<trainingCount]))
        var labels = training.labels
        var wrong: [Int] = []
        for i in labels.indices where Double(generator.next() >> 11) * 0x1p-53 < labelNoise {
            labels[i] = (labels[i] + 1 + Int(generator.next() % 9)) % 10     // one of the other nine digits
            wrong.append(i)
        }
        return OverfittingData(training: DigitsData(images: training.images, labels: labels),
                               validation: digits.subset(Array(order[trainingCount..<(trainingCount + validationCount)])),
                               wrongLabels: wrong)
    }

    /// A 64-H-H-10 ReLU MLP, with dropout of probability `dropout` after each hidden layer when it is above 0.
    ///
    /// The linear layers' initial weights depend on `seed` only, not on `dropout`: runs with and
    /// without dropout start from the same weights.
    public static func makeNetwork(hiddenUnits: Int, dropout: Double = 0, seed: UInt64) -> Sequential<Float> {
        withRandomSeed(seed) {
            let first = Linear<Float>(inputSize: 64, outputSize: hiddenUnits)
            let second = Linear<Float>(inputSize: hiddenUnits, outputSize: hiddenUnits)
            let last = Linear<Float>(inputSize: hiddenUnits, outputSize: 10)
            // Dropout's generators get their own seeds, so the layers above drew the same weights.
            let drop = { (k: UInt64) -> [any Layer<Float>] in
                dropout > 0 ? [Dropout(probability: Float(dropout), seed: seed &+ k)] : []
            }
            return Sequential(layers: [Flatten(), first, ReLU()] + drop(1) + [second, ReLU()] + drop(2) + [last])
        }
    }

    /// Trains a new network with `remedy` and scores it after every epoch.
    ///
    /// Every run starts from the same weights (seeded with `seed`) and sees the batches in the same
    /// order (seeded with `seed + 1`), so the runs differ by their remedy alone. The optimizer is
    /// AdamW, with weight decay only in the weight-decay run (AdamW with λ = 0 is Adam).
    ///
    /// - Parameter onEpoch: called after each epoch with its number (from 1) and scores.
    public static func train(_ remedy: OverfittingRemedy, training: DigitsData, validation: DigitsData,
                             settings: OverfittingSettings, seed: UInt64,
                             onEpoch: (_ epoch: Int, _ scores: OverfittingScores) -> Void = { _, _ in }) -> OverfittingRun {
        let network = makeNetwork(hiddenUnits: settings.hiddenUnits, dropout: remedy == .dropout ? settings.dropout : 0,
                                  seed: seed)
        let optimizer = AdamW(parameters: network.parameters(), learningRate: Float(settings.learningRate),
                              weightDecay: remedy == .weightDecay ? Float(settings.weightDecay) : 0)
        let loader = DataLoader(training, batchSize: settings.batchSize, shuffle: true, seed: seed &+ 1)
        let stopping = EarlyStopping<Float>(patience: settings.patience)
        var history: [OverfittingScores] = []
        var stoppedEarly = false
        for epoch in 1...settings.epochs {
            _ = trainEpoch(network, optimizer: optimizer, loader: loader)
            let scores = score(network, training: training, validation: validation)
            history.append(scores)
            onEpoch(epoch, scores)
            stopping.update(validationLoss: Float(scores.validation.loss), model: network)
            if remedy == .earlyStopping && stopping.shouldStop {
                stoppedEarly = epoch < settings.epochs
                break
            }
        }
        if remedy == .earlyStopping { stopping.restoreBestWeights(into: network) }
        return OverfittingRun(remedy: remedy, history: history, bestEpoch: stopping.bestEpoch ?? history.count,
                              stoppedEarly: stoppedEarly, final: score(network, training: training, validation: validation))
    }

    /// The network's loss and accuracy on all the training images and on the validation images,
    /// in evaluation mode (no dropout).
    public static func score(_ network: Sequential<Float>, training: DigitsData, validation: DigitsData) -> OverfittingScores {
        OverfittingScores(training: evaluate(network, on: training).score, validation: evaluate(network, on: validation).score)
    }

    /// The runs' final scores and generalisation gaps as a text table, one row per run.
    public static func table(_ runs: [OverfittingRun]) -> String {
        let header = ["run", "epochs", "train loss", "train acc", "val loss", "val acc", "gap (acc)", "gap (loss)"]
        let rows = runs.map { run -> [String] in
            let f = run.final
            let epochs = run.remedy == .earlyStopping ? "\(run.history.count) (best \(run.bestEpoch))" : "\(run.history.count)"
            return [run.remedy.title, epochs, String(format: "%.4f", f.training.loss), percent(f.training.accuracy),
                    String(format: "%.4f", f.validation.loss), percent(f.validation.accuracy),
                    String(format: "%.1f pts", f.accuracyGap * 100), String(format: "%.4f", f.lossGap)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        let line = { (cells: [String]) in
            cells.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    private static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }
}
