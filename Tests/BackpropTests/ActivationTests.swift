import Foundation
import Testing
@testable import Backprop

/// The activations against PyTorch's float64 numbers (Tests/References/activations.json),
/// on inputs that include 0 and the kinks: values, first and second derivatives.
@Suite struct ActivationReference {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let value, gradient, secondOrder: [Double]
        var testDescription: String { name }

        func apply(_ x: Variable<Double>) -> Variable<Double> {
            switch name {
            case "silu": return silu(x)
            case "elu": return elu(x)
            case "eluAlpha": return elu(x, alpha: 0.7)
            case "mish": return mish(x)
            case "hardtanh": return hardtanh(x)
            case "hardtanhNarrow": return hardtanh(x, minimum: -0.5, maximum: 1.5)
            case "gelu": return gelu(x)
            case "geluTanh": return gelu(x, approximation: .tanh)
            default: fatalError("activations.json: no Swift spelling for the case '\(name)'")
            }
        }
    }

    struct Reference: Decodable { let points, w, v: [Double]; let cases: [Case] }

    static let data: Reference = {
        do { return try reference("activations.json", as: Reference.self) } catch { fatalError("Tests/References/activations.json: \(error)") }
    }()

    @Test func theReferenceHoldsEveryActivation() { #expect(Self.data.cases.count == 8) }

    @Test(arguments: data.cases) func valuesAndDerivativesMatchPyTorch(_ reference: Case) {
        let data = Self.data
        let x = Variable(Tensor(data.points), requiresGrad: true)
        let y = reference.apply(x)
        let first = gradients(of: (y * Variable(Tensor(data.w))).sum(), wrt: [x], createGraph: true)[0]
        let weighted = (first * Variable(Tensor(data.v))).sum()
        let second = weighted.requiresGrad ? gradients(of: weighted, wrt: [x])[0].value : Tensor.zeros([data.points.count])
        for (label, actual, expected) in [("value", y.value.scalars, reference.value),
                                           ("gradient", first.value.scalars, reference.gradient),
                                           ("second order", second.scalars, reference.secondOrder)] {
            for (i, (a, b)) in zip(actual, expected).enumerated() {
                #expect(Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b)),
                        "\(reference.name) \(label) at x = \(data.points[i]): \(a), PyTorch \(b)")
            }
        }
    }

    @Test func largeInputsStayFinite() {
        let x = Variable(Tensor<Float>([-200, 0, 200]), requiresGrad: true)
        elu(x).sum().backward()
        #expect(x.grad == Tensor([0, 1, 1]))
        #expect(silu(Variable(Tensor<Float>([-200, 200]))).value == Tensor([-0, 200]))
    }
}

/// The composed activations' gradients against central differences, first and second order.
let activationOpCases: [OpCase] = [
    OpCase("silu", [Tensor<Double>.uniform([3, 4], low: -3, high: 3, seed: 301)]) { silu($0[0]) },
    OpCase("elu", [awayFromZero([3, 4], seed: 302) * 2]) { elu($0[0], alpha: 0.7) },
    OpCase("mish", [Tensor<Double>.uniform([3, 4], low: -3, high: 3, seed: 303)]) { mish($0[0]) },
    OpCase("gelu, tanh approximation", [Tensor<Double>.uniform([3, 4], low: -3, high: 3, seed: 304)]) {
        gelu($0[0], approximation: .tanh)
    },
    OpCase("hardtanh", [awayFromZero([3, 4], seed: 305) * 2]) { hardtanh($0[0], minimum: -0.5, maximum: 1.5) },
]
