// The four arithmetic operators and negation. Broadcasting ops hand their
// gradient to `sum(toShape:)`, the one place where a broadcast is undone. The
// derivatives of × and ÷ are written once, as functions over
// `DerivativeArithmetic` that the VJP and the rule on numbers both call; the
// others pass the gradient on as it is, negated or scaled by a constant.

extension Variable {
    /// Elementwise sum, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value + rhs.value, recordedAs: "add", lhs, rhs, savesValues: false, vjp: { g, output in
            [g.sum(toShape: output.input(0).shape), g.sum(toShape: output.input(1).shape)]
        }, scalarVJP: { g, _, _, _ in (g, g) }).traced(.binary(.add))
    }

    /// Elementwise difference, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func - (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value - rhs.value, recordedAs: "subtract", lhs, rhs, savesValues: false, vjp: { g, output in
            [g.sum(toShape: output.input(0).shape), (-g).sum(toShape: output.input(1).shape)]
        }, scalarVJP: { g, _, _, _ in (g, -g) }).traced(.binary(.subtract))
    }

    /// Elementwise product, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value * rhs.value, recordedAs: "multiply", lhs, rhs, vjp: { g, output in
            let (x, y) = (output.input(0), output.input(1))
            let (dx, dy) = productVJP(g, x, y)
            return [dx.sum(toShape: x.shape), dy.sum(toShape: y.shape)]
        }, scalarVJP: { g, _, x, y in productVJP(g, x, y) }).traced(.binary(.multiply))
    }

    /// Elementwise quotient, broadcasting.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func / (lhs: Variable, rhs: Variable) -> Variable {
        Variable(lhs.value / rhs.value, recordedAs: "divide", lhs, rhs, vjp: { g, output in
            let (x, y) = (output.input(0), output.input(1))
            return [dividendVJP(g, y).sum(toShape: x.shape), divisorVJP(g, output: output, y).sum(toShape: y.shape)]
        }, scalarVJP: { g, output, _, y in (dividendVJP(g, y), divisorVJP(g, output: output, y)) }).traced(.binary(.divide))
    }

    /// Elementwise negation.
    public static prefix func - (x: Variable) -> Variable {
        Variable(-x.value, recordedAs: "negate", x, savesValues: false, vjp: { g, _ in [-g] },
                 scalarVJP: { g, _, _, _ in (-g, 0) }).traced(.unary(.negate))
    }

    // MARK: With a scalar

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func + (lhs: Variable, rhs: Scalar) -> Variable {
        Variable(lhs.value + rhs, recordedAs: "add", lhs, savesValues: false, vjp: { g, _ in [g] },
                 scalarVJP: { g, _, _, _ in (g, 0) }).traced(.unary(.add(rhs)))
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
        Variable(lhs - rhs.value, recordedAs: "subtract", rhs, savesValues: false, vjp: { g, _ in [-g] },
                 scalarVJP: { g, _, _, _ in (-g, 0) }).traced(.unary(.subtractFrom(lhs)))
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func * (lhs: Variable, rhs: Scalar) -> Variable {
        guard isRecorded(on: lhs) else { return Variable(value: lhs.value * rhs) }
        return Variable(lhs.value * rhs, recordedAs: "multiply", lhs, savesValues: false, vjp: { g, _ in [g * rhs] },
                        scalarVJP: { g, _, _, _ in (g * rhs, 0) }).traced(.unary(.multiply(rhs)))
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
            [divisorVJP(g, output: output, output.input(0))]
        }, scalarVJP: { g, output, x, _ in (divisorVJP(g, output: output, x), 0) }).traced(.unary(.divide(lhs)))
    }
}

/// The VJP of x · y for x and for y, on variables or numbers: g · y and g · x (before any unbroadcast).
@inline(__always)
func productVJP<T: DerivativeArithmetic>(_ g: T, _ x: T, _ y: T) -> (T, T) { (g * y, g * x) }

/// The VJP of x / y for x, on variables or numbers: g / y.
@inline(__always)
func dividendVJP<T: DerivativeArithmetic>(_ g: T, _ y: T) -> T { g / y }

/// The VJP of x / y for y, on variables or numbers: −g · (x / y) / y, reusing the output x / y.
@inline(__always)
func divisorVJP<T: DerivativeArithmetic>(_ g: T, output: T, _ y: T) -> T { -(g * output) / y }
