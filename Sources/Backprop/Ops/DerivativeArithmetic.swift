// The arithmetic that local derivatives are written in. An op's derivative is one generic
// function over `DerivativeArithmetic` (`tanhVJP`, `quotientVJP`, …), written beside the
// op: its VJP calls it on variables, which records the arithmetic so that gradients of
// gradients work, and its rule for the scalar sweep calls it on numbers, which allocates
// nothing. Both run the same operations in the same order, so they give the same bits.

/// Values that a derivative rule computes with: ``Variable`` in a VJP, ``Number`` in the
/// scalar sweep.
protocol DerivativeArithmetic {
    associatedtype Scalar: TensorScalar
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self
    static prefix func - (x: Self) -> Self
    static func * (lhs: Self, rhs: Scalar) -> Self
    static func - (lhs: Scalar, rhs: Self) -> Self
    /// `self` where `reference` is positive, 0 elsewhere: relu's derivative, linear in `self`.
    func keepingWherePositive(_ reference: Self) -> Self
}

/// Variables have every operation; `keepingWherePositive(_:)` is relu's masking op (Elementwise.swift).
extension Variable: DerivativeArithmetic {}

/// A plain number on which the scalar sweep runs an op's derivative rule: the rule's
/// arithmetic is the scalar type's own, one operation for each of the VJP's.
struct Number<Scalar: TensorScalar>: DerivativeArithmetic, ExpressibleByIntegerLiteral {
    var value: Scalar

    @inline(__always) init(_ value: Scalar) { self.value = value }
    @inline(__always) init(integerLiteral value: Int) { self.value = Scalar(value) }

    @inline(__always) static func + (lhs: Number, rhs: Number) -> Number { Number(lhs.value + rhs.value) }
    @inline(__always) static func - (lhs: Number, rhs: Number) -> Number { Number(lhs.value - rhs.value) }
    @inline(__always) static func * (lhs: Number, rhs: Number) -> Number { Number(lhs.value * rhs.value) }
    @inline(__always) static func / (lhs: Number, rhs: Number) -> Number { Number(lhs.value / rhs.value) }
    @inline(__always) static prefix func - (x: Number) -> Number { Number(-x.value) }
    @inline(__always) static func * (lhs: Number, rhs: Scalar) -> Number { Number(lhs.value * rhs) }
    @inline(__always) static func - (lhs: Scalar, rhs: Number) -> Number { Number(lhs - rhs.value) }
    @inline(__always) func keepingWherePositive(_ reference: Number) -> Number { reference.value > 0 ? self : 0 }
}
