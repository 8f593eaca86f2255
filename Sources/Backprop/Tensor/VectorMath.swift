// exp, tanh and sigmoid on eight Float lanes at a time, for the elementwise kernels.
//
// The C library evaluates these one element at a call (tanhf, expf), about 8 ns each here:
// a third of a small model's training step. These evaluate a vector of lanes with
// polynomials and bit arithmetic, within a few units in the last place of the correctly
// rounded result (the tests measure it). Every lane is computed alike, and a buffer's tail is
// padded to a whole vector, so an element's result never depends on where it sits in a
// buffer or which thread's chunk it falls in. A one-element tensor still calls the C library.

typealias FloatVector = SIMD8<Float>

enum VectorMath {
    /// e raised to each lane.
    ///
    /// e^x = 2ⁿ · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2. r is x − n·ln 2 with ln 2
    /// split in two parts, the first with few enough bits that n times it is exact; e^r is a
    /// degree-7 polynomial. 2ⁿ is applied as two powers of two built from their bits, so that
    /// results down to the smallest subnormal come out right.
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        // Beyond these bounds the result is 0 or +∞. (Selects, not pointwiseMin/Max: those are
        // evaluated lane by lane.)
        let (low, high) = (FloatVector(repeating: -104), FloatVector(repeating: 89))
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Rounded to the nearest integer by adding and removing 1.5·2²³ (exact for |x| < 2²²;
        // a rounding instruction is not in the baseline x86-64 set the package compiles for).
        // The integer is then the low bits of the sum, read without a conversion instruction.
        let shifter = FloatVector(repeating: 12_582_912)
        let shifted = clamped * 1.44269504088896341 + shifter
        let n = shifted - shifter
        let r = (clamped - n * 0.693359375) - n * -2.12194440e-4
        var p: FloatVector = FloatVector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = (p * (r * r) + r) + 1
        let exponent = unsafeBitCast(bits(shifted) &- bits(shifter), to: SIMD8<Int32>.self)
        let half: SIMD8<Int32> = exponent &>> 1
        let scale1 = powerOfTwo(half), scale2 = powerOfTwo(exponent &- half)
        let y: FloatVector = er * scale1 * scale2
        return y.replacing(with: x, where: x .!= x)
    }

    /// The hyperbolic tangent of each lane: an odd polynomial below |x| = 0.625, else
    /// 1 − 2 / (e^2|x| + 1) with the sign of x.
    @inline(__always)
    static func tanh(_ x: FloatVector) -> FloatVector {
        let z = x * x
        var p: FloatVector = FloatVector(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        // Both forms on |x|, then the sign of x, so that −0 stays −0.
        let magnitude = abs(x)
        let small: FloatVector = magnitude + magnitude * (z * p)
        let e2 = exp(magnitude + magnitude)
        let large: FloatVector = 1 - 2 / (e2 + 1)
        let result = large.replacing(with: small, where: magnitude .< 0.625)
        return vector(bits(result) | (bits(x) & 0x8000_0000))
    }

    /// The logistic function of each lane, as `apply` computes it: 1 / (1 + e⁻ˣ) for x ≥ 0,
    /// eˣ / (1 + eˣ) below, so that the exponential never overflows.
    @inline(__always)
    static func sigmoid(_ x: FloatVector) -> FloatVector {
        let e = exp(-abs(x))
        let below: FloatVector = e / (1 + e), above: FloatVector = 1 / (1 + e)
        return below.replacing(with: above, where: x .>= 0)
    }

    /// 2ⁿ in each lane, for n from −126 to 127, built from its bits.
    @inline(__always)
    private static func powerOfTwo(_ n: SIMD8<Int32>) -> FloatVector {
        unsafeBitCast((n &+ 127) &<< 23, to: FloatVector.self)
    }

    /// Each lane with its sign bit cleared.
    @inline(__always)
    private static func abs(_ x: FloatVector) -> FloatVector { vector(bits(x) & 0x7FFF_FFFF) }

    @inline(__always)
    private static func bits(_ x: FloatVector) -> SIMD8<UInt32> { unsafeBitCast(x, to: SIMD8<UInt32>.self) }

    @inline(__always)
    private static func vector(_ bits: SIMD8<UInt32>) -> FloatVector { unsafeBitCast(bits, to: FloatVector.self) }

    /// `out[i] = op(x[i])` for `count` elements, in vector form; false, having done nothing,
    /// for an op without one. `out` may be `x`.
    static func map(_ op: UnaryKernel<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                    count: Int) -> Bool {
        switch op {
        case .exp: map(exp, x, out, count: count)
        case .tanh: map(tanh, x, out, count: count)
        case .sigmoid: map(sigmoid, x, out, count: count)
        default: return false
        }
        return true
    }

    /// `out[i] = f(x[i])` for `count` elements; `out` may be `x`.
    @inline(__always)
    private static func map(_ f: (FloatVector) -> FloatVector, _ x: UnsafePointer<Float>,
                            _ out: UnsafeMutablePointer<Float>, count: Int) {
        let width = FloatVector.scalarCount
        var i = 0
        while i + width <= count {
            let y = f(UnsafeRawPointer(x + i).loadUnaligned(as: FloatVector.self))
            UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: FloatVector.self)
            i += width
        }
        guard i < count else { return }
        // The tail, zero-padded to a whole vector: computed exactly as a full one would be.
        var tail = FloatVector()
        for lane in 0..<(count - i) { tail[lane] = x[i + lane] }
        let y = f(tail)
        for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
}

/// Runs `op` over `count` elements in its vector form, when the elements are Float and the op
/// has one; returns false, having done nothing, otherwise.
@inline(__always)
func vectorMap<S: TensorScalar>(_ op: UnaryKernel<S>, _ x: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                count: Int) -> Bool {
    guard S.self == Float.self else { return false }
    return VectorMath.map(unsafeBitCast(op, to: UnaryKernel<Float>.self), UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), count: count)
}
