import Foundation
import Testing
@_spi(Kernels) @_spi(Testing) @testable import Backprop

/// Runs `body` with `threadCount` set to `count`, restoring it afterwards; one such scope at a
/// time in the test process (every test module's), so that no other test's setting is read back.
func withThreads<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
    try withThreadCount(count, body)
}

/// Expects two tensors of equal shape whose elements differ by at most `tolerance`.
func expectClose<S: TensorScalar>(_ actual: Tensor<S>, _ expected: Tensor<S>, tolerance: S = 1e-9,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "shape \(actual.shape) ≠ \(expected.shape)", sourceLocation: sourceLocation)
    #expect(actual.isApproximatelyEqual(to: expected, tolerance: tolerance),
            "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
}

/// Expects two scalars within `tolerance`.
func expectClose<S: TensorScalar>(_ actual: S, _ expected: S, tolerance: S = 1e-9,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Swift.abs(actual - expected) <= tolerance, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
}

/// Expects a shape check to fail with exactly `message`.
func expectShapeError<T>(_ message: String, sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () throws(ShapeError) -> T) {
    do {
        _ = try body()
        Issue.record("expected the error \"\(message)\"", sourceLocation: sourceLocation)
    } catch {
        #expect(error.message == message, sourceLocation: sourceLocation)
    }
}

/// Random Double values in ±[0.2, 1]: away from 0, where relu, abs and the like have kinks.
func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
    let magnitude = Tensor<Double>.uniform(shape, low: 0.2, high: 1, seed: seed)
    let sign = Tensor<Double>.uniform(shape, low: -1, high: 1, seed: seed + 1000).map(.sign)
    return magnitude * sign
}

/// The function `Σᵢ wᵢ · ∂⟨v, f(x)⟩/∂xᵢ`, whose gradient exercises every VJP's own VJP.
func secondOrder(_ f: @escaping ([Variable<Double>]) -> Variable<Double>) -> ([Variable<Double>]) -> Variable<Double> {
    { xs in
        let y = f(xs)
        let v = Variable(Tensor<Double>.uniform(y.shape, low: -1, high: 1, seed: 5))
        let firsts = gradients(of: (y * v).sum(), wrt: xs, createGraph: true)
        // Keep the result connected to the inputs even where every second derivative is zero.
        var total = (xs[0] * 0).sum()
        for (i, g) in firsts.enumerated() {
            total = total + (g * Variable(Tensor<Double>.uniform(g.shape, low: -1, high: 1, seed: 10 + UInt64(i)))).sum()
        }
        return total
    }
}

/// Decodes `Tests/References/NAME`, a file that a committed script there wrote from PyTorch.
func reference<T: Decodable>(_ name: String, as _: T.Type) throws -> T {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("References/\(name)")
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}
