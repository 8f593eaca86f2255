import Backprop
import BackpropNN

/// The XOR problem: the four corners of the unit square, labelled 1 where exactly one coordinate is 1.
///
/// No straight line separates {(0,1), (1,0)} from {(0,0), (1,1)}, so a model without a
/// hidden layer cannot learn it: its best is to predict ½ everywhere.
public enum XOR {
    /// The four inputs, `[4, 2]`.
    public static let inputs = Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]])

    /// Their labels x₁ XOR x₂, `[4, 1]`.
    public static let targets = Tensor<Float>([[0], [1], [1], [0]])

    /// A 2-`hiddenUnits`-1 network with tanh hidden units that outputs a logit, built
    /// with `seed`; `hiddenUnits` 0 gives a linear model (logistic regression).
    public static func makeModel(hiddenUnits: Int, seed: UInt64) -> Sequential<Float> {
        withRandomSeed(seed) {
            hiddenUnits == 0
                ? Sequential(Linear(inputSize: 2, outputSize: 1))
                : Sequential(Linear(inputSize: 2, outputSize: hiddenUnits), Tanh(), Linear(inputSize: hiddenUnits, outputSize: 1))
        }
    }

    /// Trains `model` with Adam on binary cross-entropy, in shuffled mini-batches of `batchSize`.
    ///
    /// - Returns: the loss over all four points after each epoch.
    public static func train(
        _ model: Sequential<Float>, epochs: Int, batchSize: Int, learningRate: Double, seed: UInt64,
        showsProgress: Bool = false
    ) -> [Double] {
        var history: [Double] = []
        trainWithAdam(model, on: TensorDataset(inputs: inputs, targets: targets), epochs: epochs, batchSize: batchSize,
                      learningRate: learningRate, seed: seed, showsProgress: showsProgress,
                      loss: { binaryCrossEntropy(logits: $0, labels: $1) }) { _ in
            history.append(loss(of: model))
            return (history[history.count - 1], nil)
        }
        return history
    }

    /// The binary cross-entropy of `model` over the four points.
    public static func loss(of model: Sequential<Float>) -> Double {
        withoutGradients { Double(binaryCrossEntropy(logits: model(Variable(inputs)), labels: Variable(targets)).scalar) }
    }

    /// P(x₁ XOR x₂ = 1) under `model`, for each row of `points` (`[n, 2]`).
    public static func probabilities(of model: Sequential<Float>, at points: Tensor<Float> = inputs) -> [Double] {
        withoutGradients { sigmoid(model(Variable(points)).value).scalars.map(Double.init) }
    }
}
