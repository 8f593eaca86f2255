import Backprop
import BackpropExamples
import Foundation
import Testing

@Suite struct HessianTests {
    static let points: [[Double]] = [[-1.2, 1], [0, 0], [1, 1], [0.5, -2], [2, 3.5], [-0.3, 0.7]]

    @Test(arguments: points) func doubleBackwardMatchesTheClosedForms(point: [Double]) {
        let (value, gradient, hessian) = Rosenbrock.derivatives(at: point)
        let (x, y) = (point[0], point[1])
        #expect(abs(value - Rosenbrock.value(x: x, y: y)) <= 1e-12 * max(1, value))
        for (computed, exact) in zip(gradient, Rosenbrock.closedFormGradient(x: x, y: y)) {
            #expect(abs(computed - exact) <= 1e-10 * max(1, abs(exact)))
        }
        for (row, exactRow) in zip(hessian, Rosenbrock.closedFormHessian(x: x, y: y)) {
            for (computed, exact) in zip(row, exactRow) { #expect(abs(computed - exact) <= 1e-10 * max(1, abs(exact))) }
        }
    }

    @Test func hessianAtTheClassicStartIsKnown() {
        // 2 − 400·1 + 1200·1.44 = 1330, −400·(−1.2) = 480.
        #expect(Rosenbrock.derivatives(at: [-1.2, 1]).hessian == [[1330, 480], [480, 200]])
    }

    @Test func newtonConvergesInSixStepsFromTheClassicStart() {
        let path = Rosenbrock.newton(from: [-1.2, 1], tolerance: 1e-6, maxIterations: 100)
        #expect(path.outcome == .converged)
        #expect(path.iterations == 6)
        #expect(Rosenbrock.distanceToMinimum(path.final) < 1e-10)
        // The first step, solved by hand: H⁻¹∇f at (−1.2, 1) with ∇f = (−215.6, −88).
        #expect(abs(path.points[1][0] - -1.1752808989) < 1e-9 && abs(path.points[1][1] - 1.3806741573) < 1e-9)
    }

    @Test func gradientDescentIsSlowAndHonestAboutTheCap() {
        let capped = Rosenbrock.gradientDescent(from: [-1.2, 1], learningRate: 0.001, maxIterations: 2000)
        #expect(capped.outcome == .stoppedAtCap)
        #expect(capped.iterations == 2000)
        #expect(Rosenbrock.value(x: capped.final[0], y: capped.final[1]) < Rosenbrock.value(x: -1.2, y: 1))
        let diverging = Rosenbrock.gradientDescent(from: [-1.2, 1], learningRate: 0.01, maxIterations: 2000)
        #expect(diverging.outcome == .failed("diverged"))
    }

    @Test func decadesAreTakenAtCellCentresFromTheBottomRow() {
        // Centres (0.5, 0.5), (1.5, 0.5) in row 0 and (0.5, 1.5), (1.5, 1.5) in row 1,
        // where f = 6.5, 306.5, 156.5 and 56.5.
        #expect(Rosenbrock.decades(x: 0...2, y: 0...2, resolution: 2) == [[0, 2], [2, 1]])
        // The one centre (1, 1) is the minimum, f = 0: no decade.
        #expect(Rosenbrock.decades(x: 0...2, y: 0...2, resolution: 1) == [[Int.min]])
    }

    @Test func thinningKeepsTheEnds() {
        let path = MinimizationPath(points: (0...1000).map { [Double($0), 0] }, outcome: .stoppedAtCap)
        let kept = path.thinned(to: 50)
        #expect(kept.count <= 50 && kept.count > 30)
        #expect(kept.first! == [0, 0] && kept.last! == [1000, 0])
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0[0] < $1[0] })
    }
}
