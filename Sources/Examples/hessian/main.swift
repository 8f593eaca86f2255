// Hessian: second derivatives from differentiating a gradient.
//
// Newton's method needs the Hessian, the matrix of second derivatives. Here it
// comes from the library, not from a formula: `gradients(of:wrt:createGraph: true)`
// records the backward sweep itself, so the gradient is a function that can be
// differentiated again ("double backward"). On Rosenbrock's function
// f(x, y) = (1 − x)² + 100(y − x²)², whose minimum (1, 1) lies at the end of a long,
// curved, nearly flat valley, Newton's method arrives in a handful of steps, while
// gradient descent with the largest step that stays stable creeps along the valley
// floor for tens of thousands. Both stop when they are within 1e-6 of (1, 1).
import Backprop
import BackpropExamples
import BackpropNN
import Foundation

let command = ExampleCommand(
    name: "hessian",
    summary: """
        Minimises Rosenbrock's function by Newton's method, with the Hessian from double backward, and by gradient descent.
        --epochs caps the iterations of each method; --learning-rate is gradient descent's step (above about 0.002 it diverges).
        --batch-size and --seed are accepted but unused: there is no data and nothing random.
        """,
    defaults: .init(epochs: 50_000, batchSize: 1, learningRate: 0.001, seed: 0),
    flags: [
        Flag("start-x", .number, help: "x of the starting point", default: "-1.2"),
        Flag("start-y", .number, help: "y of the starting point", default: "1"),
    ]
)
let options = command.parseOrExit()
options.prepareOrExit(command)
let start = [options.number("start-x") ?? -1.2, options.number("start-y") ?? 1]
let tolerance = 1e-6

func report(_ name: String, _ path: MinimizationPath) -> String {
    let ending = switch path.outcome {
    case .converged: "converged in \(path.iterations) iterations"
    case .stoppedAtCap: "did not converge in \(path.iterations) iterations"
    case .failed(let reason): "stopped after \(path.iterations) iterations: \(reason)"
    }
    let f = Rosenbrock.value(x: path.final[0], y: path.final[1])
    return "\(name): \(ending); final point (\(path.final[0]), \(path.final[1])), f = \(String(format: "%.3g", f)), "
        + "distance to (1, 1) = \(String(format: "%.3g", Rosenbrock.distanceToMinimum(path.final)))"
}

// Newton's method, step by step: the distance to the minimum squares near the end.
let newton = Rosenbrock.newton(from: start, tolerance: tolerance, maxIterations: options.epochs)
print("Newton's method from (\(start[0]), \(start[1])):")
print(" step          x                y              f(x, y)      ‖∇f‖        distance to (1, 1)")
for (step, point) in newton.points.enumerated() {
    let derivatives = Rosenbrock.derivatives(at: point)
    let gradientNorm = (derivatives.gradient[0] * derivatives.gradient[0] + derivatives.gradient[1] * derivatives.gradient[1]).squareRoot()
    print(String(format: "%5d  %15.10f  %15.10f  %12.4e  %12.4e  %12.4e", step, point[0], point[1], derivatives.value,
                 gradientNorm, Rosenbrock.distanceToMinimum(point)))
}
let descent = Rosenbrock.gradientDescent(from: start, learningRate: options.learningRate, tolerance: tolerance,
                                         maxIterations: options.epochs)

// Both paths over the level sets f = 0.1, 1, 10, …
let xSpan = -2.0...2.0, ySpan = -4.0...4.0
var chart = Chart(title: "Rosenbrock's function: Newton's method vs gradient descent", xLabel: "x", yLabel: "y")
for level in [0.1, 1, 10, 100, 1000] {
    for piece in Rosenbrock.contour(level: level, x: xSpan, y: ySpan) {
        chart.addLine("f = \(level)", x: piece.map { $0[0] }, y: piece.map { $0[1] }, dashed: true)
    }
}
let descentPoints = descent.thinned(to: 400)
chart.addLine("gradient descent (\(descent.iterations) steps)", x: descentPoints.map { $0[0] }, y: descentPoints.map { $0[1] })
chart.addLine("Newton (\(newton.iterations) steps)", x: newton.points.map { $0[0] }, y: newton.points.map { $0[1] })
chart.addScatter("Newton's iterates", x: newton.points.map { $0[0] }, y: newton.points.map { $0[1] })
let chartPath = options.outputPath("hessian-paths.svg")
do { try chart.write(to: chartPath) } catch { command.fail("cannot write \(chartPath): \(error.localizedDescription)") }

print("""

    converged means: within \(tolerance) of the minimum (1, 1)
    \(report("Newton's method", newton))
    \(report("gradient descent (step \(options.learningRate))", descent))
    wrote \(chartPath)
    """)
