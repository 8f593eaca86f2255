import Backprop
import BackpropNN
import Foundation

/// Three interleaved spiral arms in the plane, one class each: a classic 2-D problem
/// that no linear model solves and a small MLP does.
public enum Spirals {
    /// The number of arms, and of classes.
    public static let classCount = 3

    /// `perClass` points on each of three arms, jittered by Gaussian noise.
    ///
    /// Arm k at progress t ∈ [0, 1) sits at radius 0.1 + 0.9t and angle
    /// 2πk/3 + 2π·`turns`·t, plus noise of standard deviation `noise` in each
    /// coordinate. Inputs are `[3·perClass, 2]`, labels 0, 1, 2; the same seed gives the same points.
    public static func makeData(perClass: Int, turns: Double = 1, noise: Double = 0.04, seed: UInt64) -> TensorDataset<Float> {
        var generator = SeededGenerator(seed: seed)
        let jitter = Tensor<Double>.normal([classCount * perClass, 2], standardDeviation: noise, using: &generator).scalars
        var points: [Float] = [], labels: [Int] = []
        for arm in 0..<classCount {
            for i in 0..<perClass {
                let t = Double(i) / Double(perClass)
                let radius = 0.1 + 0.9 * t
                let angle = 2 * Double.pi * (Double(arm) / Double(classCount) + turns * t)
                let n = 2 * (arm * perClass + i)
                points += [Float(radius * Foundation.cos(angle) + jitter[n]), Float(radius * Foundation.sin(angle) + jitter[n + 1])]
                labels.append(arm)
            }
        }
        return TensorDataset(inputs: Tensor(shape: [classCount * perClass, 2], scalars: points), labels: labels)
    }

    /// A 2-H-H-3 ReLU network that outputs class logits, built with `seed`.
    public static func makeModel(hiddenUnits: Int, seed: UInt64) -> Sequential<Float> {
        withRandomSeed(seed) {
            Sequential(Linear(inputSize: 2, outputSize: hiddenUnits), ReLU(),
                       Linear(inputSize: hiddenUnits, outputSize: hiddenUnits), ReLU(),
                       Linear(inputSize: hiddenUnits, outputSize: classCount))
        }
    }
}
