// The four arithmetic operators and negation. Broadcasting ops hand their
// gradient to `unbroadcast`, the one place where a broadcast is undone.

/// Sums a gradient over the axes that broadcasting added or stretched, giving it `shape` again.
func unbroadcast<S: TensorScalar>(_ gradient: Variable<S>, to shape: [Int]) -> Variable<S> {
    if gradient.shape == shape { return gradient }
    var result = gradient
    for _ in 0..<(gradient.shape.count - shape.count) { result = result.sum(axis: 0) }
    for (axis, size) in shape.enumerated() where size == 1 && result.shape[axis] != 1 {
        result = result.sum(axis: axis, keepDims: true)
    }
    return result
}

extension Variable {
    /// Elementwise sum, broadcasting.
    public static func + (lhs: Variable, rhs: Variable) -> Variable {
        let (a, b) = (lhs.shape, rhs.shape)
        return Variable(lhs.value + rhs.value, recordedAs: "add", inputs: [lhs, rhs]) { g, _ in
            [unbroadcast(g, to: a), unbroadcast(g, to: b)]
        }
    }

    /// Elementwise difference, broadcasting.
    public static func - (lhs: Variable, rhs: Variable) -> Variable {
        let (a, b) = (lhs.shape, rhs.shape)
        return Variable(lhs.value - rhs.value, recordedAs: "subtract", inputs: [lhs, rhs]) { g, _ in
            [unbroadcast(g, to: a), unbroadcast(-g, to: b)]
        }
    }

    /// Elementwise product, broadcasting.
    public static func * (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value * rhs.value, recordedAs: "multiply", inputs: [lhs, rhs]) { g, _ in
            [unbroadcast(g * rhs, to: lhs.shape), unbroadcast(g * lhs, to: rhs.shape)]
        }
    }

    /// Elementwise quotient, broadcasting.
    public static func / (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value / rhs.value, recordedAs: "divide", inputs: [lhs, rhs]) { g, output in
            // d(a/b)/db = −(a/b)/b: reuse the output.
            [unbroadcast(g / rhs, to: lhs.shape), unbroadcast(-(g * output) / rhs, to: rhs.shape)]
        }
    }

    /// Elementwise negation.
    public static prefix func - (x: Variable) -> Variable {
        Variable(-x.value, recordedAs: "negate", inputs: [x]) { g, _ in [-g] }
    }

    // MARK: With a scalar

    public static func + (lhs: Variable, rhs: Scalar) -> Variable {
        Variable(lhs.value + rhs, recordedAs: "add", inputs: [lhs]) { g, _ in [g] }
    }

    public static func + (lhs: Scalar, rhs: Variable) -> Variable { rhs + lhs }

    public static func - (lhs: Variable, rhs: Scalar) -> Variable { lhs + (-rhs) }

    public static func - (lhs: Scalar, rhs: Variable) -> Variable {
        Variable(lhs - rhs.value, recordedAs: "subtract", inputs: [rhs]) { g, _ in [-g] }
    }

    public static func * (lhs: Variable, rhs: Scalar) -> Variable {
        Variable(lhs.value * rhs, recordedAs: "multiply", inputs: [lhs]) { g, _ in [g * rhs] }
    }

    public static func * (lhs: Scalar, rhs: Variable) -> Variable { rhs * lhs }

    public static func / (lhs: Variable, rhs: Scalar) -> Variable { lhs * (1 / rhs) }

    public static func / (lhs: Scalar, rhs: Variable) -> Variable {
        Variable(lhs / rhs.value, recordedAs: "divide", inputs: [rhs]) { g, output in
            [-(g * output) / rhs]           // d(c/x)/dx = −(c/x)/x
        }
    }
}
