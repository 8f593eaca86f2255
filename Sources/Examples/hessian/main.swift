// Hessian: second derivatives from differentiating a gradient.
//
// Newton's method needs the Hessian, the matrix of second derivatives. Here it
// comes from the library, not from a formula: `hessian(at:of:)` records the backward
// sweep itself (`gradients(of:wrt:createGraph: true)`), so the gradient is a function
// that can be differentiated again ("double backward"). On Rosenbrock's function
// f(x, y) = (1 − x)² + 100(y − x²)², whose minimum (1, 1) lies at the end of a long,
// curved, nearly flat valley, Newton's method arrives in a handful of steps, while
// gradient descent with the largest step that stays stable creeps along the valley
// floor for tens of thousands. Both stop when they are within 1e-6 of (1, 1).
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "hessian",
    summary: """
        Minimises Rosenbrock's function by Newton's method, with the Hessian from double backward, and by gradient descent.
        Gradient descent cannot settle with a step from about 0.002 (2/λ, λ ≈ 1001.6 the Hessian's largest eigenvalue
        at the minimum); larger steps diverge.
        """,
    defaults: .init(epochs: 50_000, batchSize: 1, learningRate: 0.001, seed: 0),
    flags: [
        Flag("start-x", .number, help: "x of the starting point", default: "-1.2"),
        Flag("start-y", .number, help: "y of the starting point", default: "1"),
    ],
    sharedHelp: [
        "epochs": "the most iterations each method may take",
        "batch-size": "accepted but unused: there is no data",
        "learning-rate": "gradient descent's step size",
        "seed": "accepted but unused: nothing is random",
    ]
)
let options = command.parseOrExit()
options.prepareOrExit(command)
let start = [options.number("start-x")!, options.number("start-y")!]
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
let headings = [("step", 4), ("x", 15), ("y", 15), ("f(x, y)", 11), ("‖∇f‖", 11), ("distance to (1, 1)", 18)]
print(headings.map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: "  "))
for (step, point) in newton.points.enumerated() where step < 20 || step == newton.iterations {
    if step == newton.iterations && step > 20 { print("   …") }
    let derivatives = Rosenbrock.derivatives(at: point)
    let gradientNorm = (derivatives.gradient[0] * derivatives.gradient[0] + derivatives.gradient[1] * derivatives.gradient[1]).squareRoot()
    print(String(format: "%4d  %15.10f  %15.10f  %11.4e  %11.4e  %18.4e", step, point[0], point[1], derivatives.value,
                 gradientNorm, Rosenbrock.distanceToMinimum(point)))
}
let descent = Rosenbrock.gradientDescent(from: start, learningRate: options.learningRate, tolerance: tolerance,
                                         maxIterations: options.epochs)

// Both paths over the landscape, shaded where f < 1, 10 ≤ f < 100 and 1000 ≤ f < 10⁴:
// odd decades ⌊log₁₀ f⌋, counting all of f < 1 as decade −1, so band edges are the level sets f = 10ᵏ.
let xSpan = -2.0...2.0, ySpan = -3.5...3.5
let bands = Rosenbrock.decades(x: xSpan, y: ySpan, resolution: 300).map { row in
    row.map { abs(max($0, -1)) % 2 == 1 ? 5 : -1 }
}
var chart = Chart(title: "Rosenbrock's function: Newton's method vs gradient descent",
                  xLabel: "x     (shaded: f < 1, 10 ≤ f < 100, 1000 ≤ f < 10⁴)", yLabel: "y")
chart.addRegions(bands, x: xSpan, y: ySpan)
// Points outside the window (a diverging run) become gaps in the lines.
func inWindow(_ points: [[Double]]) -> (x: [Double], y: [Double]) {
    let kept = points.map { xSpan.contains($0[0]) && ySpan.contains($0[1]) ? $0 : [.nan, .nan] }
    return (kept.map { $0[0] }, kept.map { $0[1] })
}
let descentPoints = inWindow(descent.thinned(to: 400)), newtonPoints = inWindow(newton.points)
chart.addLine("gradient descent, \(descent.iterations) steps", x: descentPoints.x, y: descentPoints.y)
chart.addLine("Newton, \(newton.iterations) steps", x: newtonPoints.x, y: newtonPoints.y)
chart.addScatter("Newton's iterates", x: newtonPoints.x, y: newtonPoints.y)
let chartPath = options.outputPath("hessian-paths.svg")
command.writeOrExit(chartPath) { try chart.write(to: $0) }

print("""

    converged means: within \(tolerance) of the minimum (1, 1)
    \(report("Newton's method", newton))
    \(report("gradient descent (step \(options.learningRate))", descent))
    wrote \(chartPath)
    """)
