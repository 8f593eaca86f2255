extension Tensor where Scalar: TensorScalar {
    /// Applies an elementwise kernel (into `output`'s buffer if it can be reused).
    func map(_ op: UnaryKernel<Scalar>, reusing output: ReusableOutput<Scalar>? = nil) -> Tensor {
        // One element held inline: the kernel's own formula, without the kernel's call.
        if storage == nil { return Tensor(shape: shape, element: apply(op, element)) }
        return withBuffer { x in Tensor(shape: shape, reusing: output) { out in Scalar._run(.map(op, x, out)) } }
    }

    /// Combines two tensors elementwise, broadcasting them by NumPy's rules (into `output`'s
    /// buffer if it can be reused).
    func combining(_ other: Tensor, _ op: BinaryKernel, name: String, reusing output: ReusableOutput<Scalar>? = nil) -> Tensor {
        if storage == nil && other.storage == nil && shape == other.shape {
            return Tensor(shape: shape, element: apply(op, element, other.element))
        }
        // Equal shapes, or one side a single value: one flat loop, with no stride arrays.
        if let (outShape, lhsStride, rhsStride) = flatCombination(with: other) {
            return withBuffer { a in
                other.withBuffer { b in
                    Tensor(shape: outShape, reusing: output) { out in
                        guard let aBase = a.baseAddress, let bBase = b.baseAddress else { return }
                        Scalar._run(.zipFlat(op, aBase, lhsStride, bBase, rhsStride, out))
                    }
                }
            }
        }
        if let output { return combining(other, op, planned: output) }
        let outShape = checked { () throws(ShapeError) in try Shapes.broadcast(shape, other.shape, op: name) }
        let lhsStrides = Shapes.broadcastStrides(shape, to: outShape)
        let rhsStrides = Shapes.broadcastStrides(other.shape, to: outShape)
        return withBuffer { a in
            other.withBuffer { b in
                Tensor(shape: outShape, reusing: output) { out in
                    guard let aBase = a.baseAddress, let bBase = b.baseAddress else { return }
                    Scalar._run(.zip(op, StridedOperand(base: aBase, strides: lhsStrides),
                                     StridedOperand(base: bBase, strides: rhsStrides), shape: outShape, out))
                }
            }
        }
    }

    /// ``combining(_:_:name:reusing:)`` in a compiled replay, where the shapes are the traced ones:
    /// along the plan the step made at its first call, into its buffer.
    private func combining(_ other: Tensor, _ op: BinaryKernel, planned output: ReusableOutput<Scalar>) -> Tensor {
        if output.zipPlan == nil {
            output.zipPlan = ZipPlan(shape: output.shape, lhs: Shapes.broadcastStrides(shape, to: output.shape),
                                     rhs: Shapes.broadcastStrides(other.shape, to: output.shape))
        }
        return withBuffer { a in
            other.withBuffer { b in
                Tensor(shape: output.shape, reusing: output) { out in
                    guard let aBase = a.baseAddress, let bBase = b.baseAddress else { return }
                    withUnsafePointer(to: output.zipPlan.unsafelyUnwrapped) { Scalar._run(.zipPlanned(op, aBase, bBase, $0, out)) }
                }
            }
        }
    }

    /// The result shape and the operands' flat strides (1, or 0 for a broadcast single
    /// value) when the combination needs no strided walk; else nil.
    private func flatCombination(with other: Tensor) -> ([Int], Int, Int)? {
        if shape == other.shape { return (shape, 1, 1) }
        if other.count == 1 && other.shape.count <= shape.count { return (shape, 1, 0) }
        if count == 1 && shape.count <= other.shape.count { return (other.shape, 0, 1) }
        return nil
    }
}

// MARK: Operators (broadcasting)

extension Tensor where Scalar: TensorScalar {
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, .add, name: "add") }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, .subtract, name: "subtract") }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, .multiply, name: "multiply") }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, .divide, name: "divide") }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.map(.add(rhs)) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.map(.add(-rhs)) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.map(.multiply(rhs)) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.map(.multiply(1 / rhs)) }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.map(.add(lhs)) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.map(.subtractFrom(lhs)) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.map(.multiply(lhs)) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.map(.divide(lhs)) }

    public static prefix func - (x: Tensor) -> Tensor { x.map(.negate) }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
}

// MARK: Elementwise math

/// e raised to each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func exp<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.exp) }
/// The natural logarithm of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func log<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.log) }
/// The square root of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func sqrt<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.sqrt) }
/// The absolute value of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func abs<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.abs) }
/// The sine of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func sin<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.sin) }
/// The cosine of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func cos<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.cos) }
/// The hyperbolic tangent of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func tanh<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.tanh) }
/// The logistic function 1 / (1 + e⁻ˣ) of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func sigmoid<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.sigmoid) }
/// max(x, 0) of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func relu<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.map(.relu) }
/// Each element raised to `exponent`.
@specialized(where S == Float)
@specialized(where S == Double)
public func pow<S: TensorScalar>(_ x: Tensor<S>, _ exponent: S) -> Tensor<S> { x.map(.power(exponent)) }
/// The larger of the two elements at each broadcast position.
@specialized(where S == Float)
@specialized(where S == Double)
public func maximum<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> { a.combining(b, .maximum, name: "maximum") }
/// The smaller of the two elements at each broadcast position.
@specialized(where S == Float)
@specialized(where S == Double)
public func minimum<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> { a.combining(b, .minimum, name: "minimum") }

extension Tensor where Scalar: TensorScalar {
    /// Each element limited to `[min, max]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func clamped(min low: Scalar, max high: Scalar) -> Tensor { map(.clamp(low, high)) }
}
