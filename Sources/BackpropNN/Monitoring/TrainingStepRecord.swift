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
    /// Each ReLU layer's fraction of dead units: units that have been 0 for every one of the last
    /// ``MonitorThresholds/deadUnitExamples`` examples or more.
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
