// Elementwise primitives, each forward beside its VJP. Piecewise ops (relu,
// abs, clamped, maximum) multiply by a constant mask: their second derivative
// is zero almost everywhere, which the constant mask gives exactly.

/// e raised to each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func exp<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(exp(x.value), recordedAs: "exp", x, vjp: { g, output in [expVJP(g, output: output)] },
             scalarVJP: { g, output, _, _ in (expVJP(g, output: output), 0) }).traced(.unary(.exp))
}

/// exp's VJP, on variables or numbers: g · eˣ, reusing the forward result eˣ.
@inline(__always)
func expVJP<T: DerivativeArithmetic>(_ g: T, output: T) -> T { g * output }

/// The natural logarithm of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func log<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(log(x.value), recordedAs: "log", x, vjp: { g, output in [logVJP(g, x: output.input(0))] },
             scalarVJP: { g, _, x, _ in (logVJP(g, x: x), 0) }).traced(.unary(.log))
}

/// log's VJP, on variables or numbers: g / x.
@inline(__always)
func logVJP<T: DerivativeArithmetic>(_ g: T, x: T) -> T { g / x }

/// The square root of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func sqrt<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(sqrt(x.value), recordedAs: "sqrt", x, vjp: { g, output in [sqrtVJP(g, output: output)] },
             scalarVJP: { g, output, _, _ in (sqrtVJP(g, output: output), 0) }).traced(.unary(.sqrt))
}

/// sqrt's VJP, on variables or numbers: g · 0.5 / √x, reusing the forward result √x.
@inline(__always)
func sqrtVJP<T: DerivativeArithmetic>(_ g: T, output: T) -> T { g * 0.5 / output }

/// Each element raised to a constant `exponent`.
@specialized(where S == Float)
@specialized(where S == Double)
public func pow<S: TensorScalar>(_ x: Variable<S>, _ exponent: S) -> Variable<S> {
    Variable(pow(x.value, exponent), recordedAs: "pow", inputs: [x]) { g, _ in
        // The exponent-0 case would compute 0 · x⁻¹, which is NaN at 0.
        exponent == 0 ? [nil] : [g * pow(x, exponent - 1) * exponent]
    }.traced(.unary(.power(exponent)))
}

/// The absolute value of each element; its gradient at 0 is 0.
@specialized(where S == Float)
@specialized(where S == Double)
public func abs<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(abs(x.value), recordedAs: "abs", inputs: [x]) { g, _ in
        [g * x.derivedConstant("sign") { $0.map(.sign) }]
    }.traced(.unary(.abs))
}

/// The sine of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func sin<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(sin(x.value), recordedAs: "sin", inputs: [x]) { g, _ in [g * cos(x)] }.traced(.unary(.sin))
}

/// The cosine of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func cos<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(cos(x.value), recordedAs: "cos", inputs: [x]) { g, _ in [-(g * sin(x))] }.traced(.unary(.cos))
}

/// The hyperbolic tangent of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func tanh<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(tanh(x.value), recordedAs: "tanh", x, vjp: { g, output in [tanhVJP(g, output: output)] },
             scalarVJP: { g, output, _, _ in (tanhVJP(g, output: output), 0) }).traced(.unary(.tanh))
}

/// tanh's VJP, on variables or numbers: g · (1 − y²) from the output y alone (the fused
/// bias and tanh of `linear` uses it too).
@inline(__always)
func tanhVJP<T: DerivativeArithmetic>(_ g: T, output y: T) -> T { g * (1 - y * y) }

/// The logistic function 1 / (1 + e⁻ˣ) of each element.
///
/// A primitive, not a composition: the composed form overflows for x ≪ 0.
@specialized(where S == Float)
@specialized(where S == Double)
public func sigmoid<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(sigmoid(x.value), recordedAs: "sigmoid", x, vjp: { g, output in [sigmoidVJP(g, output: output)] },
             scalarVJP: { g, output, _, _ in (sigmoidVJP(g, output: output), 0) }).traced(.unary(.sigmoid))
}

/// sigmoid's VJP, on variables or numbers: g · σ · (1 − σ), from the output σ alone.
@inline(__always)
func sigmoidVJP<T: DerivativeArithmetic>(_ g: T, output: T) -> T { g * output * (1 - output) }

/// `log(1 + eˣ)` of each element, computed without overflow.
@specialized(where S == Float)
@specialized(where S == Double)
public func softplus<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(x.value.map(.softplus), recordedAs: "softplus", inputs: [x]) { g, _ in [g * sigmoid(x)] }
        .traced(.unary(.softplus))
}

/// The error function of each element.
@specialized(where S == Float)
@specialized(where S == Double)
public func erf<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    Variable(x.value.map(.erf), recordedAs: "erf", inputs: [x]) { g, _ in
        [g * exp(-(x * x)) * S(1.1283791670955126)]   // 2/√π · e^(−x²)
    }.traced(.unary(.erf))
}

/// max(x, 0) of each element; its gradient at 0 is 0, as in PyTorch.
@specialized(where S == Float)
@specialized(where S == Double)
public func relu<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    // Not maximum(x, 0): that would split the gradient at 0 between the operands.
    Variable(relu(x.value), recordedAs: "relu", x, vjp: { g, output in [reluVJP(g, output.input(0))] },
             scalarVJP: { g, _, x, _ in (reluVJP(g, x), 0) }).traced(.unary(.relu))
}

/// relu's VJP, on variables or numbers: g where the input is positive, 0 elsewhere.
/// `reference` is relu's input, or its output (positive at the same elements), as the fused
/// bias and relu of `linear` passes.
@inline(__always)
func reluVJP<T: DerivativeArithmetic>(_ g: T, _ reference: T) -> T { g.keepingWherePositive(reference) }

extension Variable {
    /// The elements where `reference` is positive, 0 elsewhere: relu's VJP in one pass, linear in
    /// `self`. The reference is not differentiated: a trace reads its value, the graph does not.
    func keepingWherePositive(_ reference: Variable) -> Variable {
        let masked = value.combining(reference.value, .keepWherePositive, name: "relu")
        guard Variable.isRecorded(on: self) else { return Variable(value: masked) }
        return Variable(masked, recordedAs: "reluMask", inputs: [self]) { g, _ in [g.keepingWherePositive(reference)] }
            .traced(.binary(.keepWherePositive), reading: reference)
    }
}

/// x for positive elements, `negativeSlope · x` otherwise.
@specialized(where S == Float)
@specialized(where S == Double)
public func leakyRelu<S: TensorScalar>(_ x: Variable<S>, negativeSlope: S = 0.01) -> Variable<S> {
    Variable(x.value.map(.leakyRelu(negativeSlope)), recordedAs: "leakyRelu", inputs: [x]) { g, _ in
        [g * x.derivedConstant("leakyReluSlope") { $0.map(.leakyReluSlope(negativeSlope)) }]
    }.traced(.unary(.leakyRelu(negativeSlope)))
}

extension Variable {
    /// Each element limited to `[min, max]`; the gradient is 1 strictly inside and 0 at the bounds
    /// and outside, as PyTorch's `clamp` gives.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func clamped(min low: Scalar, max high: Scalar) -> Variable {
        Variable(value.clamped(min: low, max: high), recordedAs: "clamped", inputs: [self]) { g, output in
            [g * output.input(0).derivedConstant("inside") { $0.map(.inside(low, high)) }]
        }.traced(.unary(.clamp(low, high)))
    }
}

/// The larger element at each broadcast position. On a tie each operand gets half the gradient, as in PyTorch.
@specialized(where S == Float)
@specialized(where S == Double)
public func maximum<S: TensorScalar>(_ a: Variable<S>, _ b: Variable<S>) -> Variable<S> {
    Variable(maximum(a.value, b.value), recordedAs: "maximum", inputs: [a, b]) { g, _ in
        splitGradient(g, a, b, share: tieShare(a, b, .greater))
    }.traced(.binary(.maximum))
}

/// The smaller element at each broadcast position. On a tie each operand gets half the gradient, as in PyTorch.
@specialized(where S == Float)
@specialized(where S == Double)
public func minimum<S: TensorScalar>(_ a: Variable<S>, _ b: Variable<S>) -> Variable<S> {
    Variable(minimum(a.value, b.value), recordedAs: "minimum", inputs: [a, b]) { g, _ in
        splitGradient(g, a, b, share: tieShare(a, b, .less))
    }.traced(.binary(.minimum))
}

/// Picks `a` where `condition` is `true` and `b` elsewhere; all three broadcast together.
///
/// As `torch.where`. The condition is a constant mask (for example from `isGreater(than:)`);
/// no gradient flows into it.
@specialized(where S == Float)
@specialized(where S == Double)
public func which<S: TensorScalar>(_ condition: Tensor<Bool>, _ a: Variable<S>, _ b: Variable<S>) -> Variable<S> {
    let result = Variable(which(condition, a.value, b.value), recordedAs: "which", inputs: [a, b]) { g, _ in
        splitGradient(g, a, b, share: Variable(which(condition, Tensor<S>(1), Tensor<S>(0))))
    }.traced(condition) { which($1, $0[0], $0[1]) }
    // A trace replays the condition as it is now: the second tracing call checks that it did not change.
    if result.isTraced { result.noteConstantInTrace(which(condition, Tensor<S>(1), Tensor<S>(0))) }
    return result
}

/// Picks `a` where `condition` is non-zero and `b` elsewhere.
@available(*, deprecated, message: "pass a Tensor<Bool> condition, such as x.isGreater(than: y), or mask.converted(to: Bool.self)")
public func which<S: TensorScalar>(_ condition: Tensor<S>, _ a: Variable<S>, _ b: Variable<S>) -> Variable<S> {
    which(condition.converted(to: Bool.self), a, b)
}

/// 1 where `a` wins the relation `op` against `b`, ½ on a tie, 0 elsewhere: how maximum and
/// minimum share the gradient.
private func tieShare<S: TensorScalar>(_ a: Variable<S>, _ b: Variable<S>, _ op: BinaryKernel) -> Variable<S> {
    Variable.derivedConstant("share", from: [a, b]) { $0[0].combining($0[1], op, name: "share") + $0[0].combining($0[1], .equal, name: "share") * 0.5 }
}

/// Gives `a` the fraction `share` of the upstream gradient and `b` the rest, each unbroadcast.
private func splitGradient<S: TensorScalar>(_ g: Variable<S>, _ a: Variable<S>, _ b: Variable<S>,
                                            share: Variable<S>) -> [Variable<S>?] {
    [(g * share).sum(toShape: a.shape), (g * (1 - share)).sum(toShape: b.shape)]
}
