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
    let attention = MultiHeadAttention<Double>(modelSize: 4, headCount: 2)
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

/// The objects reachable through `value`'s stored properties, found by reflection alone.
private func reflectedState(_ value: Any) -> Set<ObjectIdentifier> {
    var found: Set<ObjectIdentifier> = []
    func descend(_ value: Any) {
        switch value {
        case let object as Variable<Double>: found.insert(ObjectIdentifier(object))
        case let object as Buffer<Double>: found.insert(ObjectIdentifier(object))
        case let object as RandomGenerator: found.insert(ObjectIdentifier(object))
        case is Tensor<Double>: return
        default:
            let mirror = Mirror(reflecting: value)
            let children = (mirror.superclassMirror?.children.map { $0 } ?? []) + mirror.children
            for child in children { descend(child.value) }
        }
    }
    descend(value)
    return found
}

@Suite struct DeclaredStateIsComplete {
    @Test func everyLayerDeclaresEveryParameterBufferAndGenerator() {
        let layers: [any Layer<Double>] = [
            Linear(inputSize: 3, outputSize: 2), Conv1d(inputChannels: 2, outputChannels: 2, kernelSize: 2),
            Conv2d(inputChannels: 2, outputChannels: 4, kernelSize: 3, groups: 2),
            ConvTranspose2d(inputChannels: 2, outputChannels: 2, kernelSize: 2),
            BatchNorm1d(featureCount: 2), BatchNorm2d(featureCount: 2), LayerNorm(featureCount: 2), RMSNorm(featureCount: 2),
            GroupNorm(groupCount: 1, channelCount: 2), InstanceNorm2d(featureCount: 2, affine: true),
            Dropout(probability: 0.1), Recurrent(LSTMCell(inputSize: 2, hiddenSize: 2)),
            LSTM(inputSize: 2, hiddenSize: 2, layerCount: 2, dropout: 0.1, bidirectional: true),
            GRU(inputSize: 2, hiddenSize: 2, bidirectional: true), RNN(inputSize: 2, hiddenSize: 2, layerCount: 2),
            MultiHeadAttention(modelSize: 4, headCount: 2),
            MultiHeadAttention(modelSize: 4, headCount: 2, dropout: 0.1),
            TransformerEncoderLayer(modelSize: 4, headCount: 2, feedForwardSize: 8),
            TransformerEncoder(layerCount: 2, norm: LayerNorm(featureCount: 4)) {
                TransformerEncoderLayer(modelSize: 4, headCount: 2, feedForwardSize: 8, normFirst: true)
            },
            Sequential(Linear(inputSize: 2, outputSize: 2), Dropout(probability: 0.5)),
        ]
        func declared(_ layer: some Module<Double>) -> Set<ObjectIdentifier> {
            var declared = Set(layer.namedParameters().map { ObjectIdentifier($0.parameter) })
            declared.formUnion(layer.namedBuffers().map { ObjectIdentifier($0.buffer) })
            declared.formUnion(layer.namedGenerators().map { ObjectIdentifier($0.generator) })
            return declared
        }
        for layer in layers {
            #expect(declared(layer) == reflectedState(layer), "\(type(of: layer))")
            #expect(layer is any ExplicitStateNames, "\(type(of: layer)) derives its keys from its property names")
        }
        #expect(Embedding<Double>(embeddingCount: 3, embeddingSize: 2).namedParameters().map(\.name) == ["weight"])
        let decoder = TransformerDecoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 8)
        #expect(declared(decoder) == reflectedState(decoder))
    }
}
