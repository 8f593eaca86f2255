import Foundation

/// The `names` program's command line and its checked settings.
public struct NamesSettings: Sendable {
    /// Which next-character model to train against the bigram baseline.
    public enum ModelKind: String, Sendable { case transformer, lstm }

    /// The command: the shared flags with this program's defaults, and its own flags.
    public static let command = ExampleCommand(
        name: "names",
        summary: "A character-level language model of English words (a small transformer or an LSTM) "
            + "against a bigram baseline; samples new words.",
        defaults: .init(epochs: 8, batchSize: 32, learningRate: 0.005),
        flags: [
            Flag("model", .choice(["transformer", "lstm"]), help: "the model to train", default: "transformer"),
            Flag("steps-per-epoch", .positiveInteger, help: "batches per epoch; an epoch is this many steps, not a whole pass",
                 default: "300"),
            Flag("context", .positiveInteger, help: "characters the model reads at once", default: "16"),
            Flag("embed", .positiveInteger, help: "embedding width: a multiple of 4 for the transformer; the LSTM's hidden size is twice it",
                 default: "48"),
            Flag("layers", .positiveInteger, help: "transformer blocks", default: "2"),
            Flag("samples", .nonNegativeInteger, help: "words to sample after training", default: "20"),
            Flag("temperature", .positiveNumber, help: "sampling temperature: it divides the logits", default: "1"),
            Flag("words", .path, help: "a word list file, one word per line (default: the bundled English words)"),
        ],
        sharedHelp: [
            "epochs": "epochs of --steps-per-epoch steps each",
            "batch-size": "windows of --context characters per step",
            "learning-rate": "Adam's first step for the transformer or LSTM (not the bigram), cosine-annealed to 0",
            "seed": "seeds the split, initialisation, shuffling and sampling",
        ]
    )

    /// `--model`.
    public var model: ModelKind
    /// `--steps-per-epoch`: training batches between two validations.
    public var stepsPerEpoch: Int
    /// `--context`: the window length.
    public var context: Int
    /// `--embed`: the embedding width; the LSTM's hidden size is twice it.
    public var embedDimension: Int
    /// `--layers`: transformer blocks.
    public var layerCount: Int
    /// `--samples`: words to sample.
    public var sampleCount: Int
    /// `--temperature`: greater than 0.
    public var temperature: Double
    /// The word list to read; the bundled one when `--words` is absent.
    public var wordList: URL
    /// Attention heads of the transformer.
    public let headCount = 4

    /// Reads the program's flags from parsed `options`, whose kinds the parser has checked.
    ///
    /// - Throws: ``UsageError`` for a transformer whose embedding width does not split into its heads.
    public init(_ options: ExampleOptions) throws(UsageError) {
        model = ModelKind(rawValue: options.text("model")!)!
        stepsPerEpoch = options.integer("steps-per-epoch")!
        context = options.integer("context")!
        embedDimension = options.integer("embed")!
        layerCount = options.integer("layers")!
        sampleCount = options.integer("samples")!
        temperature = options.number("temperature")!
        guard model == .lstm || embedDimension % headCount == 0 else {
            throw UsageError("--embed must be a multiple of \(headCount), the number of attention heads, not \(embedDimension)")
        }
        wordList = options.text("words").map { URL(fileURLWithPath: $0) } ?? BundledData.wordList
    }

    /// Parses the process's arguments and checks them: usage and exit code 2 on any error.
    public static func parseOrExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst()))
        -> (options: ExampleOptions, settings: NamesSettings) {
        let options = command.parseOrExit(arguments)
        do {
            return (options, try NamesSettings(options))
        } catch {
            command.fail(error.message, showingUsage: true)
        }
    }
}
