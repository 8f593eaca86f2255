import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct GraphTests {
    @Test func dotOfTheTinyModelIsWellFormed() {
        let dot = TinyModel(batchSize: 4, seed: 0).loss().makeDOT(title: "tiny")
        #expect(dot.hasPrefix("digraph \"tiny\" {\n"))
        #expect(dot.hasSuffix("}\n"))
        #expect(dot.filter { $0 == "{" }.count == dot.filter { $0 == "}" }.count)
        let summary = GraphSummary(dot: dot)
        // Linear + tanh as matmul and the fused bias-and-tanh, Linear as matmul + add, and
        // cross-entropy as logSoftmax, picking, negate, and a mean (sum, multiply).
        #expect(summary.opCounts == ["matmul": 2, "addBias+tanh": 1, "add": 1, "logSoftmax": 1,
                                     "picking": 1, "negate": 1, "sum": 1, "multiply": 1])
        #expect(summary.parameterCount == 4)      // two weights, two biases
        #expect(summary.constantCount == 1)       // the inputs
        #expect(summary.nodeCount == 14)
        #expect(summary.edgeCount == 13)
        #expect(dot.contains("label=\"parameter\\n[4, 3]\""))
        #expect(dot.contains("label=\"addBias+tanh\\n[4, 4]\""))
    }

    @Test func batchSizeShowsInTheShapes() {
        let dot = TinyModel(batchSize: 7, seed: 1).loss().makeDOT()
        #expect(dot.contains("label=\"constant\\n[7, 3]\""))
        #expect(GraphSummary(dot: dot).nodeCount == 14)
    }

    @Test func missingGraphvizIsNil() {
        #expect(Graphviz(environment: ["PATH": "/nonexistent/bin"]) == nil)
        #expect(Graphviz(environment: [:]) == nil)
    }

    @Test func renderingFailureThrows() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("graph-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A stand-in `dot` that always fails.
        let fake = directory.appendingPathComponent("dot")
        try "#!/bin/sh\necho broken >&2\nexit 3\n".write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let graphviz = try #require(Graphviz(environment: ["PATH": directory.path]))
        #expect(throws: Graphviz.RenderError.self) {
            try graphviz.renderSVG(from: "in.dot", to: directory.appendingPathComponent("out.svg").path)
        }
    }
}
