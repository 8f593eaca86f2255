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

    /// The state of the innermost scope's generator, or nil outside any scope.
    ///
    /// A checkpoint saved inside a scope stores it; loading inside a scope sets
    /// that scope's generator to it, so the draws that follow continue the saved run's.
    static var generatorState: UInt64? { current?.state }

    /// Sets the innermost scope's generator to `state`; outside any scope, does nothing.
    static func restoreGeneratorState(_ state: UInt64) { if let current { current.state = state } }
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

    /// The generator's state, read and written under the lock.
    var state: UInt64 {
        get { lock.withLock { generator.state } }
        set { lock.withLock { generator.state = newValue } }
    }
}
