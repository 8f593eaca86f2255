import Backprop
import BackpropNN
import Foundation

/// Where and how a training run's loss diverged.
public struct Divergence: Sendable, Equatable, CustomStringConvertible {
    /// The epoch of the step whose loss gave it away, from 1.
    public let epoch: Int
    /// That step's place in its epoch, from 1.
    public let step: Int
    /// That step's place in the whole run, from 1.
    public let overallStep: Int
    /// The loss that gave it away: not finite, or finite and above ``limit``.
    public let loss: Double
    /// The most a step's loss may be: the blow-up factor times the first step's loss.
    public let limit: Double
    /// Whether every weight was still finite when the step began.
    public let weightsWereFinite: Bool
    /// For a loss that is not finite, the first op that made a NaN or an infinity when the step
    /// was run again inside `detectingAnomalies`; nil for a finite loss.
    public let anomaly: NumericalAnomaly?

    /// The divergence in plain words.
    public var description: String {
        let what = loss.isNaN ? "the loss became NaN"
            : loss.isInfinite ? "the loss became infinite"
            : "the loss rose to \(String(format: "%.3g", loss)), above \(String(format: "%.3g", limit))"
        var text = "diverged in epoch \(epoch), step \(step) (step \(overallStep) of the run): \(what)"
        if !weightsWereFinite { text += "; the weights were no longer finite, after the step before" }
        if let anomaly, weightsWereFinite {
            text += "; the first non-finite value came from '\(anomaly.op)' in the \(anomaly.phase.rawValue) pass"
        }
        return text
    }

    /// Two divergences are equal if they happened at the same step with the same loss.
    public static func == (a: Divergence, b: Divergence) -> Bool {
        (a.epoch, a.step, a.overallStep, a.limit, a.weightsWereFinite, a.anomaly?.op)
            == (b.epoch, b.step, b.overallStep, b.limit, b.weightsWereFinite, b.anomaly?.op)
            && (a.loss == b.loss || a.loss.isNaN && b.loss.isNaN)
    }
}

/// A training run at one learning rate: its losses, stopped where they diverged.
public struct LearningRateRun: Sendable {
    public let learningRate: Double
    /// Each step's batch loss, measured before its update, up to the last finite one that was
    /// not above the limit: the curve to draw. It ends before the divergent step, if any.
    public let stepLosses: [Double]
    /// The mean cross-entropy on all the training images: before training, then after each finished epoch.
    public let epochLosses: [Double]
    /// The accuracy on the validation images after the last epoch; nil if the run diverged.
    public let validationAccuracy: Double?
    /// Where the loss diverged, or nil if it did not.
    public let divergence: Divergence?
}

/// A training run at one batch size: its loss against epochs and against measured seconds.
public struct BatchSizeRun: Sendable {
    public let batchSize: Int
    /// The optimizer's steps in one epoch.
    public let stepsPerEpoch: Int
    /// The mean cross-entropy on all the training images: before training, then after each epoch.
    public let epochLosses: [Double]
    /// The training time in seconds, measured, before each entry of ``epochLosses``: 0, then the
    /// running total after each epoch (the time to score the epochs is left out).
    public let seconds: [Double]
    /// The accuracy on the validation images after the last epoch.
    public let validationAccuracy: Double
}

/// The learning-rate example: the range test, runs at three rates, and three batch sizes, all
/// training the digits MLP (64-128-10) with plain SGD.
public enum LearningRates {
    /// The network every run trains, the same for one seed: ``DigitsModel/mlp``.
    public static func makeNetwork(seed: UInt64) -> Sequential<Float> { DigitsModel.mlp.makeNetwork(seed: seed) }

    /// Runs ``findLearningRate(model:optimizer:batches:startLearningRate:endLearningRate:stepCount:smoothing:divergenceThreshold:loss:)``
    /// for a new network under SGD, in shuffled batches of `batchSize`.
    public static func rangeTest(training: DigitsData, batchSize: Int, startLearningRate: Double = 1e-7,
                                 endLearningRate: Double = 10, seed: UInt64) -> LearningRateSweep<Float> {
        let network = makeNetwork(seed: seed)
        let optimizer = SGD(parameters: network.parameters(), learningRate: 0.01)
        let loader = DataLoader(training, batchSize: batchSize, shuffle: true, seed: seed &+ 1)
        return findLearningRate(model: network, optimizer: optimizer, batches: loader,
                                startLearningRate: Float(startLearningRate), endLearningRate: Float(endLearningRate)) { batch in
            crossEntropy(logits: network(Variable(batch.inputs)), labels: batch.labels)
        }
    }

    /// Trains a new network (seeded with `seed`) with SGD at `learningRate` for `epochs` epochs, and
    /// stops at the first step whose loss diverges: one that is not finite, or above
    /// `blowUpFactor` times the first step's loss.
    ///
    /// A step's loss is checked before its update, so a divergent step changes nothing; the
    /// run then ends there and reports it, without an error.
    public static func train(learningRate: Double, training: DigitsData, validation: DigitsData, epochs: Int,
                             batchSize: Int, blowUpFactor: Double = 10, seed: UInt64) -> LearningRateRun {
        precondition(blowUpFactor > 1, "LearningRates.train: blowUpFactor must be above 1, but is \(blowUpFactor)")
        let network = makeNetwork(seed: seed)
        let optimizer = SGD(parameters: network.parameters(), learningRate: Float(learningRate))
        let loader = DataLoader(training, batchSize: batchSize, shuffle: true, seed: seed &+ 1)
        var stepLosses: [Double] = []
        var epochLosses = [evaluate(network, on: training).score.loss]
        var limit = Double.infinity
        network.train()
        for epoch in 1...epochs {
            for (index, batch) in loader.enumerated() {
                optimizer.zeroGrad()
                let loss = crossEntropy(logits: network(Variable(batch.inputs)), labels: batch.labels)
                let value = Double(loss.scalar)
                if stepLosses.isEmpty && value.isFinite { limit = blowUpFactor * value }
                guard value.isFinite && value <= limit else {
                    // Run the step again, checked op by op, to say where the first NaN or infinity came from.
                    let anomaly: NumericalAnomaly? = value.isFinite ? nil : {
                        optimizer.zeroGrad()
                        do {
                            try detectingAnomalies {
                                crossEntropy(logits: network(Variable(batch.inputs)), labels: batch.labels).backward()
                            }
                            return nil
                        } catch {
                            return error as? NumericalAnomaly
                        }
                    }()
                    let divergence = Divergence(
                        epoch: epoch, step: index + 1, overallStep: stepLosses.count + 1, loss: value, limit: limit,
                        weightsWereFinite: network.parameters().allSatisfy(\.value.isFinite), anomaly: anomaly)
                    return LearningRateRun(learningRate: learningRate, stepLosses: stepLosses, epochLosses: epochLosses,
                                           validationAccuracy: nil, divergence: divergence)
                }
                stepLosses.append(value)
                loss.backward()
                optimizer.step()
            }
            epochLosses.append(evaluate(network, on: training).score.loss)
            network.train()
        }
        return LearningRateRun(learningRate: learningRate, stepLosses: stepLosses, epochLosses: epochLosses,
                               validationAccuracy: evaluate(network, on: validation).score.accuracy, divergence: nil)
    }

    /// Trains a new network (seeded with `seed`) with SGD at `learningRate` in batches of
    /// `batchSize`, timing each epoch's training with a monotonic clock.
    public static func train(batchSize: Int, learningRate: Double, training: DigitsData, validation: DigitsData,
                             epochs: Int, seed: UInt64) -> BatchSizeRun {
        let network = makeNetwork(seed: seed)
        let optimizer = SGD(parameters: network.parameters(), learningRate: Float(learningRate))
        let loader = DataLoader(training, batchSize: batchSize, shuffle: true, seed: seed &+ 1)
        var losses = [evaluate(network, on: training).score.loss]
        var seconds = [0.0]
        let clock = ContinuousClock()
        for _ in 1...epochs {
            network.train()
            let elapsed = clock.measure {
                for batch in loader {
                    optimizer.zeroGrad()
                    crossEntropy(logits: network(Variable(batch.inputs)), labels: batch.labels).backward()
                    optimizer.step()
                }
            }
            seconds.append(seconds.last! + Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            losses.append(evaluate(network, on: training).score.loss)
        }
        return BatchSizeRun(batchSize: batchSize, stepsPerEpoch: loader.batchCount, epochLosses: losses, seconds: seconds,
                            validationAccuracy: evaluate(network, on: validation).score.accuracy)
    }

    /// The batch-size runs as a text table: steps, measured seconds, final loss and validation accuracy.
    public static func table(_ runs: [BatchSizeRun]) -> String {
        let header = ["batch size", "steps/epoch", "epochs", "seconds", "steps/s", "final loss", "val acc"]
        let rows = runs.map { run -> [String] in
            let epochs = run.epochLosses.count - 1
            let seconds = run.seconds.last!
            return ["\(run.batchSize)", "\(run.stepsPerEpoch)", "\(epochs)", String(format: "%.2f", seconds),
                    String(format: "%.0f", Double(run.stepsPerEpoch * epochs) / max(seconds, 1e-9)),
                    String(format: "%.4f", run.epochLosses.last!), String(format: "%.1f%%", run.validationAccuracy * 100)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        let line = { (cells: [String]) in
            cells.enumerated().map { column, cell in String(repeating: " ", count: widths[column] - cell.count) + cell }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
