import Foundation
import Testing
import Backprop
import BackpropNN

/// Every stateful layer of the library, as `Tests/References/checkpoints/issue13-layers.safetensors`
/// was written from it by commit b4a2e5a (seed 11, one Adam step, epoch 3), before the layers'
/// renames. Only the spellings of the constructors changed since; the file must load unchanged.
private struct EveryLayer: Layer {
    typealias Scalar = Double
    let linear = Linear<Double>(inputSize: 3, outputSize: 2)
    let conv = Conv2d<Double>(inputChannels: 2, outputChannels: 3, kernelSize: 2)
    let conv1d = Conv1d<Double>(inputChannels: 2, outputChannels: 2, kernelSize: 2)
    let batchNorm = BatchNorm1d<Double>(featureCount: 3)
    let layerNorm = LayerNorm<Double>(featureCount: 3)
    let rmsNorm = RMSNorm<Double>(featureCount: 3)
    let groupNorm = GroupNorm<Double>(groupCount: 1, channelCount: 2)
    let instanceNorm = InstanceNorm2d<Double>(featureCount: 2, affine: true)
    let embedding = Embedding<Double>(embeddingCount: 4, embeddingSize: 2)
    let attention = MultiHeadAttention<Double>(embedDimension: 4, headCount: 2)
    let lstm = Recurrent(LSTMCell<Double>(inputSize: 2, hiddenSize: 2))
    let gru = Recurrent(GRUCell<Double>(inputSize: 2, hiddenSize: 2))
    let rnn = Recurrent(RNNCell<Double>(inputSize: 2, hiddenSize: 2))
    let stack = Sequential<Double>(Linear(inputSize: 2, outputSize: 2), ReLU(), Dropout(probability: 0.5, seed: 7))
    func callAsFunction(_ input: Variable<Double>) -> Variable<Double> { input }
}

@Suite struct CheckpointFileFormat {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("References/checkpoints/issue13-layers.safetensors")

    @Test func aCheckpointWrittenBeforeTheRenamesLoadsStrictly() throws {
        let stored: [String: Tensor<Double>] = try loadSafetensors(from: url)
        let model = withRandomSeed(99) { EveryLayer() }
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.5)
        let dropout = try #require(model.stack.layers[2] as? Dropout<Double>)
        dropout.generator.state = 12345
        let epoch = try model.load(from: url, optimizer: optimizer)
        #expect(epoch == 3)
        #expect(optimizer.learningRate == 0.01)
        let state = model.stateDictionary()
        #expect(Set(state.keys) == Set(stored.keys.filter { !$0.hasPrefix("optimizer.") }))
        for (name, tensor) in state { #expect(tensor == stored[name], "\(name)") }
        #expect(stored["batch_norm.running_mean"] == Tensor([0.5, -0.25, 1.5]))
        let written = withRandomSeed(11) { EveryLayer() }.namedGenerators()[0]
        #expect(model.namedGenerators().map(\.name) == ["stack.2.generator"])
        #expect(dropout.generator.state == written.generator.state)   // restored from the file's metadata
        let saved = optimizer.state()
        #expect(saved.step == 1)
        for (index, (name, _)) in model.namedParameters().enumerated() {
            #expect(saved.perParameter[index]["exp_avg"] == stored["optimizer.\(name).exp_avg"], "\(name)")
        }
    }

    @Test func namesAreTheDeclaredOnesWhateverTheProperties() {
        // A module's own names come from its properties; a library layer's from its declaration.
        struct Renamed: Layer, ExplicitStateNames {
            typealias Scalar = Double
            let projectionMatrix = Variable(Tensor<Double>([[1, 2]]), requiresGrad: true)
            let inner = Linear<Double>(weight: Tensor([[3]]), bias: Tensor([4]))
            var stateEntries: [(key: String, value: Any)] { [("weight", projectionMatrix), ("head", inner)] }
            func callAsFunction(_ input: Variable<Double>) -> Variable<Double> { input }
        }
        #expect(Renamed().namedParameters().map(\.name) == ["weight", "head.weight", "head.bias"])
    }
}
