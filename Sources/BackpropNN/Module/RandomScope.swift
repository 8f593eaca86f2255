import Backprop
import Foundation

/// The random generator that layers draw their initial weights (and default seeds) from.
///
/// Inside ``withRandomSeed(_:_:)`` every draw comes from one generator seeded
/// with that seed, so building the same model in the same order gives the same
/// weights, bit for bit. Outside such a scope each draw is seeded from the
/// system's random source, as an unseeded PyTorch program is.
public enum RandomScope {
    @TaskLocal static var current: SharedGenerator?

    /// A fresh seed from the scope's generator, or from the system outside any scope.
    public static func nextSeed() -> UInt64 {
        if let shared = current { return shared.next() }
        var system = SystemRandomNumberGenerator()
        return system.next()
    }

    /// A new generator seeded from ``nextSeed()``.
    public static func makeGenerator() -> SeededGenerator { SeededGenerator(seed: nextSeed()) }
}

/// Runs `body` with every layer initialisation and default seed drawn from a generator seeded with `seed`.
public func withRandomSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
    try RandomScope.$current.withValue(SharedGenerator(seed: seed), operation: body)
}

/// A seeded generator that the tasks of one scope share, behind a lock.
final class SharedGenerator: @unchecked Sendable {
    private var generator: SeededGenerator
    private let lock = NSLock()

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    func next() -> UInt64 { lock.withLock { generator.next() } }
}
