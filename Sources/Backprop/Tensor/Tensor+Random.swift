/// A seedable random number generator (SplitMix64) whose sequence is the same on every platform.
///
/// Pass one explicitly, or give a seed, wherever randomness is used: the
/// library keeps no global generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The generator's whole state: SplitMix64's 64-bit counter, which every draw advances.
    ///
    /// Assigning a value read earlier, to this generator or another, replays the
    /// sequence from that point: checkpoints save it to resume a run exactly.
    public var state: UInt64

    /// Creates a generator; equal seeds give equal sequences.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform sample in [0, 1), from 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal sample, by Marsaglia's polar method with a portable logarithm.
    mutating func nextNormal() -> Double {
        while true {
            let u = 2 * nextUnit() - 1, v = 2 * nextUnit() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * portableLog(s) / s).squareRoot() }
        }
    }
}

/// The natural logarithm from basic arithmetic alone, so that it rounds alike on every platform.
func portableLog(_ x: Double) -> Double {
    precondition(x > 0 && x.isFinite)
    // x = m · 2^e with m in [√½, √2); log m = 2 atanh t, t = (m − 1)/(m + 1).
    var m = x.significand, e = Double(x.exponent)
    if m > 1.4142135623730951 { m /= 2; e += 1 }
    let t = (m - 1) / (m + 1), t2 = t * t
    var term = t, total = 0.0, k = 1.0
    while true {
        let next = total + term / k
        if next == total { break }
        total = next
        term *= t2
        k += 2
    }
    return 2 * total + e * 0.6931471805599453
}

extension Tensor where Scalar: TensorScalar {
    /// Uniform random values in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1,
                               using generator: inout SeededGenerator) -> Tensor {
        let (a, b) = (Double(low), Double(high))
        return Tensor(shape: shape, scalars: (0..<Shapes.count(shape)).map { _ in Scalar(a + (b - a) * generator.nextUnit()) })
    }

    /// Uniform random values in `[low, high)` from a generator seeded with `seed`.
    public static func uniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return uniform(shape, low: low, high: high, using: &generator)
    }

    /// Normally distributed random values.
    public static func normal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                              using generator: inout SeededGenerator) -> Tensor {
        let (mu, sigma) = (Double(mean), Double(standardDeviation))
        return Tensor(shape: shape, scalars: (0..<Shapes.count(shape)).map { _ in Scalar(mu + sigma * generator.nextNormal()) })
    }

    /// Normally distributed random values from a generator seeded with `seed`.
    public static func normal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return normal(shape, mean: mean, standardDeviation: standardDeviation, using: &generator)
    }
}
