/// A chart's legend: a box of colour samples and labels, placed in the corner of the
/// plot that covers no data, or outside on the right when every corner would.
struct Legend {
    struct Entry {
        var label: String
        var colour: String
        var style: Chart.Style
    }

    var entries: [Entry]

    /// Labels wider than this are shortened with an ellipsis.
    init(entries: [Entry], maxLabelWidth: Double) {
        self.entries = entries.map { entry in
            var shortened = entry
            shortened.label = SVG.fitted(entry.label, size: Chart.legendFont, maxWidth: maxLabelWidth,
                                         minimumSize: Chart.legendFont).text
            return shortened
        }
    }

    static let rowHeight = 18.0, padding = 8.0, sampleWidth = 24.0

    var width: Double {
        let text = entries.map { estimatedTextWidth($0.label, fontSize: Chart.legendFont) }.max() ?? 0
        return Self.padding * 2 + Self.sampleWidth + 6 + text
    }

    var height: Double { Self.padding * 2 + Self.rowHeight * Double(entries.count) - 4 }

    /// The top-left corner of a spot inside `area` where the legend hides none of
    /// `samples` (pixel positions of data), trying top right, top left, bottom right,
    /// bottom left; nil if none is free or the legend is too large to sit inside.
    func placeInside(_ area: PlotArea, avoiding samples: [(x: Double, y: Double)]) -> (x: Double, y: Double)? {
        guard width <= area.width * 0.5, height <= area.height * 0.6 else { return nil }
        let inset = 8.0
        let corners = [
            (area.right - inset - width, area.top + inset), (area.left + inset, area.top + inset),
            (area.right - inset - width, area.bottom - inset - height), (area.left + inset, area.bottom - inset - height),
        ]
        return corners.first { corner in
            let margin = 4.0
            return !samples.contains { p in
                p.x >= corner.0 - margin && p.x <= corner.0 + width + margin
                    && p.y >= corner.1 - margin && p.y <= corner.1 + height + margin
            }
        }.map { (x: $0.0, y: $0.1) }
    }

    /// The legend's elements with its top-left corner at `origin`.
    func elements(at origin: (x: Double, y: Double)) -> String {
        var out = "<g class=\"legend\">\n"
        out += SVG.rect(x: origin.x, y: origin.y, width: width, height: height, fill: "#FFFFFF",
                        extra: "fill-opacity=\"0.88\" stroke=\"#C8C8C8\" stroke-width=\"1\" rx=\"3\"")
        for (row, entry) in entries.enumerated() {
            let middle = origin.y + Self.padding + Self.rowHeight * Double(row) + 5
            let sampleLeft = origin.x + Self.padding
            switch entry.style {
            case .line(let dashed):
                out += SVG.line(sampleLeft, middle, sampleLeft + Self.sampleWidth, middle, colour: entry.colour,
                                width: 2, dash: dashed ? "7 5" : nil)
            case .scatter:
                // A round-cornered square, so that counting <circle> elements counts data points only.
                out += SVG.rect(x: sampleLeft + Self.sampleWidth / 2 - 4, y: middle - 4, width: 8, height: 8,
                                fill: entry.colour, extra: "rx=\"4\"")
            }
            out += SVG.text(entry.label, x: sampleLeft + Self.sampleWidth + 6, y: middle + Chart.legendFont * 0.35,
                            size: Chart.legendFont)
        }
        return out + "</g>\n"
    }
}
