import Foundation

/// A type that tensors can hold: `Float` and `Double` for values and gradients, `Int` for
/// indices, labels and token ids, and `Bool` for masks.
///
/// Every tensor shares one implementation of storage, shapes, broadcasting, printing,
/// reshaping, slicing, concatenation and copy-on-write, whatever its element. Arithmetic,
/// math functions and gradients need a ``TensorScalar``. Conversions between element types
/// (``Tensor/converted(to:)``) know these four types; the protocol is not meant for others.
public protocol TensorElement: BitwiseCopyable, Sendable, Equatable, CustomStringConvertible {}

extension Int: TensorElement {}
extension Bool: TensorElement {}

/// A floating-point type that tensors compute with: `Float` or `Double`.
///
/// The protocol carries the scalar math functions the library needs, and the
/// entry points of its kernels. Each kernel is one protocol requirement that
/// `Float` and `Double` implement by calling a generic loop, which the
/// compiler specializes for that type: a tensor operation pays one dynamic
/// dispatch per call, never one per element.
public protocol TensorScalar: TensorElement, BinaryFloatingPoint, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// e raised to `x`.
    static func exp(_ x: Self) -> Self
    /// The natural logarithm of `x`.
    static func log(_ x: Self) -> Self
    /// `log(1 + x)`, accurate for small `x`.
    static func log1p(_ x: Self) -> Self
    /// The sine of `x`, in radians.
    static func sin(_ x: Self) -> Self
    /// The cosine of `x`, in radians.
    static func cos(_ x: Self) -> Self
    /// The hyperbolic tangent of `x`.
    static func tanh(_ x: Self) -> Self
    /// The error function of `x`.
    static func erf(_ x: Self) -> Self
    /// `x` raised to `y`.
    static func pow(_ x: Self, _ y: Self) -> Self

    /// Runs one kernel, specialized for this type. Library-internal: operations call it.
    @_spi(Kernels) static func _run(_ kernel: Kernel<Self>)
}

extension Float: TensorScalar {
    public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    public static func log(_ x: Float) -> Float { Foundation.log(x) }
    public static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    public static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    public static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }

    @_spi(Kernels) public static func _run(_ kernel: Kernel<Float>) { run(kernel) }
}

extension Double: TensorScalar {
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }

    @_spi(Kernels) public static func _run(_ kernel: Kernel<Double>) { run(kernel) }
}
