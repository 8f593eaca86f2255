import Foundation

/// A sign of unhealthy training that a ``TrainingMonitor`` found, in plain language.
///
/// `description` names the layer and the numbers, such as
/// `vanishing gradients: layer 'layers.0' has gradient norm 3.1e-09, 2.4e-06 of the last
/// layer's ('layers.20') 1.3e-03 (threshold 1e-04)`. The numbers are also fields, for
/// programs and tests; what ``value``, ``reference`` and ``threshold`` hold depends on
/// ``kind`` and is listed with each kind.
public struct TrainingWarning: Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The first layer's gradient norm is below `threshold` times the last layer's.
        /// `value`: the first layer's norm; `reference`: the last layer's.
        case vanishingGradients = "vanishing gradients"
        /// A layer's gradient norm is above `threshold`. `layer` is the layer with the largest norm;
        /// `value`: its norm; `reference`: the number of layers above the threshold.
        case explodingGradients = "exploding gradients"
        /// A layer's gradient holds NaN or an infinity. `layer` is the first such layer;
        /// `value`: the number of non-finite elements in it; `reference`: the number of such layers.
        case nonFiniteGradients = "non-finite gradients"
        /// A ReLU layer has many dead units: units that are 0 for every example of the batch.
        /// `value`: the fraction of dead units; `reference`: the number of units.
        case deadUnits = "dead units"
        /// A tanh or sigmoid layer has many saturated outputs, whose local gradient is nearly 0.
        /// `value`: the fraction of saturated outputs; `reference`: the number of outputs.
        case saturatedUnits = "saturated units"
        /// Nodes recorded in steps before the previous one are still alive: something holds their
        /// graph across steps. `value`: the number of such nodes; `reference`: the number of steps they come from.
        case graphOutlivesStep = "graph outlives its step"
        /// The loss is not finite, or its smoothed value rose to `threshold` times the lowest so far.
        /// `value`: the loss (when not finite) or the smoothed loss; `reference`: the lowest smoothed loss.
        case divergingLoss = "diverging loss"
    }

    /// What went wrong.
    public let kind: Kind
    /// The step at which it was seen: the index in ``TrainingMonitor/history``.
    public let step: Int
    /// The layer it concerns, or nil for the loss and the graph.
    public let layer: String?
    /// The measured number; see ``Kind``.
    public let value: Double
    /// The number it was compared with, or a count that qualifies it; see ``Kind``.
    public let reference: Double?
    /// The threshold that was crossed.
    public let threshold: Double
    /// The warning in plain language, naming the layer and the numbers.
    public let description: String

    /// Creates a warning; ``TrainingMonitor`` makes them.
    public init(kind: Kind, step: Int, layer: String?, value: Double, reference: Double?, threshold: Double,
                description: String) {
        self.kind = kind
        self.step = step
        self.layer = layer
        self.value = value
        self.reference = reference
        self.threshold = threshold
        self.description = description
    }
}

/// When a ``TrainingMonitor`` warns.
///
/// The defaults follow common rules of thumb: a gradient 10⁴ times smaller in the first
/// layer than in the last barely moves the first layer; norms above 10³ are far beyond the
/// 1–5 that gradient clipping usually allows; half the units dead or saturated is half the
/// layer doing nothing; and a smoothed loss 4 times its lowest is divergence, as fastai's
/// learning-rate finder judges it.
public struct MonitorThresholds: Sendable, Equatable {
    /// Vanishing when the first layer's gradient norm is below this fraction of the last layer's (default 1e-4).
    public var vanishingRatio: Double
    /// Exploding when a layer's gradient norm is above this (default 1e3).
    public var explodingNorm: Double
    /// Warn when at least this fraction of a ReLU layer's units is dead (default 0.5).
    public var deadFraction: Double
    /// Warn when at least this fraction of a tanh or sigmoid layer's outputs is saturated (default 0.5).
    public var saturatedFraction: Double
    /// Diverging when the smoothed loss exceeds this factor times the lowest smoothed loss (default 4).
    public var divergenceFactor: Double
    /// The steps to wait before comparing smoothed losses (default 5): the first ones average few batches.
    public var divergenceWarmupSteps: Int

    /// Creates thresholds; every one has a default.
    public init(vanishingRatio: Double = 1e-4, explodingNorm: Double = 1e3, deadFraction: Double = 0.5,
                saturatedFraction: Double = 0.5, divergenceFactor: Double = 4, divergenceWarmupSteps: Int = 5) {
        self.vanishingRatio = vanishingRatio
        self.explodingNorm = explodingNorm
        self.deadFraction = deadFraction
        self.saturatedFraction = saturatedFraction
        self.divergenceFactor = divergenceFactor
        self.divergenceWarmupSteps = divergenceWarmupSteps
    }
}

/// What a ``TrainingMonitor`` measured at one step: one call of ``TrainingMonitor/backward(_:)``.
///
/// Per-layer numbers are keyed by layer name (see ``TrainingMonitor/layers``); a layer is
/// absent where it was not measured: no gradient reached it, or it has no activation of that kind.
public struct TrainingStepRecord: Sendable, Equatable {
    /// The index of the step in ``TrainingMonitor/history``, from 0.
    public var step: Int
    /// The loss passed to ``TrainingMonitor/backward(_:)``.
    public var loss: Double
    /// Each layer's gradient norm: √(Σ over its parameters' gradient elements g²).
    public var gradientNorms: [String: Double]
    /// Each layer's update size relative to its weights, ‖w_after − w_before‖ / ‖w_before‖, for the
    /// optimizer step that followed this backward. Filled in at the next call of
    /// ``TrainingMonitor/backward(_:)``, so empty in the last record. Around 1e-3 is the usual healthy value.
    public var updateRatios: [String: Double]
    /// Each ReLU layer's fraction of dead units: units that are 0 for every example of the batch.
    public var deadFractions: [String: Double]
    /// Each tanh or sigmoid layer's fraction of saturated outputs: |y| > 0.99 for tanh, y < 0.01 or y > 0.99 for sigmoid.
    public var saturatedFractions: [String: Double]
    /// The number of recorded ops in the loss's graph.
    public var nodeCount: Int
    /// The number of nodes recorded in steps before the previous one that are still alive: 0 in a healthy loop.
    public var outlivingNodeCount: Int

    /// Creates a record; ``TrainingMonitor`` makes them.
    public init(step: Int, loss: Double, gradientNorms: [String: Double] = [:], updateRatios: [String: Double] = [:],
                deadFractions: [String: Double] = [:], saturatedFractions: [String: Double] = [:],
                nodeCount: Int = 0, outlivingNodeCount: Int = 0) {
        self.step = step
        self.loss = loss
        self.gradientNorms = gradientNorms
        self.updateRatios = updateRatios
        self.deadFractions = deadFractions
        self.saturatedFractions = saturatedFractions
        self.nodeCount = nodeCount
        self.outlivingNodeCount = outlivingNodeCount
    }
}

/// A number in the warnings' style: two significant digits in scientific notation (3.1e-09).
func warningNumber(_ value: Double) -> String {
    value.isFinite ? String(format: "%.1e", value) : "\(value)"
}

/// A fraction as a percentage with one decimal (87.5%).
func warningPercent(_ fraction: Double) -> String { String(format: "%.1f%%", 100 * fraction) }
