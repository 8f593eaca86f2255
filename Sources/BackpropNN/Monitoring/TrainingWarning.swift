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
        /// ReLU layers have many dead units: units that have been 0 for every one of the last
        /// ``MonitorThresholds/deadUnitExamples`` examples or more. `layer`
        /// is the layer with the largest fraction; `value`: that fraction; `reference`: its number of units.
        case deadUnits = "dead units"
        /// Tanh or sigmoid layers have many saturated outputs, whose local gradient is nearly 0. `layer`
        /// is the layer with the largest fraction; `value`: that fraction; `reference`: its number of outputs.
        case saturatedUnits = "saturated units"
        /// Nodes recorded in steps before the previous one are still alive: something holds their
        /// graph across steps. `value`: the number of such nodes; `reference`: the number of steps they come from.
        case graphOutlivesStep = "graph outlives its step"
        /// The loss is not finite, or its smoothed value rose above `threshold` times the lowest so far
        /// and above the first. `value`: the loss (when not finite) or the smoothed loss; `reference`:
        /// the lowest smoothed loss.
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

/// A number in the warnings' style: two significant digits in scientific notation (3.1e-09).
func warningNumber(_ value: Double) -> String {
    value.isFinite ? String(format: "%.1e", value) : "\(value)"
}

/// A fraction as a percentage with one decimal (87.5%).
func warningPercent(_ fraction: Double) -> String { String(format: "%.1f%%", 100 * fraction) }
