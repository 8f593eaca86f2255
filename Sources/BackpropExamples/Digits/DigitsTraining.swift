import Backprop
import BackpropNN
import Foundation

/// A classifier's mean cross-entropy loss and its accuracy (the fraction of examples it gets right).
public struct ClassificationScore: Sendable, Equatable {
    /// The mean cross-entropy, per example.
    public var loss: Double
    /// The fraction of examples whose highest logit is the right class, from 0 to 1.
    public var accuracy: Double

    public init(loss: Double, accuracy: Double) { (self.loss, self.accuracy) = (loss, accuracy) }
}

/// One pass over `loader`: for each batch, the cross-entropy loss, its gradient, and an optimizer step.
///
/// - Parameters:
///   - compiledLoss: the network's loss made by ``compiledLoss(of:)``, to run each step's loss
///     compiled (the same bits), or nil to run it eagerly. Made once, for every epoch.
///   - onBatch: called after each step with the batch's index (from 0), its own loss and
///     accuracy, and its number of images: what a `ProgressBar` wants.
///   - update: what follows `backward()`, given the batch's number of images: by default the
///     optimizer's step; in data-parallel training, averaging the gradients across ranks first.
/// - Returns: the mean loss and accuracy over the epoch's batches, measured as they were trained.
public func trainEpoch(_ network: Sequential<Float>, optimizer: any Optimizer<Float>, loader: DataLoader<DigitsData>,
                       compiledLoss: CompiledFunction<Float>? = nil,
                       onBatch: (_ index: Int, _ score: ClassificationScore, _ size: Int) -> Void = { _, _, _ in },
                       update: ((_ samples: Int) -> Void)? = nil)
    -> ClassificationScore {
    network.train()
    var (lossSum, correct, seen) = (0.0, 0, 0)
    for (index, batch) in loader.enumerated() {
        let labels = batch.labels
        optimizer.zeroGrad()
        let (loss, logits): (Variable<Float>, Tensor<Float>)
        if let compiledLoss {
            let (result, auxiliary) = compiledLoss.callWithAuxiliary([batch.inputs, oneHot(labels, classes: 10)])
            (loss, logits) = (result, auxiliary[0])
        } else {
            let output = network(Variable(batch.inputs))
            (loss, logits) = (crossEntropy(logits: output, labels: labels), output.value)
        }
        loss.backward()
        if let update { update(labels.count) } else { optimizer.step() }
        let right = zip(logits.argmax(axis: 1).scalars, labels).filter { $0 == $1 }.count
        lossSum += Double(loss.scalar) * Double(labels.count)
        (correct, seen) = (correct + right, seen + labels.count)
        onBatch(index, ClassificationScore(loss: Double(loss.scalar), accuracy: Double(right) / Double(labels.count)), labels.count)
    }
    return ClassificationScore(loss: lossSum / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)))
}

/// The cross-entropy of `network` on a batch, compiled: a function of the images and the
/// one-hot targets (which give the same bits as labels), returning the logits beside the loss.
public func compiledLoss(of network: Sequential<Float>) -> CompiledFunction<Float> {
    compile(inputCount: 2, returningAuxiliary: { inputs in
        let logits = network(inputs[0])
        return (crossEntropy(logits: logits, targets: inputs[1]), [logits])
    })
}

/// One-hot rows `[n, classes]` for `labels`.
func oneHot(_ labels: [Int], classes: Int) -> Tensor<Float> {
    Tensor(shape: [labels.count, classes], scalars: labels.flatMap { label in (0..<classes).map { $0 == label ? 1 : 0 } })
}

/// How a network does on a set of digits.
public struct DigitsEvaluation: Sendable {
    /// The mean cross-entropy loss and the accuracy.
    public let score: ClassificationScore
    /// `confusion[d][p]`: how many images of digit `d` the network read as `p`.
    public let confusion: [[Int]]

    /// The number of images read right: the sum of the confusion matrix's diagonal.
    public var correctCount: Int { confusion.indices.reduce(0) { $0 + confusion[$1][$1] } }

    /// The confusion matrix as text, a row per true digit, with each digit's accuracy at the end.
    public var confusionTable: String {
        let header = "true\\predicted " + (0...9).map { String($0).leftPadded(to: 4) }.joined() + "   right"
        let rows = confusion.enumerated().map { digit, row in
            let right = Double(row[digit]) / Double(max(row.reduce(0, +), 1)) * 100
            return "\(digit)".leftPadded(to: 15) + row.map { String($0).leftPadded(to: 4) }.joined()
                + String(format: "%7.1f%%", right)
        }
        return ([header] + rows).joined(separator: "\n")
    }
}

/// Scores `network` on `data` without recording a graph: loss, accuracy and confusion matrix.
public func evaluate(_ network: Sequential<Float>, on data: DigitsData) -> DigitsEvaluation {
    network.eval()
    let logits = withoutGradients { network(Variable(data.images)) }
    let loss = withoutGradients { crossEntropy(logits: logits, labels: data.labels) }
    var confusion = Array(repeating: Array(repeating: 0, count: 10), count: 10)
    for (predicted, label) in zip(logits.value.argmax(axis: 1).scalars, data.labels) { confusion[label][predicted] += 1 }
    let correct = (0...9).reduce(0) { $0 + confusion[$1][$1] }
    let score = ClassificationScore(loss: Double(loss.scalar), accuracy: Double(correct) / Double(max(data.count, 1)))
    return DigitsEvaluation(score: score, confusion: confusion)
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
