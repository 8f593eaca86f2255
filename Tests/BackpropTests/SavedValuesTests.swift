import Backprop
import Foundation
import Testing

/// Setting a value that a recorded op still needs stops `backward()`, naming the op and the shape,
/// rather than computing the gradient of a function that was never evaluated.
@Suite struct SavedValuesTests {
    @Test func anOptimizerStepBetweenForwardAndBackwardStopsTheSweep() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([[1, 2], [3, 4], [5, 6]]), requiresGrad: true)
            let x = Variable(Tensor<Double>([[1, 0, 1]]))
            let loss = matmul(x, w).sum()
            w.value = w.value - 0.1       // a step before backward
            loss.backward()
        }
        let message = output.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        // The exit test's body lies in a macro expansion, so its line is the expansion's; the misuse
        // program's `backward-after-step` case checks the user's line (LocatedErrorTests).
        #expect(message.contains(".swift:8: error: "))
        #expect(message.contains("error: backward: 'matmul' needs the value of input 1, of shape [3, 2], as it was in the forward pass"))
    }

    @Test func aScalarGraphIsCheckedOnTheFastPath() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(2.0, requiresGrad: true)
            let loss = w * w
            w.value = Tensor(3.0)
            loss.backward()
        }
        let message = output.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(message.contains("error: backward: 'multiply' needs the value of input 0, of shape [], as it was"))
    }

    @Test func settingAnIntermediatesValueStopsAnOpThatReadsIt() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            let y = exp(x)                // exp's VJP reuses its own result
            y.value = Tensor([0, 0])
            y.sum().backward()
        }
        let message = output.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(message.contains("error: backward: 'exp' needs the value of its own result, of shape [2]"))
    }

    @Test func opsThatReadNoValueDoNotStop() {
        // A sum, a reshape and an addition never read their inputs' values: PyTorch allows this too.
        let w = Variable(Tensor<Double>([1, 2, 3, 4]), requiresGrad: true)
        let b = Variable(Tensor<Double>([1]), requiresGrad: true)
        let loss = (w.reshaped([2, 2]) + b).sum()
        w.value = Tensor([9, 9, 9, 9])
        b.value = Tensor([9])
        loss.backward()
        #expect(w.grad == Tensor([1, 1, 1, 1]))
        #expect(b.grad == Tensor([4]))
    }

    @Test func aStepAfterBackwardAndAFreshForwardPassAreFine() {
        let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
        for _ in 0..<3 {
            let loss = (w * w).sum()
            loss.backward()
            w.value = w.value - 0.25 * w.grad!
            w.zeroGrad()
        }
        #expect(w.value == Tensor([0.125, 0.25]))
    }
}
