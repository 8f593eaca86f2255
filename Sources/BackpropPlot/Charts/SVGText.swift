import Foundation

// Shared pieces of the SVG writers: XML escaping, number formatting, text width
// estimates and the atomic file write.

extension String {
    /// The string with `&`, `<`, `>`, `"` and `'` replaced by XML entities, and the
    /// control characters XML 1.0 forbids dropped, so it is safe as text or attribute.
    var xmlEscaped: String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

/// Formats chart numbers without binary noise: `0.1 + 0.2` prints as `0.3`.
enum ChartNumber {
    /// `value` with `decimals` digits after the point, a `-0` shown as `0`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(max(0, min(decimals, 15)))f", value)
        return Double(text) == 0 ? String(format: "%.\(max(0, min(decimals, 15)))f", 0.0) : text
    }

    /// A tick label for `value` on a linear axis whose ticks are `step` apart.
    static func tick(_ value: Double, step: Double) -> String {
        let magnitude = max(abs(value), abs(step))
        if magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4) { return typeset(scientific(value, step: step)) }
        let decimals = step > 0 ? max(0, Int((-log10(step)).rounded(.up) + 1e-9)) : 0
        return typeset(fixed(value, decimals: decimals))
    }

    /// The labels of `values` with one number of decimals for all, as a table shows them:
    /// integers when all are whole, else 2, 1 or 0 decimals as the largest is below 10,
    /// 100 or above; 2 significant digits each when the largest is tiny or huge.
    static func uniform(_ values: [Double]) -> (Double) -> String {
        let finite = values.filter(\.isFinite)
        let largest = finite.map(abs).max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 0.01) { return { compact($0, significantDigits: 2) } }
        let decimals = finite.allSatisfy({ $0 == $0.rounded() }) ? 0 : largest < 10 ? 2 : largest < 100 ? 1 : 0
        return { $0.isFinite ? typeset(fixed($0, decimals: decimals)) : compact($0) }
    }

    /// The text with a typographic minus sign (U+2212) for a leading hyphen.
    static func typeset(_ text: String) -> String {
        text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text
    }

    /// `value` with at most `significantDigits` significant digits and no trailing zeros:
    /// `1234.5678` → `1235`, `0.30000000000000004` → `0.3`, `2.5e-07` → `2.5e-7`.
    static func compact(_ value: Double, significantDigits: Int = 4) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "\u{2212}∞") }
        if value == 0 { return "0" }
        let digits = max(1, significantDigits)
        let exponent = Int(log10(abs(value)).rounded(.down))
        if exponent >= 6 || exponent < -4 {
            return typeset(scientific(value, significantDigits: digits))
        }
        let decimals = max(0, digits - 1 - exponent)
        return typeset(trimmed(fixed(value, decimals: decimals)))
    }

    /// Mantissa-exponent form, e.g. `1e-5` or `2.5e6`.
    private static func scientific(_ value: Double, step: Double) -> String {
        guard value != 0 else { return "0" }
        let digits = max(1, Int(log10(abs(value) / abs(step)).rounded(.down)) + 1)
        return scientific(value, significantDigits: min(digits, 6))
    }

    private static func scientific(_ value: Double, significantDigits: Int) -> String {
        let text = String(format: "%.\(significantDigits - 1)e", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = trimmed(String(text[..<e]))
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }

    /// Drops trailing zeros after a decimal point, and the point itself if bare.
    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = text
        while result.hasSuffix("0") { result.removeLast() }
        if result.hasSuffix(".") { result.removeLast() }
        return result == "-0" ? "0" : result
    }
}

/// An estimate of the width of `text` in a sans-serif font of `size` points, for layout.
func estimatedTextWidth(_ text: String, fontSize size: Double) -> Double {
    var ems = 0.0
    for character in text {
        switch character {
        case "i", "l", "j", "t", "f", "r", ".", ",", ":", ";", "'", "|", "!", " ", "(", ")", "[", "]", "1": ems += 0.33
        case "m", "w", "M", "W", "@": ems += 0.85
        case "A"..."Z", "%", "&": ems += 0.68
        default: ems += 0.56
        }
    }
    return ems * size
}

/// Writes `svg` to `path` atomically, creating missing parent directories.
func writeSVG(_ svg: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(svg.utf8).write(to: url, options: .atomic)
}

/// A complete SVG document of the given size around `body`.
func svgDocument(width: Double, height: Double, body: String) -> String {
    let w = ChartNumber.compact(width, significantDigits: 6), h = ChartNumber.compact(height, significantDigits: 6)
    return """
    <?xml version="1.0" encoding="UTF-8"?>
    <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)" \
    font-family="sans-serif">
    <rect x="0" y="0" width="\(w)" height="\(h)" fill="white"/>
    \(body)</svg>

    """
}

/// A coordinate in SVG output: two decimals at most, trailing zeros dropped.
func coordinate(_ value: Double) -> String {
    var text = String(format: "%.2f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
}
