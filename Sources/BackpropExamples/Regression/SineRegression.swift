import Backprop
import BackpropNN
import Foundation

/// Regression of a noisy sine: y = sin x + ε on [−π, π], fitted by a small tanh MLP.
public enum SineRegression {
    /// The interval the inputs are drawn from.
    public static let domain = -Double.pi...Double.pi

    /// `count` points with x uniform on ``domain`` and y = sin x + ε, ε ~ N(0, `noise`²).
    ///
    /// Inputs and targets are `[count, 1]`; the same seed gives the same points.
    public static func makeData(count: Int, noise: Double, seed: UInt64) -> TensorDataset<Float> {
        var generator = SeededGenerator(seed: seed)
        let x = Tensor<Float>.uniform([count, 1], low: Float(domain.lowerBound), high: Float(domain.upperBound), using: &generator)
        let epsilon = Tensor<Float>.normal([count, 1], standardDeviation: Float(noise), using: &generator)
        return TensorDataset(inputs: x, targets: sin(x) + epsilon)
    }

    /// A 1-H-H-1 network with tanh hidden layers, built with `seed`.
    public static func makeModel(hiddenUnits: Int, seed: UInt64) -> Sequential<Float> {
        withRandomSeed(seed) {
            Sequential(Linear(inputSize: 1, outputSize: hiddenUnits), Tanh(),
                       Linear(inputSize: hiddenUnits, outputSize: hiddenUnits), Tanh(),
                       Linear(inputSize: hiddenUnits, outputSize: 1))
        }
    }

    /// Trains `model` on `data` with Adam and mean squared error, in shuffled mini-batches;
    /// `compiled` runs each step's loss through `compile`, with the same bits.
    ///
    /// - Returns: each epoch's training loss, the mean over its examples.
    public static func train(
        _ model: Sequential<Float>, on data: TensorDataset<Float>, epochs: Int, batchSize: Int,
        learningRate: Double, seed: UInt64, showsProgress: Bool = false, compiled: Bool = false
    ) -> [Double] {
        var history: [Double] = []
        trainWithAdam(model, on: data, epochs: epochs, batchSize: batchSize, learningRate: learningRate, seed: seed,
                      showsProgress: showsProgress, compiled: compiled,
                      loss: { meanSquaredError(predicted: $0, expected: $1) }) { loss in
            history.append(loss)
            return (loss, nil)
        }
        return history
    }

    /// The model's prediction at each of `x`.
    public static func predict(_ model: Sequential<Float>, at x: [Double]) -> [Double] {
        let inputs = Tensor<Float>(shape: [x.count, 1], scalars: x.map { Float($0) })
        return withoutGradients { model(Variable(inputs)).value.scalars.map(Double.init) }
    }

    /// The root-mean-square distance between the model and the noise-free sin x, over `points` evenly spaced x.
    public static func errorAgainstSine(_ model: Sequential<Float>, points: Int = 200) -> Double {
        let x = evenlySpaced(points)
        let squares = zip(predict(model, at: x), x).map { ($0 - Foundation.sin($1)) * ($0 - Foundation.sin($1)) }
        return (squares.reduce(0, +) / Double(points)).squareRoot()
    }

    /// `count` evenly spaced points across ``domain``, both ends included.
    public static func evenlySpaced(_ count: Int) -> [Double] {
        (0..<count).map { domain.lowerBound + Double($0) / Double(Swift.max(count - 1, 1)) * (domain.upperBound - domain.lowerBound) }
    }
}
