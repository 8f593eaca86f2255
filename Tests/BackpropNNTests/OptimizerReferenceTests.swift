import Foundation
import Testing
import Backprop
@testable import BackpropNN

/// Adam and AdamW with AMSGrad, NAdam, RAdam, Adamax and Adadelta over 20 steps against PyTorch's
/// float64 trajectories and final states (Tests/References/optimizers.json, made by make_optimizers_reference.py).
@Suite("Optimizers against PyTorch")
struct OptimizerReferenceTests {
    struct Case: Decodable {
        let name: String
        let kind: String
        let arguments: [String: Double]
        let trajectory: [[Double]]
        let state: [String: [Double]]
    }

    struct File: Decodable {
        let start: [Double]
        let gradients: [[Double]]
        let cases: [Case]
    }

    static let file = try! reference("optimizers.json", as: File.self)

    /// The optimizer a case describes, PyTorch's defaults for the arguments it leaves out.
    static func optimizer(_ c: Case, _ parameters: [Variable<Double>]) -> any Optimizer<Double> {
        let a = c.arguments
        let lr = a["learningRate"], beta1 = a["beta1"] ?? 0.9, beta2 = a["beta2"] ?? 0.999
        let weightDecay = a["weightDecay"] ?? 0, decoupled = a["decoupledWeightDecay"] == 1
        switch c.kind {
        case "adam": return Adam(parameters: parameters, learningRate: lr!, weightDecay: weightDecay, amsgrad: a["amsgrad"] == 1)
        case "adamW": return AdamW(parameters: parameters, learningRate: lr!, weightDecay: weightDecay, amsgrad: a["amsgrad"] == 1)
        case "nAdam":
            return NAdam(parameters: parameters, learningRate: lr ?? 0.002, beta1: beta1, beta2: beta2,
                         epsilon: a["epsilon"] ?? 1e-8, weightDecay: weightDecay, momentumDecay: a["momentumDecay"] ?? 0.004,
                         decoupledWeightDecay: decoupled)
        case "rAdam":
            return RAdam(parameters: parameters, learningRate: lr ?? 0.001, beta1: beta1, beta2: beta2,
                         epsilon: a["epsilon"] ?? 1e-8, weightDecay: weightDecay, decoupledWeightDecay: decoupled)
        case "adamax":
            return Adamax(parameters: parameters, learningRate: lr ?? 0.002, beta1: beta1, beta2: beta2,
                          epsilon: a["epsilon"] ?? 1e-8, weightDecay: weightDecay)
        case "adadelta":
            return Adadelta(parameters: parameters, learningRate: lr ?? 1, rho: a["rho"] ?? 0.9,
                            epsilon: a["epsilon"] ?? 1e-6, weightDecay: weightDecay)
        default: fatalError("unknown optimizer \(c.kind)")
        }
    }

    static func close(_ a: [Double], _ e: [Double]) -> Bool {
        a.count == e.count && zip(a, e).allSatisfy { Swift.abs($0 - $1) <= 1e-12 * Swift.max(1, Swift.abs($1)) }
    }

    @Test(arguments: file.cases.map { ($0.name, $0) })
    func trajectoryAndStateMatchPyTorch(_ name: String, _ c: Case) throws {
        let parameter = Variable(Tensor(Self.file.start), requiresGrad: true)
        let optimizer = Self.optimizer(c, [parameter])
        for (index, (gradient, expected)) in zip(Self.file.gradients, c.trajectory).enumerated() {
            parameter.grad = Tensor(gradient)
            optimizer.step()
            #expect(Self.close(parameter.value.scalars, expected), "\(name), step \(index + 1): \(parameter.value.scalars) ≠ \(expected)")
        }
        let state = optimizer.state().perParameter[0]
        #expect(Set(state.keys) == Set(c.state.keys), "\(name): \(state.keys.sorted())")
        for (key, expected) in c.state {
            #expect(Self.close(state[key]?.scalars ?? [], expected), "\(name), \"\(key)\": \(state[key]?.scalars ?? []) ≠ \(expected)")
        }
        // The state round-trips into a fresh optimizer, which then continues the same way.
        let copy = Variable(parameter.value, requiresGrad: true)
        let restored = Self.optimizer(c, [copy])
        try restored.load(optimizer.state())
        parameter.grad = Tensor(Self.file.gradients[0])
        copy.grad = Tensor(Self.file.gradients[0])
        optimizer.step()
        restored.step()
        #expect(copy.value == parameter.value, "\(name): restored state steps differently")
    }
}
