import Backprop
import Testing

/// A replayed call's result: reused by the next call once nothing else holds it, backpropagated
/// straight into the parameters' `grad`, and freed with its compiled function.
@Suite struct CompiledResultTests {
    /// The warm function of these tests, `Σ x·w`, and its parameter.
    static func warmFunction() -> (CompiledFunction<Double>, Variable<Double>) {
        let w = Variable(Tensor<Double>([1, -2, 0.5]), requiresGrad: true)
        let f = compile { (x: Variable<Double>) in (x * w * w).sum() }
        for _ in 0..<3 { f(Tensor([1, 1, 1])).backward() }
        w.zeroGrad()
        return (f, w)
    }

    @Test func aResultLetGoOfIsReusedByTheNextCall() {
        let (f, w) = Self.warmFunction()
        var first: Variable<Double>? = f(Tensor([1, 2, 3]))
        first!.backward()
        let identity = ObjectIdentifier(first!)
        first = nil
        let second = f(Tensor([3, 2, 1]))
        #expect(ObjectIdentifier(second) == identity)
        let value: Double = 3 * 1 + 2 * 4 + 1 * 0.25    // Σ x·w²
        #expect(second.value == Tensor(value) && second.grad == nil && !second.isLeaf)
        w.zeroGrad()
        second.backward()
        #expect(w.grad == Tensor([6, -8, 1]))    // ∂/∂w Σ x·w² = 2·x·w
    }

    @Test func resultsHeldTogetherEachKeepTheirValues() {
        let (f, w) = Self.warmFunction()
        let (a, b) = (f(Tensor([1, 0, 0])), f(Tensor([0, 0, 1])))
        #expect(a !== b && a.value == Tensor(1) && b.value == Tensor(0.25))
        b.backward()
        a.backward()
        #expect(w.grad == Tensor([2, 0, 1]))
    }

    /// A result dropped before its backward pass gives its values back at the next call.
    @Test func aResultDroppedBeforeItsBackwardPassDoesNotDisturbTheNext() {
        let (f, w) = Self.warmFunction()
        _ = f(Tensor([5, 5, 5]))
        let result = f(Tensor([0, 1, 0]))
        result.backward()
        #expect(result.value == Tensor(4) && w.grad == Tensor([0, -4, 0]))
    }

    /// Without zeroGrad, backward passes add up, as in eager mode.
    @Test func gradientsAccumulateAcrossCalls() {
        let (f, w) = Self.warmFunction()
        for _ in 0..<3 { f(Tensor([1, 1, 1])).backward() }
        #expect(w.grad == Tensor([6, -12, 3]))
    }

    /// A hook on a parameter, or a retained gradient on the result, takes the ordinary sweep,
    /// which calls it.
    @Test func hooksAndRetainedGradientsAreHonoured() {
        let (f, w) = Self.warmFunction()
        let handle = w.registerHook { $0 * 10 }
        f(Tensor([1, 1, 1])).backward()
        #expect(w.grad == Tensor([20, -40, 10]))
        handle.remove()
        w.zeroGrad()
        let result = f(Tensor([1, 1, 1]))
        result.retainGrad()
        result.backward()
        #expect(result.grad == Tensor(1) && w.grad == Tensor([2, -4, 1]))
    }

    /// The result a trace keeps for reuse and the trace hold each other until the function goes:
    /// then both are freed, whether the result was backpropagated or not.
    @Test func resultsAreFreedWithTheirFunction() {
        for backpropagates in [false, true] {
            weak var kept: Variable<Double>?
            weak var function: CompiledFunction<Double>?
            do {
                let (f, _) = Self.warmFunction()
                let result = f(Tensor([1, 1, 1]))
                if backpropagates { result.backward() }
                kept = result
                function = f
            }
            #expect(kept == nil && function == nil, "backpropagated: \(backpropagates)")
        }
    }

    /// A result the caller still holds outlives its function, backpropagates, and is freed after.
    @Test func aResultOutlivesItsFunction() {
        var held: Variable<Double>?
        weak var function: CompiledFunction<Double>?
        let w: Variable<Double>
        do {
            let (f, parameter) = Self.warmFunction()
            w = parameter
            held = f(Tensor([0, 0, 2]))
            function = f
        }
        #expect(function == nil)
        held!.backward()
        #expect(w.grad == Tensor([0, 0, 2]))
        weak let released = held
        held = nil
        #expect(released == nil)
    }
}
