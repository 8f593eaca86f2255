import Foundation

/// An axis: its domain, its ticks at nice numbers (1, 2 or 5 × 10ᵏ) and their labels.
struct AxisScale: Equatable {
    var lower: Double
    var upper: Double
    var ticks: [Double]
    var labels: [String]
    var isLogarithmic: Bool

    /// A linear axis covering `values` (finite ones only), widened to nice bounds unless
    /// `fixed` gives the exact domain; about `count` ticks.
    static func linear(covering values: [Double], fixed: ClosedRange<Double>? = nil, count: Int = 6) -> AxisScale {
        // Beyond ±1e300 the span itself would overflow: such values are skipped like infinities.
        let finite = values.filter { $0.isFinite && abs($0) <= 1e300 }
        let fixed = fixed.flatMap { abs($0.lowerBound) <= 1e300 && abs($0.upperBound) <= 1e300 ? $0 : nil }
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if let fixed {
            low = min(low, fixed.lowerBound)
            high = max(high, fixed.upperBound)
        }
        if high - low <= max(abs(high), abs(low)) * 1e-12 || high - low < 1e-290 {   // constant: open a window
            let pad = abs(low) < 1e-280 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let step = niceStep(for: high - low, count: count)
        var first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        if fixed != nil {
            first = (low / step - 1e-9).rounded(.up)
            last = (high / step + 1e-9).rounded(.down)
        } else {
            (low, high) = ((first * step).roundedNicely(step: step), (last * step).roundedNicely(step: step))
        }
        let ticks = stride(from: first, through: last, by: 1).map { ($0 * step).roundedNicely(step: step) }
        return AxisScale(lower: low, upper: high, ticks: ticks,
                         labels: ticks.map { ChartNumber.tick($0, step: step) }, isLogarithmic: false)
    }

    /// A logarithmic axis covering the positive finite `values`, from one power of ten
    /// to another; ticks at powers of ten, or at 1, 2, 5 × 10ᵏ when it spans few decades.
    static func logarithmic(covering values: [Double]) -> AxisScale {
        let positive = values.filter { $0.isFinite && $0 >= 1e-300 && $0 <= 1e300 }
        let low = positive.min() ?? 1, high = positive.max() ?? 10
        var first = Int((log10(low) + 1e-12).rounded(.down))
        var last = max(first + 1, Int((log10(high) - 1e-12).rounded(.up)))
        var ticks: [Double] = []
        if last - first <= 2 {
            for k in first...last {
                for m in [1.0, 2, 5] where k < last || m == 1 { ticks.append(m * pow(10, Double(k))) }
            }
        } else {
            // Every decade, or every few decades for long ranges, the ends aligned to ticks.
            let every = max(1, Int((Double(last - first) / 7).rounded(.up)))
            first = Int((Double(first) / Double(every)).rounded(.down)) * every
            last = Int((Double(last) / Double(every)).rounded(.up)) * every
            for k in stride(from: first, through: last, by: every) { ticks.append(pow(10, Double(k))) }
        }
        ticks = ticks.map { Double(ChartNumber.compact($0, significantDigits: 3)) ?? $0 }
        return AxisScale(lower: pow(10, Double(first)), upper: pow(10, Double(last)), ticks: ticks,
                         labels: ticks.map { ChartNumber.compact($0, significantDigits: 3) }, isLogarithmic: true)
    }

    /// Where `value` falls from 0 (lower end) to 1 (upper end), or nil if it cannot be placed.
    func fraction(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        if isLogarithmic {
            guard value > 0 else { return nil }
            return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return (value - lower) / (upper - lower)
    }
}

/// The nice step (1, 2 or 5 × 10ᵏ) that cuts `span` into about `count` intervals.
func niceStep(for span: Double, count: Int) -> Double {
    let rough = span / Double(max(1, count - 1))
    let power = pow(10, log10(rough).rounded(.down))
    let mantissa = rough / power
    let nice: Double = mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10
    return nice * power
}

extension Double {
    /// The value rounded to the decimal places of `step`, so `3 × 0.1` is exactly `0.3`.
    func roundedNicely(step: Double) -> Double {
        guard step > 0, step < 1 else { return self == 0 ? 0 : self }
        let decimals = Double(Int((-log10(step)).rounded(.up)) + 1)
        let scale = Foundation.pow(10, decimals)
        let result = (self * scale).rounded() / scale
        return result == 0 ? 0 : result
    }
}
