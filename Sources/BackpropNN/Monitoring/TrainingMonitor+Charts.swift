import Backprop

extension TrainingMonitor {
    /// The loss of each step.
    public var losses: [Double] { history.map(\.loss) }

    /// The gradient norm of each layer at `step`, in the order of ``layers``; NaN where no gradient reached a layer.
    ///
    /// - Parameter step: an index into ``history``.
    public func layerGradientNorms(atStep step: Int) -> [Double] {
        require(history.indices.contains(step),
                "TrainingMonitor.layerGradientNorms: step \(step) is not in the history of \(history.count) steps")
        return layers.map { history[step].gradientNorms[$0] ?? .nan }
    }

    /// A chart of the gradient norm of each layer, by layer depth, on a logarithmic axis: one line per step.
    ///
    /// The x axis is the layer's position in ``layers``, 0 for the first. A line that falls from
    /// right to left by orders of magnitude is a vanishing gradient; one that rises, an exploding one.
    ///
    /// - Parameters:
    ///   - title: the chart's title.
    ///   - steps: the steps to draw, indices into ``history``; by default the first and the last.
    public func gradientNormChart(title: String = "Gradient norm by layer", steps: [Int]? = nil) -> Chart {
        var chart = Chart(title: title, xLabel: "layer (0 = first)", yLabel: "gradient norm", logarithmicY: true)
        let steps = steps ?? (history.isEmpty ? [] : Array(Set([0, history.count - 1])).sorted())
        for step in steps {
            chart.addLine("step \(step)", x: layers.indices.map(Double.init), y: layerGradientNorms(atStep: step))
        }
        return chart
    }
}
