import Backprop

extension TrainingMonitor {
    /// The loss of each step.
    public var losses: [Double] { history.map(\.loss) }

    /// The gradient norm of each layer at `step`, in the order of ``layers``; NaN where no gradient reached a layer.
    ///
    /// Against the layers' positions (`layers.indices`) on a logarithmic axis, one line per
    /// step, this is the chart of a vanishing or exploding gradient: a line that falls from
    /// right to left by orders of magnitude is a vanishing gradient; one that rises, an exploding
    /// one. Docs/Training.md draws it with BackpropPlot's `Chart`.
    ///
    /// - Parameter step: an index into ``history``.
    public func layerGradientNorms(atStep step: Int) -> [Double] {
        require(history.indices.contains(step),
                "TrainingMonitor.layerGradientNorms: step \(step) is not in the history of \(history.count) steps")
        return layers.map { history[step].gradientNorms[$0] ?? .nan }
    }
}
