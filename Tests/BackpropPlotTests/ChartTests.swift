import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import BackpropPlot

/// An SVG document parsed with XMLParser: its elements and the text of each `<text>`.
final class ParsedSVG: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// The `class` attributes of the enclosing groups, innermost last.
        var groups: [String]
    }

    private(set) var elements: [Element] = []
    private(set) var texts: [String] = []
    private var groupStack: [String] = []
    private var currentText: String? = nil
    private(set) var isWellFormed = false
    private(set) var error: String? = nil

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        isWellFormed = parser.parse()
        if !isWellFormed { error = parser.parserError.map { "\($0)" } ?? "unknown" }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes, groups: groupStack))
        if name == "g" { groupStack.append(attributes["class"] ?? "") }
        if name == "text" { currentText = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        currentText? += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "g" { groupStack.removeLast() }
        if name == "text", let text = currentText {
            texts.append(text)
            currentText = nil
        }
    }

    /// The elements named `name`, optionally only those inside a group of class `group`.
    func elements(named name: String, inGroup group: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (group == nil || $0.groups.contains(group!)) }
    }
}

/// Parses `svg`, records an issue unless it is well-formed with a sized, view-boxed root.
private func parsed(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParsedSVG {
    let document = ParsedSVG(svg)
    #expect(document.isWellFormed, "not well-formed XML: \(document.error ?? "")", sourceLocation: sourceLocation)
    let root = document.elements.first
    #expect(root?.name == "svg", sourceLocation: sourceLocation)
    #expect(root?.attributes["viewBox"] != nil && root?.attributes["width"] != nil && root?.attributes["height"] != nil,
            sourceLocation: sourceLocation)
    #expect(root?.attributes["font-family"] == "sans-serif", sourceLocation: sourceLocation)
    return document
}

@Suite struct ChartTicks {
    @Test func linearTicksAreNiceNumbers() {
        let unit = AxisScale.linear(covering: [0, 1])
        #expect(unit.ticks == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(unit.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])

        let tenths = AxisScale.linear(covering: [0.1, 0.7])
        #expect(tenths.labels == ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
        #expect(tenths.ticks[2] == 0.3)

        let wide = AxisScale.linear(covering: [-3.7, 12.2])
        #expect((wide.lower, wide.upper) == (-4, 14))
        #expect(wide.ticks == stride(from: -4.0, through: 14, by: 2).map { $0 })

        let hundred = AxisScale.linear(covering: [1, 100])
        #expect(hundred.ticks == [0, 20, 40, 60, 80, 100])
        #expect(hundred.labels == ["0", "20", "40", "60", "80", "100"])
    }

    @Test func fixedDomainKeepsItsBoundsAndTicksInside() {
        let axis = AxisScale.linear(covering: [], fixed: -4.5...4.5)
        #expect((axis.lower, axis.upper) == (-4.5, 4.5))
        #expect(axis.ticks == [-4, -2, 0, 2, 4])
    }

    @Test func degenerateRangesGetAWindow() {
        let constant = AxisScale.linear(covering: [5, 5, 5])
        #expect(constant.lower < 5 && constant.upper > 5)
        let zero = AxisScale.linear(covering: [0])
        #expect(zero.lower == -1 && zero.upper == 1)
        let empty = AxisScale.linear(covering: [.nan, .infinity])
        #expect(empty.lower == 0 && empty.upper == 1)
        let extreme = AxisScale.linear(covering: [-1e308, 1e308, 3])
        #expect(extreme.lower == 2.7 && extreme.upper == 3.3 && extreme.ticks.count == 7)
        let tiny = AxisScale.linear(covering: [Double.leastNonzeroMagnitude, 2 * .leastNonzeroMagnitude])
        #expect(tiny.lower == -1 && tiny.upper == 1)
        let unbounded = AxisScale.linear(covering: [1, 2], fixed: -Double.infinity...Double.infinity)
        #expect(unbounded.lower == 1 && unbounded.upper == 2)
        let logExtreme = AxisScale.logarithmic(covering: [Double.leastNonzeroMagnitude, .greatestFiniteMagnitude])
        #expect(logExtreme.lower == 1 && logExtreme.upper == 10)
    }

    @Test func logarithmicTicks() {
        let decades = AxisScale.logarithmic(covering: [0.003, 2.5, -1, .nan])
        #expect((decades.lower, decades.upper) == (0.001, 10))
        #expect(decades.labels == ["0.001", "0.01", "0.1", "1", "10"])

        let narrow = AxisScale.logarithmic(covering: [2, 8])
        #expect(narrow.ticks == [1, 2, 5, 10])

        let exact = AxisScale.logarithmic(covering: [100])
        #expect((exact.lower, exact.upper) == (100, 1000))

        let huge = AxisScale.logarithmic(covering: [1e-8, 1e3])
        #expect(huge.labels == ["1e-8", "1e-6", "0.0001", "0.01", "1", "100", "10000"])
    }

    @Test func numbersPrintWithoutBinaryNoise() {
        #expect(ChartNumber.compact(0.1 + 0.2) == "0.3")
        #expect(ChartNumber.compact(1234.5678) == "1235")
        #expect(ChartNumber.compact(2.5e-7) == "2.5e-7")
        #expect(ChartNumber.compact(-0.000_012_34, significantDigits: 2) == "\u{2212}1.2e-5")
        #expect(ChartNumber.tick(-2.5, step: 0.5) == "\u{2212}2.5")
        #expect(ChartNumber.compact(42) == "42")
        #expect(ChartNumber.tick(0.30000000000000004, step: 0.1) == "0.3")
        #expect(ChartNumber.tick(-0.0, step: 0.5) == "0.0")
        #expect(ChartNumber.tick(2_000_000, step: 1_000_000) == "2e6")
    }

    @Test func tableValuesShareTheirDecimals() {
        #expect([3, 120, 0].map(ChartNumber.uniform([3, 120, 0])) == ["3", "120", "0"])
        #expect([0.8, 0.0286, 0].map(ChartNumber.uniform([0.8, 0.0286, 0])) == ["0.80", "0.03", "0.00"])
        #expect([12.34, -5].map(ChartNumber.uniform([12.34, -5])) == ["12.3", "\u{2212}5.0"])
        #expect([0.001234].map(ChartNumber.uniform([0.001234])) == ["0.0012"])
    }

    @Test func textIsEscapedForXML() {
        #expect("a < b && \"c\" > 'd'".xmlEscaped == "a &lt; b &amp;&amp; &quot;c&quot; &gt; &apos;d&apos;")
        #expect("bell\u{7}".xmlEscaped == "bell")
    }
}

@Suite struct ChartDrawing {
    @Test func lineChartHasTitleLegendAxesAndDashes() {
        let x = (1...20).map(Double.init)
        var chart = Chart(title: "Loss", xLabel: "epoch", yLabel: "loss", logarithmicY: true)
        chart.addLine("training", x: x, y: x.map { 2 / $0 })
        chart.addLine("validation", x: x, y: x.map { 3 / $0 }, dashed: true)
        let svg = parsed(chart.svg())
        #expect(svg.texts.contains("Loss") && svg.texts.contains("epoch") && svg.texts.contains("loss"))
        let polylines = svg.elements(named: "polyline")
        #expect(polylines.count == 2)
        #expect(polylines.filter { $0.attributes["stroke-dasharray"] != nil }.count == 1)
        #expect(Set(polylines.compactMap { $0.attributes["stroke"] }).count == 2)
        let legend = svg.elements(named: "text", inGroup: "legend").count
        #expect(legend == 2)
        #expect(svg.texts.contains("training") && svg.texts.contains("validation"))
        // y runs from 0.1 to 3 on a log axis: decades 0.1 … 10 with 2× and 5× ticks.
        #expect(["0.1", "0.2", "0.5", "1", "2", "5", "10"].allSatisfy(svg.texts.contains))
        #expect(["0", "5", "10", "15", "20"].allSatisfy(svg.texts.contains))
    }

    @Test func logarithmicXPlacesDecadesEvenlyAndSkipsNonPositiveX() {
        var chart = Chart(title: "Range test", xLabel: "learning rate", yLabel: "loss", logarithmicX: true)
        chart.addScatter("loss", x: [1e-6, 1e-4, 1e-2, 1, 0, -1], y: [3, 2, 1, 4, 5, 6])
        let svg = parsed(chart.svg())
        #expect(chart.scales().x.isLogarithmic && !chart.scales().y.isLogarithmic)
        #expect(["1e-6", "0.0001", "0.01", "1"].allSatisfy(svg.texts.contains))
        // x ≤ 0 cannot be placed: four circles, at equal steps of two decades.
        let centres = svg.elements(named: "circle").compactMap { $0.attributes["cx"].flatMap(Double.init) }
        #expect(centres.count == 4)
        let gaps = zip(centres.dropFirst(), centres).map { $0 - $1 }
        #expect(gaps.allSatisfy { abs($0 - gaps[0]) < 0.02 && $0 > 0 }, "\(centres)")
    }

    @Test func scatterDrawsOneCirclePerPointOverRegions() {
        var chart = Chart(title: "Blobs")
        for k in 0..<3 {
            let x = (0..<25).map { Double(k) + Double($0 % 5) / 10 }
            chart.addScatter("class \(k)", x: x, y: x.map { $0 * 2 })
        }
        chart.addRegions([[0, 0, 1, 1], [0, 1, 1, 2], [2, 2, 2, -1]], x: -1...4, y: -1...8)
        let svg = parsed(chart.svg())
        #expect(svg.elements(named: "circle").count == 75)
        let fills = svg.elements(named: "circle").compactMap { $0.attributes["fill"] }
        #expect(Set(fills).count == 3)
        // Runs of one class merge: row 0 is 2 runs, row 1 three, row 2 one (the −1 cell is blank).
        #expect(svg.elements(named: "rect", inGroup: "regions").count == 6)
        #expect(svg.texts.contains("class 2"))
    }

    @Test func regionsUseTheirSeriesColours() {
        var chart = Chart(title: "")
        chart.addScatter("a", x: [0], y: [0])
        chart.addScatter("b", x: [1], y: [1])
        chart.addRegions([[1]], x: 0...1, y: 0...1)
        let svg = parsed(chart.svg())
        let region = svg.elements(named: "rect", inGroup: "regions")
        #expect(region.count == 1)
        #expect(region.first?.attributes["fill"] == SVG.tint(Palette.colour(1), amount: 0.2))
    }

    @Test func titlesAndLabelsAreEscaped() {
        var chart = Chart(title: "x < 1 & y > 2", xLabel: "<x>", yLabel: "\"y\"")
        chart.addLine("a&b", x: [0, 1], y: [0, 1])
        let text = chart.svg()
        #expect(text.contains("x &lt; 1 &amp; y &gt; 2"))
        let svg = parsed(text)
        #expect(svg.texts.contains("x < 1 & y > 2") && svg.texts.contains("<x>") && svg.texts.contains("\"y\""))
        #expect(svg.texts.contains("a&b"))
    }

    @Test func edgeCasesDrawWithoutCrashing() {
        let empty = parsed(Chart(title: "nothing").svg())
        #expect(empty.texts.contains("no data"))

        var single = Chart(title: "one")
        single.addLine("only", x: [3], y: [7])
        #expect(parsed(single.svg()).elements(named: "circle").count == 1)

        var constant = Chart(title: "flat")
        constant.addLine("c", x: [0, 1, 2], y: [4, 4, 4])
        let flat = parsed(constant.svg())
        #expect(flat.elements(named: "polyline").count == 1)
        #expect(flat.texts.contains("4.0"))

        var gaps = Chart(title: "gaps")
        gaps.addLine("g", x: [0, 1, 2, 3, 4], y: [1, .nan, 3, 4, .infinity])
        let broken = parsed(gaps.svg())
        #expect(broken.elements(named: "polyline").count == 1)
        #expect(broken.elements(named: "circle").count == 1)
        #expect(!broken.texts.contains("no data"))

        var negative = Chart(title: "log", logarithmicY: true)
        negative.addScatter("s", x: [0, 1, 2, 3], y: [-1, 0, 1, 10])
        #expect(parsed(negative.svg()).elements(named: "circle").count == 2)

        var extreme = Chart(title: "extreme", logarithmicY: true)
        extreme.addScatter("s", x: [-1e308, 1e308, 1, 2], y: [1, 2, .greatestFiniteMagnitude, 3])
        #expect(parsed(extreme.svg()).elements(named: "circle").count == 1)   // only (2, 3) is drawable

        var mismatched = Chart(title: "lengths")
        mismatched.addScatter("s", x: [0, 1, 2], y: [5])
        #expect(parsed(mismatched.svg(width: 10, height: 10)).elements(named: "circle").count == 1)
    }

    @Test func heatMapShowsEveryValueInAContrastingColour() {
        let values = (0..<10).map { row in (0..<10).map { column in row == column ? 90.0 : Double((row + column) % 3) } }
        let labels = (0..<10).map { "digit \($0)" }
        let map = HeatMap(title: "Confusion <test>", values: values, rowLabels: labels, columnLabels: labels,
                          xLabel: "predicted", yLabel: "true")
        let svg = parsed(map.svg())
        let cellTexts = svg.elements(named: "text", inGroup: "values")
        #expect(cellTexts.count == 100)
        #expect(svg.texts.filter { $0 == "90" }.count == 10)
        #expect(svg.texts.contains("Confusion <test>") && svg.texts.contains("digit 7"))
        #expect(svg.texts.contains("predicted") && svg.texts.contains("true"))
        #expect(svg.elements(named: "rect", inGroup: "cells").count == 100)
        let darkText = Palette.textColour(onSequential: 1), lightText = Palette.textColour(onSequential: 0)
        #expect(darkText != lightText)
        let colours = zip(svg.texts.filter { ["90", "0", "1", "2"].contains($0) }, cellTexts.map { $0.attributes["fill"] })
        #expect(colours.allSatisfy { $0.0 == "90" ? $0.1 == darkText : $0.1 == lightText })
        #expect(svg.texts.contains("0") && svg.texts.contains("100"))   // colour bar ends at the nice 100
    }

    @Test func heatMapEdgeCases() {
        #expect(parsed(HeatMap(title: "empty", values: [], rowLabels: [], columnLabels: []).svg()).texts.contains("no data"))
        let odd = HeatMap(title: "ragged", values: [[1, .nan], [3]], rowLabels: ["a"], columnLabels: [], showsValues: true)
        let svg = parsed(odd.svg())
        #expect(svg.elements(named: "rect", inGroup: "cells").count == 3)
        #expect(svg.elements(named: "text", inGroup: "values").count == 2)
        let constant = HeatMap(title: "", values: [[0, 0]], rowLabels: [], columnLabels: [], showsValues: false)
        #expect(parsed(constant.svg()).elements(named: "text", inGroup: "values").isEmpty)
    }

    @Test func figureLaysOutItsPanels() {
        var line = Chart(title: "left panel")
        line.addLine("l", x: [0, 1], y: [1, 0])
        let map = HeatMap(title: "right panel", values: [[1, 2], [3, 4]], rowLabels: ["r0", "r1"], columnLabels: ["c0", "c1"])
        let figure = Figure(title: "Both & more", columns: 2, panels: [line, map])
        let svg = parsed(figure.svg())
        #expect(svg.texts.contains("Both & more") && svg.texts.contains("left panel") && svg.texts.contains("right panel"))
        let panels = svg.elements.filter { $0.name == "g" && $0.attributes["transform"] != nil }
        #expect(panels.map { $0.attributes["transform"] } == ["translate(0 40)", "translate(520 40)"])
        #expect(svg.elements.first?.attributes["width"] == "1040" && svg.elements.first?.attributes["height"] == "420")
        #expect(parsed(Figure(columns: 0, panels: []).svg()).isWellFormed)
    }

    @Test func writeCreatesParentDirectoriesAndReplacesAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chart-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("a/b/chart.svg").path
        var chart = Chart(title: "first")
        try chart.write(to: path)
        chart.title = "second"
        try chart.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == chart.svg())
        let blocked = directory.appendingPathComponent("a/b/chart.svg/inside.svg").path
        #expect(throws: (any Error).self) { try chart.write(to: blocked) }
    }
}
