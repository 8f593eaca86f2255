import Foundation

/// A training progress display: on a terminal, one line per epoch redrawn in place,
///
/// ```text
/// epoch 3/10 [#########.....] 45/60  loss 0.3124  accuracy 0.9512  1234 samples/s  ETA 0:12
/// ```
///
/// and otherwise (a file, a pipe, CI) one plain line per epoch with no escape codes:
///
/// ```text
/// epoch 3/10  loss 0.3124  accuracy 0.9512  1,234 samples/s  2.1 s
/// ```
///
/// Call `update` after each batch and `finishEpoch` at the end of each epoch. Epochs and
/// batches are counted from 1; a bar whose first call names epoch 0 or batch 0 counts
/// that axis from 0 instead. While an epoch runs the bar shows the sample-weighted mean
/// of the batch losses (and metrics) so far, the throughput of this epoch and the time
/// left at the average pace of all batches so far.
public final class ProgressBar {
    /// The number of epochs planned.
    public let epochs: Int
    /// The number of batches in one epoch.
    public let batchesPerEpoch: Int
    /// The metric's name, e.g. "accuracy"; "metric" when nil.
    public let metricName: String?

    private let output: (String) -> Void
    private let isTerminal: Bool
    private let clock: () -> Double
    private let terminalColumns: () -> Int
    private let barWidth = 24
    private var fittedColumns = 0, fittedBarWidth = 24
    private let redrawInterval = 0.1

    private let startTime: Double
    private var epochStart: Double
    private var lastDraw: Double? = nil
    private var epochOffset: Int? = nil, batchOffset: Int? = nil
    private var batchesDone = 0
    private var epochSamples = 0, epochLossSum = 0.0, epochMetricSum = 0.0, epochMetricSamples = 0

    /// Creates a progress bar writing to standard output, redrawn in place when standard
    /// output is a terminal.
    /// - Parameters:
    ///   - epochs: The number of epochs planned.
    ///   - batchesPerEpoch: The number of batches in one epoch.
    ///   - metricName: The name shown before the metric passed to `update` and `finishEpoch`.
    public convenience init(epochs: Int, batchesPerEpoch: Int, metricName: String? = nil) {
        let start = ContinuousClock.now
        self.init(epochs: epochs, batchesPerEpoch: batchesPerEpoch, metricName: metricName,
                  output: { text in
                      print(text, terminator: "")
                      fflush(nil)
                  },
                  isTerminal: isatty(STDOUT_FILENO) != 0,
                  terminalColumns: {
                      var size = winsize()
                      return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : 0
                  },
                  clock: {
                      let elapsed = ContinuousClock.now - start
                      return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                  })
    }

    /// Creates a progress bar writing to `output`, for tests and custom sinks.
    /// - Parameters:
    ///   - epochs: The number of epochs planned.
    ///   - batchesPerEpoch: The number of batches in one epoch.
    ///   - metricName: The name shown before the metric.
    ///   - output: Receives the text to write, line breaks and (on a terminal) control codes included.
    ///   - isTerminal: Whether to redraw one line in place (true) or print a plain line per epoch.
    ///   - terminalColumns: The terminal's width in characters, read at each redraw; 0 if unknown.
    ///   - clock: The time in seconds on a monotonic clock.
    public init(epochs: Int, batchesPerEpoch: Int, metricName: String? = nil,
                output: @escaping (String) -> Void, isTerminal: Bool,
                terminalColumns: @escaping () -> Int = { 0 }, clock: @escaping () -> Double) {
        self.epochs = max(1, epochs)
        self.batchesPerEpoch = max(1, batchesPerEpoch)
        self.metricName = metricName
        self.output = output
        self.isTerminal = isTerminal
        self.clock = clock
        self.terminalColumns = terminalColumns
        startTime = clock()
        epochStart = startTime
    }

    /// Records a finished batch and, on a terminal, redraws the line (at most ten times
    /// a second, and always for an epoch's last batch).
    /// - Parameters:
    ///   - epoch: The epoch, from 1.
    ///   - batch: The batch just finished, from 1 to `batchesPerEpoch`.
    ///   - loss: The batch's loss.
    ///   - metric: The batch's metric, if any (e.g. its accuracy).
    ///   - samples: The number of examples in the batch.
    public func update(epoch: Int, batch: Int, loss: Double, metric: Double? = nil, samples: Int) {
        if epochOffset == nil { epochOffset = epoch == 0 ? 1 : 0 }
        if batchOffset == nil { batchOffset = batch == 0 ? 1 : 0 }
        batchesDone += 1
        let count = max(0, samples)
        epochSamples += count
        epochLossSum += loss * Double(count)
        if let metric {
            epochMetricSum += metric * Double(count)
            epochMetricSamples += count
        }
        guard isTerminal else { return }
        let now = clock()
        let shownBatch = batch + (batchOffset ?? 0)
        if let lastDraw, now - lastDraw < redrawInterval, shownBatch < batchesPerEpoch { return }
        lastDraw = now
        let meanLoss = epochSamples > 0 ? epochLossSum / Double(epochSamples) : loss
        let meanMetric = epochMetricSamples > 0 ? epochMetricSum / Double(epochMetricSamples) : nil
        let remaining = Double(epochs * batchesPerEpoch - batchesDone)
        let eta = batchesDone > 0 ? (now - startTime) / Double(batchesDone) * max(0, remaining) : nil
        var tail = measurements(loss: meanLoss, metric: meanMetric)
        tail += "  " + Self.throughput(Double(epochSamples) / (now - epochStart), grouped: false)
        if let eta { tail += "  ETA " + Self.clockTime(eta) }
        output("\r\u{1B}[2K" + fitted(header(epoch), batch: shownBatch, tail))
    }

    /// Ends an epoch: on a terminal, redraws its line with these final values and moves
    /// to the next line; otherwise prints one plain line.
    /// - Parameters:
    ///   - epoch: The epoch, from 1.
    ///   - loss: The epoch's loss (e.g. the mean training loss, or the validation loss).
    ///   - metric: The epoch's metric; when nil, the sample-weighted mean of the metrics
    ///     passed to `update` in this epoch, if any.
    ///   - note: Extra text for the end of the line, e.g. "saved checkpoint".
    public func finishEpoch(epoch: Int, loss: Double, metric: Double? = nil, note: String = "") {
        if epochOffset == nil { epochOffset = epoch == 0 ? 1 : 0 }
        let now = clock()
        let seconds = now - epochStart
        let metric = metric ?? (epochMetricSamples > 0 ? epochMetricSum / Double(epochMetricSamples) : nil)
        var line: String
        if isTerminal {
            var tail = measurements(loss: loss, metric: metric)
            tail += "  " + Self.throughput(Double(epochSamples) / seconds, grouped: false) + "  " + Self.duration(seconds)
            if !note.isEmpty { tail += "  " + note }
            line = "\r\u{1B}[2K" + fitted(header(epoch), batch: batchesPerEpoch, tail)
        } else {
            line = header(epoch) + measurements(loss: loss, metric: metric)
            line += "  " + Self.throughput(Double(epochSamples) / seconds, grouped: true) + "  " + Self.duration(seconds)
            if !note.isEmpty { line += "  " + note }
        }
        output(line + "\n")
        epochStart = now
        lastDraw = nil
        epochSamples = 0
        epochLossSum = 0
        epochMetricSum = 0
        epochMetricSamples = 0
    }

    private func header(_ epoch: Int) -> String {
        "epoch \(epoch + (epochOffset ?? 0))/\(epochs)"
    }

    /// The terminal line `head [####....] batch/total tail`, made to fit the terminal's
    /// width so it never wraps (a wrapped line cannot be redrawn in place): with a
    /// shorter bar, or none, if need be, then cut short.
    private func fitted(_ head: String, batch: Int, _ tail: String) -> String {
        let counter = " \(batch)/\(batchesPerEpoch)"
        let columns = terminalColumns()
        let compact = head + counter + tail
        guard columns > 0 else { return head + " " + bar(batch, width: barWidth) + counter + tail }
        if columns != fittedColumns { (fittedColumns, fittedBarWidth) = (columns, barWidth) }
        let room = columns - 1 - compact.count - 3          // the bar's brackets and a space
        if room >= 10 {
            fittedBarWidth = min(fittedBarWidth, room)       // only shrinks, so lines stay aligned
            return head + " " + bar(batch, width: fittedBarWidth) + counter + tail
        }
        return compact.count < columns ? compact : String(compact.prefix(max(1, columns - 1)))
    }

    private func bar(_ batch: Int, width: Int) -> String {
        let filled = min(width, max(0, width * batch / batchesPerEpoch))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    private func measurements(loss: Double, metric: Double?) -> String {
        var text = "  loss " + Self.decimal(loss)
        if let metric { text += "  \(metricName ?? "metric") " + Self.decimal(metric) }
        return text
    }

    /// `value` with four decimals, or with four significant digits when very small or large.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        let magnitude = abs(value)
        guard magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e5) else {
            let text = String(format: "%.3e", value)          // e.g. 7.041e-04, shown as 7.041e-4
            guard let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...]) else { return text }
            return "\(text[..<e])e\(exponent)"
        }
        return String(format: "%.4f", value)
    }

    /// "1234 samples/s", with thousands separated by commas when `grouped`; "—" when undefined.
    static func throughput(_ rate: Double, grouped: Bool) -> String {
        guard rate.isFinite, rate >= 0 else { return "- samples/s" }
        let whole = Int(rate.rounded())
        guard grouped else { return "\(whole) samples/s" }
        var digits = String(whole), groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return groups.joined(separator: ",") + " samples/s"
    }

    /// Seconds as m:ss, or h:mm:ss from an hour on.
    static func clockTime(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-:--" }
        let total = Int(max(0, seconds).rounded())
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        let paddedSeconds = rest < 10 ? "0\(rest)" : "\(rest)"
        if hours > 0 { return "\(hours):\(minutes < 10 ? "0" : "")\(minutes):\(paddedSeconds)" }
        return "\(minutes):\(paddedSeconds)"
    }

    /// An epoch's duration: "85 ms" under a second, "2.1 s" under a minute, else as m:ss.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "- s" }
        if seconds < 0.9995 { return "\(Int((max(0, seconds) * 1000).rounded())) ms" }
        return seconds < 59.95 ? String(format: "%.1f s", seconds) : clockTime(seconds)
    }
}
