import Foundation
import Testing
import Backprop
@testable import BackpropNN

/// L-BFGS on Rosenbrock's function against PyTorch's float64 `LBFGS`
/// (Tests/References/optimizers.json, made by make_optimizers_reference.py).
@Suite("L-BFGS")
struct LBFGSTests {
    struct Step: Decodable {
        let loss: Double
        let x: Double
        let y: Double
        let funcEvals: Int
        let iterations: Int
    }

    struct Run: Decodable {
        let name: String
        let arguments: [String: Double]
        let steps: [Step]
    }

    struct File: Decodable { let lbfgs: [Run] }

    /// (1 − x)² + 100(y − x²)², its minimum 0 at (1, 1).
    static func rosenbrock(_ x: Variable<Double>, _ y: Variable<Double>) -> Variable<Double> {
        let a = 1 - x, b = y - x * x
        return (a * a + 100 * (b * b)).sum()
    }

    static func optimizer(_ a: [String: Double], _ parameters: [Variable<Double>]) -> LBFGS<Double> {
        LBFGS(parameters: parameters, learningRate: a["learningRate"] ?? 1, maxIterations: Int(a["maxIterations"] ?? 20),
              maxEvaluations: a["maxEvaluations"].map { Int($0) }, historySize: Int(a["historySize"] ?? 100),
              strongWolfe: a["strongWolfe"] == 1)
    }

    @Test(arguments: try! reference("optimizers.json", as: File.self).lbfgs.map { ($0.name, $0) })
    func matchesPyTorchOnRosenbrock(_ name: String, _ run: Run) {
        let x = Variable(Tensor<Double>([-1.5]), requiresGrad: true)
        let y = Variable(Tensor<Double>([2.0]), requiresGrad: true)
        let optimizer = Self.optimizer(run.arguments, [x, y])
        for (index, expected) in run.steps.enumerated() {
            let loss = optimizer.step {
                optimizer.zeroGrad()
                let loss = Self.rosenbrock(x, y)
                loss.backward()
                return loss
            }
            // Exact to rounding, with the same iterations and closure evaluations, step for step.
            func near(_ a: Double, _ e: Double) -> Bool { Swift.abs(a - e) <= 1e-12 * Swift.max(1, Swift.abs(e)) }
            let close = near(loss.scalar, expected.loss) && near(x.scalar, expected.x) && near(y.scalar, expected.y)
            #expect(close, "\(name), step \(index + 1): loss \(loss.scalar), (\(x.scalar), \(y.scalar)) ≠ \(expected)")
            #expect(optimizer.functionEvaluations == expected.funcEvals, "\(name), step \(index + 1)")
            #expect(optimizer.iterations == expected.iterations, "\(name), step \(index + 1)")
        }
    }

    @Test func documentationExample() {
        // doc: Docs/Training.md
        let x = Variable(Tensor<Double>([-1.5]), requiresGrad: true)
        let y = Variable(Tensor<Double>([2.0]), requiresGrad: true)
        let lbfgs = LBFGS(parameters: [x, y], strongWolfe: true)
        for _ in 0..<3 {
            lbfgs.step {
                lbfgs.zeroGrad()
                let a = 1 - x, b = y - x * x
                let loss = (a * a + 100 * (b * b)).sum()  // Rosenbrock: minimum 0 at (1, 1)
                loss.backward()
                return loss
            }
        }
        print(x.scalar, y.scalar)  // close to 1 1
        // end doc
        #expect(Swift.abs(x.scalar - 1) < 1e-5 && Swift.abs(y.scalar - 1) < 1e-5)
    }

    @Test func defaultsAreTorchs() {
        let optimizer = LBFGS(parameters: [Variable(Tensor<Double>([0]), requiresGrad: true)])
        #expect(optimizer.learningRate == 1 && optimizer.maxIterations == 20 && optimizer.maxEvaluations == 25)
        #expect(optimizer.gradientTolerance == 1e-7 && optimizer.changeTolerance == 1e-9)
        #expect(optimizer.historySize == 100 && !optimizer.strongWolfe)
    }

    /// A quadratic ½θᵀAθ − bᵀθ in two dimensions: L-BFGS with a line search solves Aθ = b.
    @Test func solvesAQuadratic() {
        let theta = Variable(Tensor<Double>([0, 0]), requiresGrad: true)
        let a = Tensor<Double>([[3, 1], [1, 2]]), b = Tensor<Double>([1, -1])
        let optimizer = LBFGS(parameters: [theta], strongWolfe: true)
        optimizer.step {
            optimizer.zeroGrad()
            let column = theta.reshaped([2, 1])
            let loss = 0.5 * matmul(matmul(column.transposed(), Variable(a)), column).sum() - (theta * Variable(b)).sum()
            loss.backward()
            return loss
        }
        // A⁻¹b = [3/5, −4/5].
        #expect(Swift.abs(theta.value.scalars[0] - 0.6) < 1e-6 && Swift.abs(theta.value.scalars[1] + 0.8) < 1e-6)
    }

    @Test func stateIsTheIterationCountOnly() throws {
        let x = Variable(Tensor<Double>([-1.5]), requiresGrad: true), y = Variable(Tensor<Double>([2.0]), requiresGrad: true)
        let optimizer = LBFGS(parameters: [x, y], maxIterations: 3)
        let fresh = optimizer.state()
        try optimizer.load(fresh)
        optimizer.step {
            optimizer.zeroGrad()
            let loss = Self.rosenbrock(x, y)
            loss.backward()
            return loss
        }
        // maxEvaluations defaults to 3·5/4 = 3, so the third evaluation ends the step after two iterations.
        #expect(optimizer.state() == OptimizerState(step: 2, perParameter: [[:], [:]]))
        #expect(throws: OptimizerStateError.self) { try optimizer.load(optimizer.state()) }
    }
}
