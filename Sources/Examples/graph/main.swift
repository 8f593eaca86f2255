// Graph: the computation graph that backpropagation walks, drawn.
//
// Every op on a variable that needs a gradient records its inputs, so a forward
// pass leaves behind a graph from the parameters and the data to the loss. This
// program builds a 3-4-2 MLP with a cross-entropy loss on a tiny batch, writes the
// loss's graph in Graphviz's DOT language with `makeDOT()`, and renders it to SVG
// when Graphviz's `dot` is installed. The graph is recorded afresh on every forward
// pass, and `backward()` frees it, so it is drawn before the backward pass.
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "graph",
    summary: """
        Records the graph of a small MLP's loss, writes it as Graphviz DOT, and renders it to SVG if `dot` is on PATH.
        Each forward pass records a new graph; the program draws the last step's.
        """,
    defaults: .init(epochs: 1, batchSize: 4, learningRate: 0.1, seed: 0),
    sharedHelp: [
        "epochs": "steps of plain gradient descent",
        "batch-size": "examples in the tiny batch",
        "learning-rate": "gradient descent's step size",
        "seed": "seeds the batch and initialisation",
        "output-dir": "where graph.dot and graph.svg go",
    ]
)
let options = command.parseOrExit()
options.prepareOrExit(command)

let model = TinyModel(batchSize: options.batchSize, seed: options.seed)
let progress = ProgressBar(epochs: options.epochs, batchesPerEpoch: 1)
var dot = "", losses: [Float] = []
for step in 1...options.epochs {
    let loss = model.loss()
    // Draw the graph now: backward() releases it as it goes.
    if step == options.epochs { dot = loss.makeDOT(title: "3-4-2 MLP, cross-entropy, batch of \(options.batchSize)") }
    loss.backward()
    for parameter in model.network.parameters() {
        parameter.value -= parameter.grad! * Float(options.learningRate)
        parameter.zeroGrad()
    }
    losses.append(loss.scalar)
    progress.update(epoch: step, batch: 1, loss: Double(loss.scalar), samples: options.batchSize)
    progress.finishEpoch(epoch: step, loss: Double(loss.scalar))
}

let dotPath = options.outputPath("graph.dot")
command.writeOrExit(dotPath) { try dot.write(toFile: $0, atomically: true, encoding: .utf8) }
let summary = GraphSummary(dot: dot)
let opCount = summary.opCounts.values.reduce(0, +)
/// "1 constant", "2 constants".
func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
print("""

    loss \(String(format: "%.5f", losses[0])) at step 1\
    \(losses.count > 1 ? String(format: ", %.5f at step %d", losses[losses.count - 1], losses.count) : "")
    the graph of the last step: \(counted(summary.nodeCount, "node")) (\(counted(opCount, "op")), \
    \(counted(summary.parameterCount, "parameter")), \(counted(summary.constantCount, "constant"))), \
    \(counted(summary.edgeCount, "edge"))
    ops: \(summary.opCounts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
    wrote \(dotPath)
    """)

let svgPath = options.outputPath("graph.svg")
if let graphviz = Graphviz() {
    do {
        try graphviz.renderSVG(from: dotPath, to: svgPath)
        print("wrote \(svgPath) (rendered by \(graphviz.executable.path))")
    } catch {
        print("could not render the SVG: \(error); the DOT file is still there")
    }
} else {
    print("Graphviz's dot is not on PATH: install Graphviz, then run  dot -Tsvg \(dotPath) -o \(svgPath)")
}
