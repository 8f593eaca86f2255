import Backprop
import BackpropNN

/// The two networks the digits example trains; both take images `[n, 1, 8, 8]` and give 10 logits.
public enum DigitsModel: String, CaseIterable, Sendable {
    /// Two 3×3 convolutions (16 and 32 channels), each followed by ReLU and 2×2 max pooling, then a linear layer:
    /// 8×8 → 4×4 → 2×2 → 10. 6,090 parameters.
    case cnn
    /// One hidden layer of 128 ReLU units on the 64 pixels. 9,610 parameters.
    case mlp

    /// A new network with its initial weights drawn from a generator seeded with `seed`.
    public func makeNetwork(seed: UInt64) -> Sequential<Float> {
        withRandomSeed(seed) {
            switch self {
            case .cnn:
                Sequential(
                    Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                    Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                    Flatten(), Linear(inputSize: 32 * 2 * 2, outputSize: 10)
                )
            case .mlp:
                Sequential(Flatten(), Linear(inputSize: 64, outputSize: 128), ReLU(), Linear(inputSize: 128, outputSize: 10))
            }
        }
    }
}

extension ExampleCommand {
    /// The `digits` program's command line: the shared flags, `--model cnn|mlp` and `--evaluate PATH`.
    public static let digits = ExampleCommand(
        name: "digits",
        summary: "Learns to read 8×8 handwritten digits (1,797 images) with a small CNN or an MLP.",
        defaults: Defaults(epochs: 15, batchSize: 32, learningRate: 0.01),
        flags: [
            Flag("model", .choice(DigitsModel.allCases.map(\.rawValue)), help: "the network", default: "cnn"),
            Flag("evaluate", .path, help: "a checkpoint to score on the test images, without training"),
            Flag("compile", .toggle, help: "run each step's loss through compile (the same result, bit for bit)"),
            Flag("data-parallel", .toggle,
                 help: "train across the ranks of an MPI job (start it with mpirun); --batch-size is the global batch"),
        ],
        sharedHelp: [
            "seed": "seeds the test split, initialisation and shuffling",
            "output-dir": "where the charts and the checkpoint go",
        ]
    )
}
