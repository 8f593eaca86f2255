import Backprop
import BackpropNN

/// A network whose hidden units output only ±1, trained through ``binarized(_:)``'s
/// straight-through gradient, on a toy task: is a point inside a disc?
public enum BinarizedNetwork {
    /// The disc's squared radius: points with x² + y² < 0.5 are class 1, about 39% of the square.
    public static let squaredRadius: Float = 0.5

    /// `count` points uniform on [−1, 1]², labelled 1 inside the disc and 0 outside; seeded.
    public static func makeDisc(count: Int, seed: UInt64) -> TensorDataset<Float> {
        let points = Tensor<Float>.uniform([count, 2], low: -1, high: 1, seed: seed)
        let labels = (0..<count).map { points[$0, 0] * points[$0, 0] + points[$0, 1] * points[$0, 1] < squaredRadius ? 1 : 0 }
        return TensorDataset(inputs: points, labels: labels)
    }

    /// A 2-H-2 classifier whose hidden activation is ``Binarize`` (binary units) or, for
    /// comparison, its surrogate ``HardTanh``; built with `seed`.
    public static func makeModel(hiddenUnits: Int, binary: Bool, seed: UInt64) -> Sequential<Float> {
        withRandomSeed(seed) {
            Sequential(Linear(inputSize: 2, outputSize: hiddenUnits),
                       binary ? Binarize() as any Layer<Float> : HardTanh(),
                       Linear(inputSize: hiddenUnits, outputSize: 2))
        }
    }
}
