extension ExampleCommand {
    /// The `names` program's command line: the shared flags with its defaults, and its own flags.
    public static let names = ExampleCommand(
        name: "names",
        summary: "A character-level language model of English words (a small transformer or an LSTM) "
            + "against a bigram baseline; samples new words.",
        defaults: .init(epochs: 8, batchSize: 32, learningRate: 0.005),
        flags: [
            Flag("model", .choice(["transformer", "lstm"]), help: "the model to train", default: "transformer"),
            Flag("steps-per-epoch", .positiveInteger, help: "batches per epoch; an epoch is this many steps, not a whole pass",
                 default: "300"),
            Flag("samples", .nonNegativeInteger, help: "words to sample after training", default: "20"),
            Flag("temperature", .positiveNumber, help: "sampling temperature: it divides the logits", default: "1"),
            Flag("words", .path, help: "a word list file, one word per line (default: the bundled English words)"),
        ],
        sharedHelp: [
            "epochs": "epochs of --steps-per-epoch steps each",
            "batch-size": "words per step",
            "learning-rate": "Adam's first step for the transformer or LSTM (not the bigram), cosine-annealed to 0",
            "seed": "seeds the split, initialisation, shuffling and sampling",
        ]
    )
}
