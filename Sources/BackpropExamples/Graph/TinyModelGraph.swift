import Backprop
import BackpropNN
import Foundation

/// A 3-4-2 tanh MLP and its cross-entropy loss on a tiny seeded batch: small enough
/// that its recorded graph fits on a page.
public struct TinyModel {
    /// The network: Linear(3, 4), tanh, Linear(4, 2).
    public let network: Sequential<Float>
    /// `[batchSize, 3]` inputs.
    public let inputs: Tensor<Float>
    /// One class label (0 or 1) per input.
    public let labels: [Int]

    /// Builds the network and a batch of `batchSize` examples, all from `seed`.
    public init(batchSize: Int, seed: UInt64) {
        network = withRandomSeed(seed) {
            Sequential(Linear(inputSize: 3, outputSize: 4), Tanh(), Linear(inputSize: 4, outputSize: 2))
        }
        let inputs = Tensor<Float>.normal([batchSize, 3], seed: seed &+ 1)
        self.inputs = inputs
        labels = (0..<batchSize).map { inputs[$0, 0] + inputs[$0, 1] > 0 ? 1 : 0 }
    }

    /// The loss on the batch, recorded: its graph reaches every parameter.
    public func loss() -> Variable<Float> {
        crossEntropy(logits: network(Variable(inputs)), labels: labels)
    }
}

/// What a DOT text produced by `makeDOT()` contains: its nodes, edges and ops.
public struct GraphSummary: Equatable, Sendable {
    /// Every node: ops, parameters and constants.
    public var nodeCount: Int
    /// Every edge, from an input to the op that used it.
    public var edgeCount: Int
    /// Leaves that require a gradient.
    public var parameterCount: Int
    /// Leaves that do not.
    public var constantCount: Int
    /// How many nodes each op made, by op name.
    public var opCounts: [String: Int]

    /// Reads `makeDOT()`'s output: node lines `nK [shape=…, label="name\n…"]` and edge lines `nA -> nB;`.
    public init(dot: String) {
        (nodeCount, edgeCount, parameterCount, constantCount, opCounts) = (0, 0, 0, 0, [:])
        for line in dot.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.contains(" -> ") {
                edgeCount += 1
            } else if line.hasPrefix("n"), let start = line.range(of: "label=\"") {
                nodeCount += 1
                let name = String(line[start.upperBound...].prefix { $0 != "\\" && $0 != "\"" })
                if line.contains("shape=box") {
                    opCounts[name, default: 0] += 1
                } else if name == "parameter" {
                    parameterCount += 1
                } else {
                    constantCount += 1
                }
            }
        }
    }
}
