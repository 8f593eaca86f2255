import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Compares a layer's backpropagated gradients, for its input and every parameter, with central differences.
///
/// The loss is `Σ w · layer(x)` for fixed random weights `w`. Returns the worst error
/// |analytic − numeric| / max(1, |analytic|, |numeric|) over all elements.
func layerGradientError<L: Layer>(_ layer: L, input: Tensor<Double>, epsilon: Double = 1e-6) -> Double where L.Scalar == Double {
    let x = Variable(input, requiresGrad: true)
    let output = layer(x)
    let weights = Tensor<Double>.uniform(output.shape, low: -1, high: 1, seed: 99)
    layer.zeroGrad()
    (output * Variable(weights)).sum().backward()
    let parameters = layer.parameters()
    let analytic = [x.grad ?? .zeros(input.shape)] + parameters.map { $0.grad ?? .zeros($0.shape) }

    var point = input
    func loss() -> Double { withoutGradients { (layer(Variable(point)).value * weights).sum().scalar } }
    var worst = 0.0
    func compare(_ exact: Double, _ numeric: Double) {
        worst = Swift.max(worst, Swift.abs(exact - numeric) / Swift.max(1, Swift.abs(exact), Swift.abs(numeric)))
    }
    for j in 0..<input.count {
        let original = point.scalars[j]
        point = replacing(point, j, original + epsilon); let above = loss()
        point = replacing(point, j, original - epsilon); let below = loss()
        point = replacing(point, j, original)
        compare(analytic[0].scalars[j], (above - below) / (2 * epsilon))
    }
    for (k, parameter) in parameters.enumerated() {
        let saved = parameter.value
        for j in 0..<saved.count {
            parameter.value = replacing(saved, j, saved.scalars[j] + epsilon); let above = loss()
            parameter.value = replacing(saved, j, saved.scalars[j] - epsilon); let below = loss()
            compare(analytic[k + 1].scalars[j], (above - below) / (2 * epsilon))
        }
        parameter.value = saved
    }
    return worst
}

/// `tensor` with its `index`-th element (row-major) set to `value`.
func replacing(_ tensor: Tensor<Double>, _ index: Int, _ value: Double) -> Tensor<Double> {
    var scalars = tensor.scalars
    scalars[index] = value
    return Tensor(shape: tensor.shape, scalars: scalars)
}

/// Expects two scalars within `tolerance`.
func expectClose<S: TensorScalar>(_ actual: S, _ expected: S, tolerance: S = 1e-9,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Swift.abs(actual - expected) <= tolerance, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
}

/// Expects two tensors of equal shape within `tolerance`.
func expectClose<S: TensorScalar>(_ actual: Tensor<S>, _ expected: Tensor<S>, tolerance: S = 1e-9,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.isApproximatelyEqual(to: expected, tolerance: tolerance), "\(actual) ≠ \(expected)",
            sourceLocation: sourceLocation)
}

/// Decodes `Tests/References/NAME`, a file that a committed script there wrote from PyTorch.
func reference<T: Decodable>(_ name: String, as _: T.Type) throws -> T {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("References/\(name)")
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// sin(scale · i + shift) over the flat positions: how the reference scripts build their inputs and weights.
func sinePattern(_ shape: [Int], _ scale: Double, _ shift: Double) -> Tensor<Double> {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Foundation.sin(scale * Double($0) + shift) })
}
