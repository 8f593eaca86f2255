import Backprop
import Foundation

/// The bias-corrected moving average of the loss, and its lowest value, for the divergence check.
///
///     aₙ = β·aₙ₋₁ + (1 − β)·lossₙ   (a₀ = 0),   smoothedₙ = aₙ / (1 − βⁿ),   β = 0.9
///
/// β = 0.9 averages about ten steps: enough to ride out a noisy batch, quick enough to see a
/// loss that takes off within a few steps. Non-finite losses are left out.
struct LossSmoothing {
    static var beta: Double { 0.9 }
    private var average = 0.0
    /// The number of losses averaged.
    private(set) var count = 0
    /// The lowest smoothed loss so far.
    private(set) var lowest = Double.infinity
    /// The first smoothed loss: the first loss.
    private(set) var first = Double.nan

    /// Adds `loss` and returns the smoothed loss and the lowest before it.
    mutating func add(_ loss: Double) -> (smoothed: Double, lowestBefore: Double) {
        count += 1
        average = Self.beta * average + (1 - Self.beta) * loss
        let smoothed = average / (1 - pow(Self.beta, Double(count)))
        let before = lowest
        lowest = min(lowest, smoothed)
        if count == 1 { first = smoothed }
        return (smoothed, before)
    }
}

extension TrainingMonitor {
    /// Raises the warnings that `record`, the step just taken, calls for.
    ///
    /// - Parameters:
    ///   - nonFiniteElements: the number of non-finite gradient elements of each layer that has any.
    ///   - activations: the step's activation tallies, for the counts and names in messages.
    ///   - outlivingSteps: the number of earlier steps whose nodes are still alive.
    func check(_ record: TrainingStepRecord, nonFiniteElements: [Int: Int], activations: ActivationTallies,
               outlivingSteps: Int) {
        let step = record.step
        checkLoss(record.loss, step: step)
        if let first = nonFiniteElements.keys.min() {
            let count = nonFiniteElements[first]!, more = nonFiniteElements.count - 1
            raise(TrainingWarning(
                kind: .nonFiniteGradients, step: step, layer: layers[first], value: Double(count),
                reference: Double(nonFiniteElements.count), threshold: 0,
                description: "non-finite gradients: layer '\(layers[first])' has \(count) NaN or infinite gradient "
                    + "element\(count == 1 ? "" : "s") at step \(step)"
                    + (more > 0 ? " (and \(more) more layer\(more == 1 ? "" : "s"))" : "")
                    + "; run the step inside detectingAnomalies { } to find the op that made the first"))
        }
        checkGradientNorms(record.gradientNorms, step: step)
        if let (layer, tally, count) = worst(activations.dead, threshold: thresholds.deadFraction) {
            raise(TrainingWarning(
                kind: .deadUnits, step: step, layer: layers[layer], value: tally.fraction, reference: Double(tally.total),
                threshold: thresholds.deadFraction,
                description: "dead units: \(warningPercent(tally.fraction)) of the \(tally.total) ReLU units of layer "
                    + "'\(layers[layer])' have been 0 for each of the last \(thresholds.deadUnitExamples) examples or more "
                    + "at step \(step) (threshold "
                    + "\(warningPercent(thresholds.deadFraction)))\(more(count)); a dead unit passes no gradient back. "
                    + "Try a lower learning rate, Kaiming initialisation or LeakyReLU"))
        }
        if let (layer, tally, count) = worst(activations.saturated, threshold: thresholds.saturatedFraction) {
            let range = tally.activation == .tanh ? "beyond ±0.99" : "below 0.01 or above 0.99"
            raise(TrainingWarning(
                kind: .saturatedUnits, step: step, layer: layers[layer], value: tally.fraction,
                reference: Double(tally.total), threshold: thresholds.saturatedFraction,
                description: "saturated units: \(warningPercent(tally.fraction)) of the \(tally.total) "
                    + "\(tally.activation.rawValue) outputs of layer '\(layers[layer])' are \(range) at step \(step) "
                    + "(threshold \(warningPercent(thresholds.saturatedFraction)))\(more(count)); their gradient is "
                    + "nearly 0. Try smaller initial weights or normalisation"))
        }
        if record.outlivingNodeCount > 0 {
            let nodes = record.outlivingNodeCount
            raise(TrainingWarning(
                kind: .graphOutlivesStep, step: step, layer: nil, value: Double(nodes), reference: Double(outlivingSteps),
                threshold: 0,
                description: "graph outlives its step: \(nodes) node\(nodes == 1 ? "" : "s") recorded in "
                    + "\(outlivingSteps) earlier step\(outlivingSteps == 1 ? " is" : "s are") still alive at step "
                    + "\(step), so something keeps the graphs across steps, such as summing losses as Variables "
                    + "(`total = total + loss`); keep numbers instead (`total += loss.scalar`)"))
        }
    }

    /// The layer with the largest inactive fraction at or above `threshold` (the first, if several tie),
    /// its tally, and the number of layers at or above it.
    private func worst(_ tallies: [Int: ActivationTally], threshold: Double) -> (Int, ActivationTally, Int)? {
        let above = tallies.filter { $0.value.total > 0 && $0.value.fraction >= threshold }
            .sorted { $0.value.fraction > $1.value.fraction || ($0.value.fraction == $1.value.fraction && $0.key < $1.key) }
        return above.first.map { ($0.key, $0.value, above.count) }
    }

    /// ", as are N more layers", for a warning that names the worst of `count` layers.
    private func more(_ count: Int) -> String {
        count > 1 ? ", as are \(count - 1) more layer\(count == 2 ? "" : "s")" : ""
    }

    /// Raises a divergence warning for a loss that is not finite, or whose smoothed value took off.
    private func checkLoss(_ loss: Double, step: Int) {
        guard loss.isFinite else {
            raise(TrainingWarning(
                kind: .divergingLoss, step: step, layer: nil, value: loss, reference: smoothing.lowest,
                threshold: thresholds.divergenceFactor,
                description: "diverging loss: the loss is \(loss) at step \(step); lower the learning rate, "
                    + "or look for a log of 0 or a division by 0 in the loss"))
            return
        }
        let (smoothed, lowest) = smoothing.add(loss)
        let factor = thresholds.divergenceFactor
        guard smoothing.count > thresholds.divergenceWarmupSteps, lowest > 0, smoothed > factor * lowest,
              smoothed > smoothing.first else { return }
        raise(TrainingWarning(
            kind: .divergingLoss, step: step, layer: nil, value: smoothed, reference: lowest, threshold: factor,
            description: "diverging loss: the smoothed loss \(warningNumber(smoothed)) is "
                + "\(String(format: "%.1f", smoothed / lowest)) times its lowest, \(warningNumber(lowest)), and above "
                + "its first, \(warningNumber(smoothing.first)), at step "
                + "\(step) (threshold \(String(format: "%g", factor))); "
                + "lower the learning rate"))
    }

    /// Raises exploding and vanishing warnings from the step's gradient norms by layer name.
    private func checkGradientNorms(_ norms: [String: Double], step: Int) {
        let measured = layers.compactMap { name in norms[name].map { (name, $0) } }
        let above = measured.filter { $0.1 > thresholds.explodingNorm }
        if let (layer, norm) = above.max(by: { $0.1 < $1.1 }) {
            raise(TrainingWarning(
                kind: .explodingGradients, step: step, layer: layer, value: norm, reference: Double(above.count),
                threshold: thresholds.explodingNorm,
                description: "exploding gradients: layer '\(layer)' has gradient norm \(warningNumber(norm)) at step "
                    + "\(step) (threshold \(warningNumber(thresholds.explodingNorm))); \(above.count) of "
                    + "\(measured.count) layers are above it. Try clipGradientNorm, smaller initial weights or a "
                    + "lower learning rate"))
        }
        guard measured.count >= 2, let (first, firstNorm) = measured.first, let (last, lastNorm) = measured.last,
              lastNorm > 0, lastNorm.isFinite, firstNorm < thresholds.vanishingRatio * lastNorm else { return }
        raise(TrainingWarning(
            kind: .vanishingGradients, step: step, layer: first, value: firstNorm, reference: lastNorm,
            threshold: thresholds.vanishingRatio,
            description: "vanishing gradients: layer '\(first)' has gradient norm \(warningNumber(firstNorm)), "
                + "\(warningNumber(firstNorm / lastNorm)) of the last layer's ('\(last)') \(warningNumber(lastNorm)) at "
                + "step \(step) (threshold \(warningNumber(thresholds.vanishingRatio))); the first layers barely learn. "
                + "Try ReLU with Kaiming initialisation, normalisation or residual connections"))
    }
}
