import Foundation
import Testing
@testable import Backprop

// PyTorch's values, indices and first- and second-order gradients for sorting and indexing
// along an axis, from Tests/References/make_indexing_reference.py, checked without Python.

@Suite struct IndexingMatchesPyTorch {
    struct Encoded: Decodable {
        let shape: [Int]
        let scalars: [Double]
        var tensor: Tensor<Double> { Tensor(shape: shape, scalars: scalars) }
        var integers: Tensor<Int> { Tensor(shape: shape, scalars: scalars.map { Int($0) }) }
    }

    struct Case: Decodable, CustomTestStringConvertible {
        let name: String
        let inputs: [Encoded]
        let constants: [String: Encoded]
        let cotangent, value: Encoded
        let weights, gradients, secondGradients: [Encoded]
        let indices: Encoded?
        var testDescription: String { name }

        /// The op, as the script spells it with PyTorch's: its values, and its indices if it has them.
        func op(_ x: [Variable<Double>]) -> (values: Variable<Double>, indices: Tensor<Int>?) {
            let indices = constants["indices"]?.integers, mask = constants["mask"]?.integers.converted(to: Bool.self)
            switch name {
            case "sortedTiesLastAxis": return x[0].sorted()
            case "sortedTiesDescendingAxis0": return x[0].sorted(axis: 0, descending: true)
            case "sortedMiddleAxis": return x[0].sorted(axis: -2)
            case "topKLastAxis": return x[0].topK(3)
            case "topKAxis0": return x[0].topK(2, axis: 0)
            case "takingAlongAxis0": return (x[0].takingAlong(axis: 0, indices: indices!), nil)
            case "takingAlongLastAxis": return (x[0].takingAlong(axis: -1, indices: indices!), nil)
            case "scatteringAddAxis1": return (x[0].scatteringAdd(axis: 1, indices: indices!, values: x[1]), nil)
            case "scatteringAddAxis0": return (x[0].scatteringAdd(axis: 0, indices: indices!, values: x[1]), nil)
            case "fillingRowMask": return (x[0].filling(where: mask!, with: 0.25), nil)
            case "fillingColumnMask": return (x[0].filling(where: mask!, with: -1.5), nil)
            default: fatalError("indexing.json: no Swift spelling for the case '\(name)'")
            }
        }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("indexing.json", as: Reference.self).cases } catch { fatalError("Tests/References/indexing.json: \(error)") }
    }()

    @Test func theReferenceHoldsEveryCase() {
        #expect(Self.cases.count == 11)
        #expect(Self.cases.filter { $0.indices != nil }.count == 5)
    }

    @Test(arguments: cases) func valuesIndicesAndGradientsMatchPyTorch(_ reference: Case) {
        let inputs = reference.inputs.map { Variable($0.tensor, requiresGrad: true) }
        let (values, indices) = reference.op(inputs)
        let y = pow(values, 2)
        #expect(indices == reference.indices?.integers)
        expectRelativelyClose(y.value, reference.value.tensor, "value")
        let firsts = gradients(of: (y * Variable(reference.cotangent.tensor)).sum(), wrt: inputs, createGraph: true)
        for (g, expected) in zip(firsts, reference.gradients) { expectRelativelyClose(g.value, expected.tensor, "gradient") }
        var total = (inputs[0] * 0).sum()
        for (g, w) in zip(firsts, reference.weights) { total = total + (g * Variable(w.tensor)).sum() }
        let seconds = gradients(of: total, wrt: inputs)
        for (g, expected) in zip(seconds, reference.secondGradients) {
            expectRelativelyClose(g.value, expected.tensor, "second-order gradient")
        }
    }
}

/// Expects equal shapes and elements within 1e-12 of each other, relative to the larger.
private func expectRelativelyClose(_ actual: Tensor<Double>, _ expected: Tensor<Double>, _ what: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) ≠ \(expected.shape)", sourceLocation: sourceLocation)
    let worst = zip(actual.scalars, expected.scalars).map { a, b in Swift.abs(a - b) / Swift.max(1, Swift.abs(a), Swift.abs(b)) }.max() ?? 0
    #expect(worst <= 1e-12, "\(what): relative error \(worst)\n\(actual)\n≠ \(expected)", sourceLocation: sourceLocation)
}
