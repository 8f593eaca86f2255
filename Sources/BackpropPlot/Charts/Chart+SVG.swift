/// The plotting rectangle of a chart, in pixels, and the scales that map data into it.
struct PlotArea {
    var left: Double, top: Double, width: Double, height: Double
    var x: AxisScale, y: AxisScale

    var right: Double { left + width }
    var bottom: Double { top + height }

    /// The pixel position of the data point (x, y), or nil where it cannot be drawn
    /// (not finite, ≤ 0 on a logarithmic axis, or outside the axes' domains).
    func point(_ px: Double, _ py: Double) -> (x: Double, y: Double)? {
        let inside = -1e-9...(1 + 1e-9)
        guard let fx = x.fraction(px), let fy = y.fraction(py), inside.contains(fx), inside.contains(fy) else { return nil }
        return (left + fx * width, bottom - fy * height)
    }
}

extension Chart {
    static let tickFont = 11.0, labelFont = 12.0, titleFont = 15.0, legendFont = 11.0

    /// The chart's elements in the box (0, 0)–(width, height).
    public func svgElements(width: Double, height: Double) -> String {
        let (xScale, yScale) = scales()
        let titleSpace = title.isEmpty ? 12.0 : 36.0
        let tickWidth = yScale.labels.map { estimatedTextWidth($0, fontSize: Self.tickFont) }.max() ?? 0
        let left = 10 + (yLabel.isEmpty ? 0 : 20) + tickWidth + 8
        let bottom = 8 + Self.tickFont + 6 + (xLabel.isEmpty ? 0 : 20)
        let lastTick = xScale.labels.last.map { estimatedTextWidth($0, fontSize: Self.tickFont) / 2 } ?? 0
        var right = max(16, lastTick + 6)
        var area = PlotArea(left: left, top: titleSpace, width: max(10, width - left - right),
                            height: max(10, height - titleSpace - bottom), x: xScale, y: yScale)
        let legend = Legend(entries: legendEntries(), maxLabelWidth: max(40, width * 0.3))
        var legendOrigin: (x: Double, y: Double)? = nil
        if !legend.entries.isEmpty {
            if let inside = legend.placeInside(area, avoiding: pixelSamples(in: area)) {
                legendOrigin = inside
            } else {
                right += legend.width + 12
                area.width = max(10, width - left - right)
                legendOrigin = (area.right + 12, area.top)
            }
        }

        var out = "<g class=\"chart\">\n"
        out += regionElements(in: area)
        out += gridElements(in: area)
        out += seriesElements(in: area)
        out += SVG.rect(x: area.left, y: area.top, width: area.width, height: area.height, fill: "none",
                        extra: "stroke=\"#9A9A9A\" stroke-width=\"1\"")
        out += tickElements(in: area)
        if !hasDrawableData(in: area) && regions == nil {
            out += SVG.text("no data", x: area.left + area.width / 2, y: area.top + area.height / 2,
                            size: Self.labelFont, anchor: .middle, colour: "#888888")
        }
        if let origin = legendOrigin { out += legend.elements(at: origin) }
        if !title.isEmpty {
            out += SVG.fittedText(title, x: width / 2, y: 24, size: Self.titleFont, maxWidth: width - 16, bold: true)
        }
        if !xLabel.isEmpty {
            out += SVG.fittedText(xLabel, x: area.left + area.width / 2, y: area.bottom + 6 + Self.tickFont + 20,
                                  size: Self.labelFont, maxWidth: area.width)
        }
        if !yLabel.isEmpty {
            out += SVG.fittedText(yLabel, x: 18, y: area.top + area.height / 2, size: Self.labelFont,
                                  maxWidth: area.height, rotation: -90)
        }
        return out + "</g>\n"
    }

    /// The axes' scales, covering every drawable value and the regions' rectangle.
    func scales() -> (x: AxisScale, y: AxisScale) {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite && (!logarithmicX || x > 0) && (!logarithmicY || y > 0) {
                xs.append(x)
                ys.append(y)
            }
        }
        /// A logarithmic axis also covers a fixed domain's ends; a linear one takes it as exact.
        func scale(_ values: [Double], fixed: ClosedRange<Double>?, logarithmic: Bool) -> AxisScale {
            guard logarithmic else { return AxisScale.linear(covering: values, fixed: fixed) }
            return AxisScale.logarithmic(covering: values + (fixed.map { [$0.lowerBound, $0.upperBound] } ?? []))
        }
        return (scale(xs, fixed: regions.map(\.x), logarithmic: logarithmicX),
                scale(ys, fixed: regions.map(\.y), logarithmic: logarithmicY))
    }

    private func hasDrawableData(in area: PlotArea) -> Bool {
        series.contains { s in zip(s.x, s.y).contains { area.point($0, $1) != nil } }
    }

    private func legendEntries() -> [Legend.Entry] {
        series.enumerated().compactMap { index, s in
            s.label.isEmpty ? nil : Legend.Entry(label: s.label, colour: Palette.colour(index), style: s.style)
        }
    }

    /// Pixel positions the data occupies: every point, and points along each line segment.
    private func pixelSamples(in area: PlotArea) -> [(x: Double, y: Double)] {
        var samples: [(x: Double, y: Double)] = []
        for s in series {
            var previous: (x: Double, y: Double)? = nil
            for (x, y) in zip(s.x, s.y) {
                let current = area.point(x, y)
                if let current {
                    if case .line = s.style, let previous {
                        let steps = max(1, Int((abs(current.x - previous.x) + abs(current.y - previous.y)) / 6))
                        for k in 1..<max(2, steps) {
                            let t = Double(k) / Double(steps)
                            samples.append((previous.x + (current.x - previous.x) * t,
                                            previous.y + (current.y - previous.y) * t))
                        }
                    }
                    samples.append(current)
                }
                previous = current
            }
        }
        return samples
    }

    private func regionElements(in area: PlotArea) -> String {
        guard let regions, !regions.classes.isEmpty else { return "" }
        let rows = regions.classes.count
        var out = "<g class=\"regions\" shape-rendering=\"crispEdges\">\n"
        for (row, classes) in regions.classes.enumerated() where !classes.isEmpty {
            let columns = classes.count
            let y0 = regions.y.lowerBound + (regions.y.upperBound - regions.y.lowerBound) * Double(row) / Double(rows)
            let y1 = regions.y.lowerBound + (regions.y.upperBound - regions.y.lowerBound) * Double(row + 1) / Double(rows)
            var start = 0
            while start < columns {
                var end = start + 1
                while end < columns && classes[end] == classes[start] { end += 1 }
                let k = classes[start]
                let x0 = regions.x.lowerBound + (regions.x.upperBound - regions.x.lowerBound) * Double(start) / Double(columns)
                let x1 = regions.x.lowerBound + (regions.x.upperBound - regions.x.lowerBound) * Double(end) / Double(columns)
                if k >= 0, let a = area.point(x0, y1), let b = area.point(x1, y0) {
                    out += SVG.rect(x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y,
                                    fill: SVG.tint(Palette.colour(k), amount: 0.2))
                }
                start = end
            }
        }
        return out + "</g>\n"
    }

    private func gridElements(in area: PlotArea) -> String {
        var out = "<g class=\"grid\">\n"
        for tick in area.x.ticks {
            if let p = area.point(tick, area.y.lower), p.x > area.left + 0.5, p.x < area.right - 0.5 {
                out += SVG.line(p.x, area.top, p.x, area.bottom, colour: regions == nil ? "#E8E8E8" : "#FFFFFF", width: 1)
            }
        }
        for tick in area.y.ticks {
            if let p = area.point(area.x.lower, tick), p.y > area.top + 0.5, p.y < area.bottom - 0.5 {
                out += SVG.line(area.left, p.y, area.right, p.y, colour: regions == nil ? "#E8E8E8" : "#FFFFFF", width: 1)
            }
        }
        return out + "</g>\n"
    }

    private func tickElements(in area: PlotArea) -> String {
        var out = "<g class=\"ticks\">\n"
        for (tick, label) in zip(area.x.ticks, area.x.labels) {
            guard let p = area.point(tick, area.y.lower) else { continue }
            out += SVG.line(p.x, area.bottom, p.x, area.bottom + 4, colour: "#555555")
            out += SVG.text(label, x: p.x, y: area.bottom + 6 + Self.tickFont, size: Self.tickFont,
                            anchor: .middle, colour: "#444444")
        }
        for (tick, label) in zip(area.y.ticks, area.y.labels) {
            guard let p = area.point(area.x.lower, tick) else { continue }
            out += SVG.line(area.left - 4, p.y, area.left, p.y, colour: "#555555")
            out += SVG.text(label, x: area.left - 7, y: p.y + Self.tickFont * 0.35, size: Self.tickFont,
                            anchor: .end, colour: "#444444")
        }
        return out + "</g>\n"
    }

    private func seriesElements(in area: PlotArea) -> String {
        var out = ""
        for (index, s) in series.enumerated() {
            let colour = Palette.colour(index)
            out += "<g class=\"series\">\n"
            switch s.style {
            case .scatter:
                let count = min(s.x.count, s.y.count)
                let radius = count > 2000 ? 2.0 : count > 500 ? 2.5 : 3.2
                for (x, y) in zip(s.x, s.y) {
                    guard let p = area.point(x, y) else { continue }
                    out += "<circle cx=\"\(coordinate(p.x))\" cy=\"\(coordinate(p.y))\" r=\"\(coordinate(radius))\" "
                        + "fill=\"\(colour)\" fill-opacity=\"0.85\" stroke=\"white\" stroke-width=\"0.6\"/>\n"
                }
            case .line(let dashed):
                var runs: [[(x: Double, y: Double)]] = [[]]
                for (x, y) in zip(s.x, s.y) {
                    if let p = area.point(x, y) { runs[runs.count - 1].append(p) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
                }
                for run in runs where !run.isEmpty {
                    if run.count == 1 {
                        out += "<circle cx=\"\(coordinate(run[0].x))\" cy=\"\(coordinate(run[0].y))\" r=\"2.5\" fill=\"\(colour)\"/>\n"
                        continue
                    }
                    let points = run.map { "\(coordinate($0.x)),\(coordinate($0.y))" }.joined(separator: " ")
                    out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" "
                        + "stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dashed ? " stroke-dasharray=\"7 5\"" : "")/>\n"
                }
            }
            out += "</g>\n"
        }
        return out
    }
}
