import Backprop
import Testing
@testable import BackpropNN

private struct Block: Layer {
    let norm = LayerNorm<Double>(featureCount: 4)
    let projection = Linear<Double>(inputSize: 4, outputSize: 4)
    func callAsFunction(_ input: Variable<Double>) -> Variable<Double> { projection(norm(input)) + input }
}

private struct Model: Layer {
    let encoder = Sequential<Double>(Linear(inputSize: 3, outputSize: 4), ReLU(), Dropout(probability: 0.5, seed: 1))
    let blocks = [Block(), Block()]
    let batchNorm = BatchNorm1d<Double>(featureCount: 4)
    let head = Linear<Double>(inputSize: 4, outputSize: 2, bias: false)
    let scale = 2.0
    func callAsFunction(_ input: Variable<Double>) -> Variable<Double> {
        head(blocks.reduce(batchNorm(encoder(input))) { $1($0) }) * scale
    }
}

@Suite struct ModuleReflection {
    @Test func namesFollowPyTorchDottedPaths() {
        let model = Model()
        #expect(model.namedParameters().map(\.name) == [
            "encoder.0.weight", "encoder.0.bias",
            "blocks.0.norm.weight", "blocks.0.norm.bias", "blocks.0.projection.weight", "blocks.0.projection.bias",
            "blocks.1.norm.weight", "blocks.1.norm.bias", "blocks.1.projection.weight", "blocks.1.projection.bias",
            "batch_norm.weight", "batch_norm.bias",
            "head.weight",
        ])
        #expect(model.namedBuffers().map(\.name) == ["batch_norm.running_mean", "batch_norm.running_var", "batch_norm.num_batches_tracked"])
        let dropout = model.encoder.layers[2] as! Dropout<Double>
        #expect(model.namedGenerators().map(\.name) == ["encoder.2.generator"])
        #expect(model.namedGenerators().map { ObjectIdentifier($0.generator) } == [ObjectIdentifier(dropout.generator)])
        // 3·4 + 4, 2 × (4 + 4 + 16 + 4), 4 + 4, 4·2
        #expect(model.parameterCount == 16 + 56 + 8 + 8)
        #expect(model.parameters().count == 13)
        #expect(model.parameters().allSatisfy { $0.requiresGrad })
    }

    @Test func orderIsStableAndIdentitiesAreShared() {
        let model = Model()
        let first = model.parameters().map(ObjectIdentifier.init)
        #expect(first == model.parameters().map(ObjectIdentifier.init))
        #expect(model.parameters()[0] === model.encoder.layers.first.map { ($0 as! Linear<Double>).weight })
    }

    @Test func trainAndEvalReachNestedLayers() {
        let model = Model()
        let dropout = model.encoder.layers[2] as! Dropout<Double>
        #expect(dropout.mode.isTraining && model.batchNorm.mode.isTraining)
        model.eval()
        #expect(!dropout.mode.isTraining && !model.batchNorm.mode.isTraining)
        model.train()
        #expect(dropout.mode.isTraining && model.batchNorm.mode.isTraining)
    }

    @Test func snakeCaseMatchesPyTorchNames() {
        #expect(snakeCase("runningMean") == "running_mean")
        #expect(snakeCase("weightIh") == "weight_ih")
        #expect(snakeCase("inProjWeight") == "in_proj_weight")
        #expect(snakeCase("outProj") == "out_proj")
        #expect(snakeCase("layer2Norm") == "layer2_norm")
        #expect(snakeCase("_private") == "private")
    }

    @Test func seedsReproduceModels() {
        let a = withRandomSeed(7) { Model() }, b = withRandomSeed(7) { Model() }, c = withRandomSeed(8) { Model() }
        #expect(a.parameters().map(\.value) == b.parameters().map(\.value))
        #expect(a.parameters().map(\.value) != c.parameters().map(\.value))
    }

    @Test func zeroGradClearsEveryParameter() {
        let model = Model()
        model.eval()
        model(Variable(.ones([2, 3]))).sum().backward()
        #expect(model.parameters().allSatisfy { $0.grad != nil })
        model.zeroGrad()
        #expect(model.parameters().allSatisfy { $0.grad == nil })
    }
}
