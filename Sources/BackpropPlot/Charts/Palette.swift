import Foundation

/// The colours of the charts' series and classes, and the heat maps' colour scale.
enum Palette {
    /// Okabe and Ito's colour-blind-safe palette (yellow darkened to read on white),
    /// extended by two colours from Paul Tol's muted scheme for ten classes.
    static let categorical = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
        "#56B4E9", "#3F3F3F", "#B59B00", "#882255", "#44AA99",
    ]

    /// The colour of series or class `index`, cycling after ten.
    static func colour(_ index: Int) -> String {
        categorical[((index % categorical.count) + categorical.count) % categorical.count]
    }

    /// A sequential scale from near-white to dark blue, perceptually close to even steps.
    private static let sequentialStops: [(Double, Double, Double)] = [
        (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225),
        (107, 174, 214), (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
    ]

    /// The red, green and blue (0–255) of `fraction` (0 to 1) along the sequential scale.
    static func sequentialRGB(_ fraction: Double) -> (red: Double, green: Double, blue: Double) {
        let t = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let position = t * Double(sequentialStops.count - 1)
        let lower = min(Int(position), sequentialStops.count - 2)
        let mix = position - Double(lower)
        let a = sequentialStops[lower], b = sequentialStops[lower + 1]
        return (a.0 + (b.0 - a.0) * mix, a.1 + (b.1 - a.1) * mix, a.2 + (b.2 - a.2) * mix)
    }

    /// The hex colour of `fraction` along the sequential scale.
    static func sequential(_ fraction: Double) -> String {
        let c = sequentialRGB(fraction)
        return String(format: "#%02X%02X%02X", Int(c.red.rounded()), Int(c.green.rounded()), Int(c.blue.rounded()))
    }

    /// Black or white, whichever reads better on the sequential colour at `fraction`.
    static func textColour(onSequential fraction: Double) -> String {
        let c = sequentialRGB(fraction)
        func linear(_ channel: Double) -> Double {
            let v = channel / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * linear(c.red) + 0.7152 * linear(c.green) + 0.0722 * linear(c.blue)
        return luminance > 0.22 ? "#1A1A1A" : "#FFFFFF"
    }
}
