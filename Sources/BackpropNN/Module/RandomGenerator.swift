import Backprop
import Foundation

/// A seeded generator held by reference, as PyTorch's `torch.Generator` is, for a module that draws
/// every time it runs, such as ``Dropout``.
///
/// A module keeps one in a stored property; ``Module/namedGenerators()`` finds it
/// there, and ``Module/save(to:optimizer:schedule:loader:epoch:)`` saves its
/// ``state``, so a resumed run draws what the uninterrupted one would have.
/// Draws are serialised by a lock, so tasks may share a generator.
public final class RandomGenerator: @unchecked Sendable {
    private var generator: SeededGenerator
    private let lock = NSLock()

    /// Creates a generator seeded with `seed`, or by default with a seed drawn from ``RandomScope``.
    public init(seed: UInt64? = nil) { generator = SeededGenerator(seed: seed ?? RandomScope.nextSeed()) }

    /// The state of the underlying ``SeededGenerator``; assigning a value read earlier replays the draws from there.
    public var state: UInt64 {
        get { lock.withLock { generator.state } }
        set { lock.withLock { generator.state = newValue } }
    }

    /// Runs `body` with the underlying generator, which it advances, and returns its result.
    public func draw<R>(_ body: (inout SeededGenerator) throws -> R) rethrows -> R {
        try lock.withLock { try body(&generator) }
    }
}

extension RandomGenerator {
    /// Inverted dropout's mask, PyTorch's: each element 0 with probability `probability`, else
    /// 1 / (1 − probability), from uniform draws of this generator. Made with
    /// `Variable(computing:)`, so that a compiled step draws a new mask at every call.
    func dropoutMask<Scalar: TensorScalar>(_ shape: [Int], probability: Scalar) -> Variable<Scalar> {
        let keep = 1 - probability
        return Variable(computing: {
            let uniform: Tensor<Scalar> = self.draw { .uniform(shape, using: &$0) }
            return which(uniform.isLess(than: Tensor(keep)), Tensor(1 / keep), Tensor(0))
        })
    }
}
