/// The value of a function and its Jacobian–vector product J t, J = ∂f/∂x: a forward-mode
/// derivative, exact, without forming J.
///
/// The sweep runs in reverse only, so the product comes from differentiating a reverse one
/// again. The vector–Jacobian product g(u) = Jᵀu is linear in u, so the gradient of ⟨g(u), t⟩
/// with respect to u is J t, whatever the u. The first sweep records g(u), from u = 0; the
/// second sweeps that record back to u.
///
/// Cost: one evaluation of `f` and two reverse sweeps, the first recording its VJPs; the
/// recorded sweep holds about as many ops as the forward pass, so the whole costs a small
/// constant times one evaluation (roughly three to five), for any sizes of x and f(x).
///
/// - Parameters:
///   - point: where to evaluate and differentiate, x.
///   - tangent: the direction t, shaped like `point`.
///   - f: a function of one variable, with a result of any shape.
/// - Returns: `value`, f(x), and `tangent`, J t = Σⱼ tⱼ ∂f/∂xⱼ, shaped like f(x); zeros
///   when f(x) does not depend on x.
/// - Precondition: `tangent` has the shape of `point`: otherwise the program stops with a
///   message naming `jvp(at:tangent:of:)` and both shapes.
@specialized(where S == Float)
@specialized(where S == Double)
public func jvp<S: TensorScalar>(
    at point: Tensor<S>, tangent: Tensor<S>, of f: (Variable<S>) -> Variable<S>
) -> (value: Tensor<S>, tangent: Tensor<S>) {
    checked { () throws(ShapeError) in
        try Shapes.matching(tangent.shape, point.shape, what: "a tangent", of: "a point", op: "jvp(at:tangent:of:)")
    }
    let (input, output) = evaluate(f, at: point)
    guard output.requiresGrad else { return (output.value, Tensor.zeros(output.shape)) }
    let product = GradientMode.withRecording(true) {
        let u = Variable(Tensor<S>.zeros(output.shape), requiresGrad: true)
        let transposedProduct = vectorJacobianProduct(of: (output * u).sum(), wrt: input, seed: nil, createGraph: true)
        return vectorJacobianProduct(of: (transposedProduct * Variable(tangent)).sum(), wrt: u, seed: nil)
    }
    return (output.value, product.value)
}
