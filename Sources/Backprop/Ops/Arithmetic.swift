// The four arithmetic operators and negation. Broadcasting ops hand their
// gradient to `sum(toShape:)`, the one place where a broadcast is undone.

extension Variable {
    /// Elementwise sum, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value + rhs.value, recordedAs: "add", lhs, rhs, vjp: { g, output in
            [g.sum(toShape: output.input(0).shape), g.sum(toShape: output.input(1).shape)]
        }, scalarVJP: { g, _, _, _ in (g, g) })
    }

    /// Elementwise difference, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func - (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value - rhs.value, recordedAs: "subtract", lhs, rhs, vjp: { g, output in
            [g.sum(toShape: output.input(0).shape), (-g).sum(toShape: output.input(1).shape)]
        }, scalarVJP: { g, _, _, _ in (g, -g) })
    }

    /// Elementwise product, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value * rhs.value, recordedAs: "multiply", lhs, rhs, vjp: { g, output in
            let (lhs, rhs) = (output.input(0), output.input(1))
            return [(g * rhs).sum(toShape: lhs.shape), (g * lhs).sum(toShape: rhs.shape)]
        }, scalarVJP: { g, _, x, y in (g * y, g * x) })
    }

    /// Elementwise quotient, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func / (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value / rhs.value, recordedAs: "divide", lhs, rhs, vjp: { g, output in
            // d(a/b)/db = −(a/b)/b: reuse the output.
            let (lhs, rhs) = (output.input(0), output.input(1))
            return [(g / rhs).sum(toShape: lhs.shape), (-(g * output) / rhs).sum(toShape: rhs.shape)]
        }, scalarVJP: { g, output, _, y in (g / y, -(g * output) / y) })
    }

    /// Elementwise negation.
    public static prefix func - (x: Variable) -> Variable {
        Variable(-x.value, recordedAs: "negate", x, vjp: { g, _ in [-g] },
                 scalarVJP: { g, _, _, _ in (-g, 0) })
    }

    // MARK: With a scalar

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Variable, rhs: Scalar) -> Variable {
        Variable(lhs.value + rhs, recordedAs: "add", lhs, vjp: { g, _ in [g] },
                 scalarVJP: { g, _, _, _ in (g, 0) })
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Scalar, rhs: Variable) -> Variable { rhs + lhs }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func - (lhs: Variable, rhs: Scalar) -> Variable { lhs + (-rhs) }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func - (lhs: Scalar, rhs: Variable) -> Variable {
        Variable(lhs - rhs.value, recordedAs: "subtract", rhs, vjp: { g, _ in [-g] },
                 scalarVJP: { g, _, _, _ in (-g, 0) })
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Variable, rhs: Scalar) -> Variable {
        guard isRecorded(on: lhs) else { return Variable(lhs.value * rhs) }
        return Variable(lhs.value * rhs, recordedAs: "multiply", lhs, vjp: { g, _ in [g * rhs] },
                        scalarVJP: { g, _, _, _ in (g * rhs, 0) })
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Scalar, rhs: Variable) -> Variable { rhs * lhs }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func / (lhs: Variable, rhs: Scalar) -> Variable { lhs * (1 / rhs) }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func / (lhs: Scalar, rhs: Variable) -> Variable {
        Variable(lhs / rhs.value, recordedAs: "divide", rhs, vjp: { g, output in
            [-(g * output) / output.input(0)]           // d(c/x)/dx = −(c/x)/x
        }, scalarVJP: { g, output, x, _ in (-(g * output) / x, 0) })
    }
}
