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
    /// A ReLU unit is dead once it has been 0 for this many consecutive examples, across steps (default 256):
    /// a unit that fires for 1 example in 10 is then silent that long by chance with odds of 2·10⁻¹².
    public var deadUnitExamples: Int
    /// Warn when at least this fraction of a tanh or sigmoid layer's outputs is saturated (default 0.5).
    public var saturatedFraction: Double
    /// Diverging when the smoothed loss exceeds this factor times the lowest smoothed loss, and the first (default 4).
    public var divergenceFactor: Double
    /// The steps to wait before comparing smoothed losses (default 5): the first ones average few batches.
    public var divergenceWarmupSteps: Int

    /// Creates thresholds; every one has a default.
    public init(vanishingRatio: Double = 1e-4, explodingNorm: Double = 1e3, deadFraction: Double = 0.5,
                deadUnitExamples: Int = 256, saturatedFraction: Double = 0.5, divergenceFactor: Double = 4,
                divergenceWarmupSteps: Int = 5) {
        self.vanishingRatio = vanishingRatio
        self.explodingNorm = explodingNorm
        self.deadFraction = deadFraction
        self.deadUnitExamples = deadUnitExamples
        self.saturatedFraction = saturatedFraction
        self.divergenceFactor = divergenceFactor
        self.divergenceWarmupSteps = divergenceWarmupSteps
    }
}
