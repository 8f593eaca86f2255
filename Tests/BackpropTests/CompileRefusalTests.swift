import Backprop
import Foundation
import Testing

/// What a replay could not repeat stops the tracing call that meets it, with a message naming it,
/// rather than replaying a different function.
@Suite struct CompileRefusalTests {
    static func stopMessage(_ output: ExitTest.Result?) -> String {
        output.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
    }

    @Test func controlFlowOnAValueIsFoundByTheSecondTrace() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            let f = compile { (x: Variable<Double>) in x.value.sum().scalar > 0 ? (x * w).sum() : exp(x * w).sum() }
            f(Tensor([1, 1])).backward()
            f(Tensor([-1, -1])).backward()
        }
        #expect(Self.stopMessage(output).contains(
            "error: compile: two tracing calls of the same input shapes differ at op 1: 'sum []', then 'exp [2]'"))
    }

    @Test func aConstantComputedFromAValueIsFoundByTheSecondTrace() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            let f = compile { (x: Variable<Double>) in (x * w + Variable(x.value * 2)).sum() }
            f(Tensor([1, 1])).backward()
            f(Tensor([3, 1])).backward()
        }
        #expect(Self.stopMessage(output).contains("error: compile: constant 0 of shape [2] differs between two tracing calls"))
    }

    @Test func aConditionComputedFromAValueIsFoundByTheSecondTrace() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            let f = compile { (x: Variable<Double>) in which(x.value.isGreater(than: Tensor(0)), x * w, x).sum() }
            f(Tensor([1, -1])).backward()
            f(Tensor([-1, 1])).backward()
        }
        #expect(Self.stopMessage(output).contains("differs between two tracing calls of the same input shapes"))
    }

    @Test func labelsThatChangeAreFoundByTheSecondTrace() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([[1, 2], [3, 4]]), requiresGrad: true)
            var labels = [0, 1]
            let f = compile { (x: Variable<Double>) in logSoftmax(matmul(x, w)).picking(labels).sum() }
            f(Tensor([[1, 1], [2, 2]])).backward()
            labels = [1, 1]
            f(Tensor([[1, 1], [2, 2]])).backward()
        }
        #expect(Self.stopMessage(output).contains("error: compile: the indices of gather 0 differ between two tracing calls"))
    }

    @Test func aCustomOpWithoutAKernelIsRefused() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            let f = compile { (x: Variable<Double>) in
                Variable(x.value * w.value, recordedAs: "myProduct", inputs: [x, w]) { g, _ in [nil, g * x] }.sum()
            }
            _ = f(Tensor([1, 1]))
        }
        #expect(Self.stopMessage(output).contains("error: compile: 'myProduct' has no compiled form yet"))
    }

    @Test func maxAlongAnAxisIsRefused() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([[1, 2]]), requiresGrad: true)
            let f = compile { (x: Variable<Double>) in (x * w).max(axis: 1).sum() }
            _ = f(Tensor([[1, 1]]))
        }
        #expect(Self.stopMessage(output).contains("error: compile: 'max(axis:)' has no compiled form yet"))
    }

    @Test func gradientsInsideTheBodyAreRefused() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            let f = compile { (x: Variable<Double>) in
                let loss = (x * w * w).sum()
                return gradients(of: loss, wrt: [w], createGraph: true)[0].sum()
            }
            _ = f(Tensor([1, 1]))
        }
        #expect(Self.stopMessage(output).contains("error: compile: a backward sweep inside the compiled function"))
    }

    @Test func createGraphThroughACompiledResultIsRefused() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            let f = compile { (x: Variable<Double>) in (x * w * w).sum() }
            _ = gradients(of: f(Tensor([1, 1])), wrt: [w], createGraph: true)
        }
        #expect(Self.stopMessage(output).contains("error: compile: a compiled function's result cannot be differentiated with createGraph: true"))
    }
}
