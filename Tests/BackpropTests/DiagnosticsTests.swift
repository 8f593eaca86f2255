import Testing
@testable import Backprop

@Suite struct GraphExport {
    @Test func dotListsOpsWithShapesAndEdges() {
        let x = Variable(Tensor<Float>.ones([4, 3]))
        let w = Variable(Tensor<Float>.ones([3, 2]), requiresGrad: true)
        let b = Variable(Tensor<Float>.zeros([2]), requiresGrad: true)
        let y = tanh(matmul(x, w) + b).sum()
        let dot = y.makeDOT(title: "layer")
        let lines = dot.split(separator: "\n")
        #expect(lines.first == "digraph \"layer\" {" && lines.last == "}")
        #expect(lines.filter { $0.contains("[shape=") }.count == 7)
        #expect(lines.filter { $0.contains("->") }.count == 6)
        for label in ["matmul\\n[4, 2]", "add\\n[4, 2]", "tanh\\n[4, 2]", "sum\\n[]", "constant\\n[4, 3]", "parameter\\n[3, 2]", "parameter\\n[2]"] {
            #expect(dot.contains("label=\"\(label)\""), "missing \(label)")
        }
    }

    @Test func sharedInputsAppearOnce() {
        let x = Variable<Double>(3, requiresGrad: true)
        let dot = (x * x).makeDOT()
        #expect(dot.components(separatedBy: "parameter").count == 2)
        #expect(dot.components(separatedBy: "->").count == 3)
    }
}
