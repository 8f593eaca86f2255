import Backprop

/// Decides when to stop training, from the validation loss of each epoch, and keeps the best weights.
///
/// PyTorch Lightning's `EarlyStopping` in mode "min", with Keras's `restore_best_weights`.
/// An epoch improves when its loss is below the best so far by more than `minDelta`:
///
///     improved ⇔ loss < best − minDelta        (best = +∞ before the first epoch)
///
/// An improving epoch becomes the best: its loss is kept and the model's parameters and
/// buffers are copied. Any other epoch adds one to ``epochsWithoutImprovement``, and
/// training should stop when that count reaches `patience`. A loss that is not finite
/// stops training at once, as Lightning's `check_finite` does. The optimizer is not
/// involved, so it works with any.
///
/// ```
/// let stopping = EarlyStopping<Float>(patience: 5, minDelta: 1e-4)
/// for epoch in 1...100 {
///     train(epoch)
///     stopping.update(validationLoss: validate(), model: model)
///     if stopping.shouldStop { break }
/// }
/// stopping.restoreBestWeights(into: model)
/// ```
public final class EarlyStopping<Scalar: TensorScalar> {
    /// The number of epochs without improvement after which to stop.
    public let patience: Int
    /// The amount by which a loss must fall below the best to count as an improvement.
    public let minDelta: Scalar
    /// The lowest validation loss so far, or nil before the first finite one.
    public private(set) var bestLoss: Scalar?
    /// The epoch (counting calls to ``update(validationLoss:model:)`` from 1) of ``bestLoss``.
    public private(set) var bestEpoch: Int?
    /// The number of calls to ``update(validationLoss:model:)``.
    public private(set) var epochCount = 0
    /// The number of epochs since the last improvement (since the start, before any).
    public private(set) var epochsWithoutImprovement = 0
    /// Whether the last validation loss was not finite.
    private var lastLossIsNotFinite = false
    /// The model's parameters and buffers at the best epoch, by name.
    private var bestParameters: [(name: String, value: Tensor<Scalar>)] = []
    private var bestBuffers: [(name: String, value: Tensor<Scalar>)] = []

    /// Creates a tracker with no best loss yet.
    ///
    /// - Parameters:
    ///   - patience: the epochs without improvement to allow, non-negative (default 3, as
    ///     Lightning). With 0, as with 1, the first epoch that does not improve stops training.
    ///   - minDelta: the decrease that an improvement must exceed, non-negative and finite (default 0).
    public init(patience: Int = 3, minDelta: Scalar = 0) {
        require(patience >= 0, "EarlyStopping: patience must be non-negative, but is \(patience)")
        require(minDelta >= 0 && minDelta.isFinite, "EarlyStopping: minDelta must be non-negative and finite, but is \(minDelta)")
        self.patience = patience
        self.minDelta = minDelta
    }

    /// Whether training should stop: the last loss was not finite, or the last
    /// ``patience`` epochs (at least one) did not improve.
    public var shouldStop: Bool {
        lastLossIsNotFinite || (epochsWithoutImprovement > 0 && epochsWithoutImprovement >= patience)
    }

    /// Records one epoch's validation loss; if it improves on the best, copies `model`'s parameters and buffers.
    ///
    /// - Parameters:
    ///   - validationLoss: the epoch's loss on held-out data.
    ///   - model: the model being trained, in the state that produced `validationLoss`.
    public func update(validationLoss: Scalar, model: some Module<Scalar>) {
        epochCount += 1
        lastLossIsNotFinite = !validationLoss.isFinite
        if validationLoss.isFinite && bestLoss.map({ validationLoss < $0 - minDelta }) ?? true {
            bestLoss = validationLoss
            bestEpoch = epochCount
            epochsWithoutImprovement = 0
            bestParameters = model.namedParameters().map { ($0.name, $0.parameter.value) }
            bestBuffers = model.namedBuffers().map { ($0.name, $0.buffer.value) }
        } else {
            epochsWithoutImprovement += 1
        }
    }

    /// Copies the parameters and buffers kept at the best epoch into `model`.
    ///
    /// `model` is the model passed to ``update(validationLoss:model:)`` or one of the same
    /// structure: it stops with a message if a name or a shape differs, or if no epoch
    /// has improved yet.
    public func restoreBestWeights(into model: some Module<Scalar>) {
        require(bestEpoch != nil, "EarlyStopping.restoreBestWeights: no epoch has a finite validation loss yet")
        let parameters = model.namedParameters(), buffers = model.namedBuffers()
        requireSameStructure(parameters.map { ($0.name, $0.parameter.value.shape) }, bestParameters, kind: "parameters")
        requireSameStructure(buffers.map { ($0.name, $0.buffer.value.shape) }, bestBuffers, kind: "buffers")
        for (target, kept) in zip(parameters, bestParameters) { target.parameter.value = kept.value }
        for (target, kept) in zip(buffers, bestBuffers) { target.buffer.value = kept.value }
    }

    /// Stops with a message unless `model`'s names and shapes are those kept.
    private func requireSameStructure(_ model: [(String, [Int])], _ kept: [(name: String, value: Tensor<Scalar>)],
                                      kind: String) {
        let expected = kept.map { ($0.name, $0.value.shape) }
        guard model.elementsEqual(expected, by: { $0.0 == $1.0 && $0.1 == $1.1 }) else {
            programmerError("EarlyStopping.restoreBestWeights: the model's \(kind) \(model) are not those kept, \(expected)")
        }
    }
}
