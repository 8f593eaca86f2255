import Backprop
import Foundation
import Testing

/// Hooks and retained gradients: `registerHook` sees or replaces a gradient as the sweep passes it,
/// and `retainGrad()` keeps an intermediate's.
@Suite struct NodeAnnotationsTests {
    @Test func retainGradKeepsAnIntermediatesGradientAndAccumulates() {
        // y = 3x, z = Σ y²: ∂z/∂y = 2y = 6x.
        let x = Variable(Tensor<Double>([1, -2]), requiresGrad: true)
        let y = x * 3
        y.retainGrad()
        (y * y).sum().backward(retainGraph: true)
        #expect(y.grad == Tensor([6, -12]))
        #expect(x.grad == Tensor([18, -36]))
        (y * y).sum().backward()
        #expect(y.grad == Tensor([12, -24]))
    }

    @Test func withoutRetainGradAnIntermediateHasNoGradient() {
        let x = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
        let y = x * 3
        (y * y).sum().backward()
        #expect(y.grad == nil)
    }

    @Test func gradientsOfLeavesRetainedGradsAlone() {
        let x = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
        let y = x * x
        y.retainGrad()
        let g = gradients(of: y.sum(), wrt: [x])
        #expect(g[0].value == Tensor([2, 4]))
        #expect(y.grad == nil)
        #expect(x.grad == nil)
    }

    @Test func aHookObservesTheSummedGradientOfAnIntermediateAndOfALeaf() {
        // x feeds y twice: the hook sees the sum of both uses, once.
        let x = Variable(Tensor<Double>([2, 5]), requiresGrad: true)
        let y = x * 2
        var seenAtY: [Tensor<Double>] = []
        var seenAtX: [Tensor<Double>] = []
        y.registerHook { gradient in seenAtY.append(gradient.value); return nil }
        x.registerHook { gradient in seenAtX.append(gradient.value); return nil }
        (y * y + y).sum().backward()
        #expect(seenAtY == [Tensor([9, 21])])              // 2y + 1
        #expect(seenAtX == [Tensor([18, 42])])             // 2 · (2y + 1)
        #expect(x.grad == Tensor([18, 42]))
    }

    @Test func aHookReplacesTheGradientThatFlowsOn() {
        let x = Variable(Tensor<Double>([1, -1, 3]), requiresGrad: true)
        let y = x * x
        y.retainGrad()
        // Keep only positive gradients, as guided backpropagation does at a ReLU.
        y.registerHook { gradient in relu(gradient) }
        (y * Variable(Tensor([1, -1, 2]))).sum().backward()
        #expect(y.grad == Tensor([1, 0, 2]))                // the kept gradient is the one passed on
        #expect(x.grad == Tensor([2, 0, 12]))              // 2x · clamped gradient
    }

    @Test func hooksRunInOrderAndARemovedHookDoesNot() {
        let x = Variable(Tensor<Double>([1]), requiresGrad: true)
        var calls: [String] = []
        let first = x.registerHook { g in calls.append("first"); return g * 10 }
        x.registerHook { g in calls.append("second \(g.value.scalar)"); return nil }
        (x * 2).sum().backward()
        #expect(calls == ["first", "second 20.0"])
        #expect(x.grad == Tensor([20]))
        first.remove()
        first.remove()
        calls = []
        x.zeroGrad()
        (x * 2).sum().backward()
        #expect(calls == ["second 2.0"])
        #expect(x.grad == Tensor([2]))
    }

    @Test func aHookOnAScalarGraphRunsDespiteTheFastPath() {
        let x = Variable(3.0, requiresGrad: true)
        let y = x * x
        var seen: Double?
        y.registerHook { g in seen = g.value.scalar; return nil }
        (y * 5).backward()
        #expect(seen == 5)
        #expect(x.grad?.scalar == 30)
    }

    @Test func aReplacementIsDifferentiatedInASecondOrderSweep() {
        // Hook doubles the gradient reaching y = x²: dz/dx = 2 · 2x, and d/dx of that is 4.
        let x = Variable(Tensor<Double>([1.5]), requiresGrad: true)
        let y = x * x
        y.registerHook { g in g * 2 }
        let first = gradients(of: y.sum(), wrt: [x], createGraph: true)[0]
        #expect(first.value == Tensor([6]))
        let second = gradients(of: first.sum(), wrt: [x])[0]
        #expect(second.value == Tensor([4]))
    }
}
