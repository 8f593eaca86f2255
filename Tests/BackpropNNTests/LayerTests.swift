import Backprop
import Foundation
import Testing
@testable import BackpropNN

@Suite struct LayerShapesAndGradients {
    private func input(_ shape: [Int], seed: UInt64 = 1) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }

    @Test func linear() {
        let layer = withRandomSeed(1) { Linear<Double>(inputSize: 3, outputSize: 2) }
        #expect(layer(Variable(input([4, 3]))).shape == [4, 2])
        #expect(layer(Variable(input([2, 5, 3]))).shape == [2, 5, 2])
        #expect(layerGradientError(layer, input: input([4, 3])) < 1e-7)
        // Default initialisation: uniform on ±1/√3.
        #expect(layer.weight.value.scalars.allSatisfy { Swift.abs($0) <= 1 / 3.0.squareRoot() })
        let known = Linear<Double>(weight: Tensor([[1, 2], [3, 4]]), bias: Tensor([10, 20]))
        #expect(known(Variable(Tensor([[1, 1]]))).value == Tensor([[13, 27]]))
    }

    @Test func activationsAndSequential() {
        let model = withRandomSeed(2) {
            Sequential<Double>(Linear(inputSize: 3, outputSize: 4), Tanh(), Linear(inputSize: 4, outputSize: 4), GELU(),
                               LeakyReLU(negativeSlope: 0.2), Sigmoid(), Softplus(), Softmax(), LogSoftmax())
        }
        #expect(model(Variable(input([5, 3]))).shape == [5, 4])
        #expect(layerGradientError(model, input: input([5, 3])) < 1e-7)
        #expect(ReLU<Double>()(Variable(Tensor([-1, 2]))).value == Tensor([0, 2]))
    }

    @Test func sequentialFusesLinearWithReLUOrTanhExactly() {
        let (first, second) = withRandomSeed(4) {
            (Linear<Float>(inputSize: 3, outputSize: 8), Linear<Float>(inputSize: 8, outputSize: 2))
        }
        let x = Variable(Tensor<Float>.uniform([6, 3], low: -1, high: 1, seed: 5))
        let fused = Sequential<Float>(first, ReLU(), second, Tanh())(x).sum()
        let dot = fused.makeDOT()
        #expect(dot.contains("addBias+relu") && dot.contains("addBias+tanh") && !dot.contains("\"relu"))
        fused.backward()
        let fusedGradients = [first.weight, first.bias!, second.weight, second.bias!].map { $0.grad! }
        for parameter in [first.weight, first.bias!, second.weight, second.bias!] { parameter.zeroGrad() }
        // The same layers one op at a time: bit-identical values and gradients.
        let separate = tanh(second(relu(first(x)))).sum()
        #expect(separate.value == fused.value)
        separate.backward()
        #expect([first.weight, first.bias!, second.weight, second.bias!].map { $0.grad! } == fusedGradients)
    }

    @Test func flatten() {
        #expect(Flatten<Double>()(Variable(input([2, 3, 4, 5]))).shape == [2, 60])
        #expect(Flatten<Double>(startAxis: 2)(Variable(input([2, 3, 4, 5]))).shape == [2, 3, 20])
    }

    @Test func convolutionAndPooling() {
        let conv = withRandomSeed(3) { Conv2d<Double>(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 1, padding: 1) }
        #expect(conv(Variable(input([2, 2, 5, 5]))).shape == [2, 3, 5, 5])
        #expect(layerGradientError(conv, input: input([1, 2, 4, 4])) < 1e-7)
        let strided = withRandomSeed(3) { Conv2d<Double>(inputChannels: 1, outputChannels: 1, kernelSize: 2, stride: 2, bias: false) }
        #expect(strided(Variable(input([1, 1, 6, 6]))).shape == [1, 1, 3, 3])
        #expect(MaxPool2d<Double>(kernelSize: 2)(Variable(input([2, 3, 6, 4]))).shape == [2, 3, 3, 2])
        #expect(AvgPool2d<Double>(kernelSize: 3, stride: 1)(Variable(input([1, 1, 5, 5]))).shape == [1, 1, 3, 3])
        let pooled = AvgPool2d<Double>(kernelSize: 2)(Variable(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 6])))
        #expect(pooled.value.scalars == [3])
    }

    @Test func dropoutDropsAndRescalesOnlyWhileTraining() {
        let dropout = Dropout<Double>(probability: 0.25, seed: 5)
        let x = Variable(Tensor<Double>.ones([10_000]))
        let y = dropout(x).value.scalars
        #expect(Set(y).isSubset(of: [0, 4.0 / 3]))
        let kept = Double(y.filter { $0 > 0 }.count) / 10_000
        #expect(Swift.abs(kept - 0.75) < 0.02)
        #expect(dropout(x).value.scalars != y)             // a new mask each call
        #expect(Dropout<Double>(probability: 0.25, seed: 5)(x).value.scalars == y)   // the seed reproduces it
        let state = dropout.generator.state
        let next = dropout(x).value.scalars
        dropout.generator.state = state
        #expect(dropout(x).value.scalars == next)         // the generator's state replays the masks
        dropout.mode.isTraining = false
        #expect(dropout(x).value == x.value)
    }

    @Test func batchNormNormalisesAndTracksRunningStatistics() {
        let norm = BatchNorm1d<Double>(featureCount: 2)
        let x = Tensor<Double>([[1, 10], [3, 20], [5, 60]])
        let y = norm(Variable(x)).value
        // Column 0: mean 3, biased variance 8/3.
        expectClose(y[0, 0], -2 / (8.0 / 3 + 1e-5).squareRoot())
        expectClose(y.mean(axis: 0), Tensor([0, 0]), tolerance: 1e-12)
        // running ← 0.9·running + 0.1·batch, with the unbiased variance (4 and 700).
        expectClose(norm.runningMean.value, Tensor([0.3, 3]))
        expectClose(norm.runningVar.value, Tensor([0.9 + 0.4, 0.9 + 70]))
        #expect(norm.numBatchesTracked.value.scalars == [1])
        let trained = norm.runningMean.value
        norm.eval()
        let evaluated = norm(Variable(x)).value
        expectClose(evaluated[0, 1], (10 - 3) / (70.9 + 1e-5).squareRoot())
        #expect(norm.runningMean.value == trained)   // unchanged in evaluation
        let spatial = BatchNorm2d<Double>(featureCount: 3)
        #expect(spatial(Variable(input([2, 3, 4, 4]))).shape == [2, 3, 4, 4])
        #expect(layerGradientError(BatchNorm2d<Double>(featureCount: 3), input: input([4, 3, 2, 2])) < 1e-6)
    }

    @Test func layerNorm() {
        let norm = LayerNorm<Double>(featureCount: 4)
        let y = norm(Variable(Tensor([[1, 2, 3, 4]]))).value
        // Mean 2.5, biased variance 1.25.
        expectClose(y, Tensor([[-1.5, -0.5, 0.5, 1.5]]) / (1.25 + 1e-5).squareRoot())
        let affine = withRandomSeed(4) { LayerNorm<Double>(shape: [2, 3]) }
        affine.weight!.value = input([2, 3], seed: 7)
        affine.bias!.value = input([2, 3], seed: 8)
        #expect(layerGradientError(affine, input: input([4, 2, 3])) < 1e-6)
    }

    @Test func embedding() {
        let embedding = withRandomSeed(5) { Embedding<Double>(embeddingCount: 10, embeddingSize: 3) }
        let rows = embedding([4, 4, 1])
        #expect(rows.shape == [3, 3])
        #expect(rows.value.slicing(0..<1) == embedding.weight.value.slicing(4..<5))
        #expect(embedding([[1, 2], [3, 4], [5, 6]]).shape == [3, 2, 3])
        rows.sum().backward()
        // Row 4 was used twice, row 1 once, the rest never.
        #expect(embedding.weight.grad!.slicing(4..<5).scalars == [2, 2, 2])
        #expect(embedding.weight.grad!.slicing(1..<2).scalars == [1, 1, 1])
        #expect(embedding.weight.grad!.sum().scalar == 9)
    }

    @Test func recurrentCellsAndRunner() {
        let (rnn, lstm, gru) = withRandomSeed(6) {
            (RNNCell<Double>(inputSize: 3, hiddenSize: 4), LSTMCell<Double>(inputSize: 3, hiddenSize: 4), GRUCell<Double>(inputSize: 3, hiddenSize: 4))
        }
        #expect(lstm.weightIh.shape == [16, 3] && gru.weightHh.shape == [12, 4] && rnn.biasIh!.shape == [4])
        #expect(lstm.namedParameters().map(\.name) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
        let sequence = input([2, 5, 3])
        for runner in [Recurrent(rnn) as any Layer<Double>, Recurrent(lstm), Recurrent(gru)] {
            #expect(runner(Variable(sequence)).shape == [2, 5, 4])
            #expect(layerGradientError(runner, input: input([2, 3, 3])) < 1e-6)
        }
        // One RNN step by hand: h′ = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) with h = 0.
        let x = input([1, 3])
        let h = rnn(Variable(x), state: rnn.zeroState(batchSize: 1)).value
        let expected = tanh(matmul(x, rnn.weightIh.value.transposed()) + rnn.biasIh!.value + rnn.biasHh!.value)
        expectClose(h, expected, tolerance: 1e-12)
        let (_, state) = Recurrent(lstm).run(Variable(sequence))
        #expect(state.hidden.shape == [2, 4] && state.cell.shape == [2, 4])
    }

    @Test func multiHeadAttention() {
        let attention = withRandomSeed(7) { MultiHeadAttention<Double>(modelSize: 4, headCount: 2) }
        #expect(attention.namedParameters().map(\.name) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        let x = input([2, 3, 4])
        #expect(attention(Variable(x)).shape == [2, 3, 4])
        #expect(layerGradientError(attention, input: x) < 1e-6)
        let causal = withRandomSeed(7) { MultiHeadAttention<Double>(modelSize: 4, headCount: 2, causal: true) }
        #expect(layerGradientError(causal, input: x) < 1e-6)
        // Causality: changing a later position leaves earlier outputs unchanged.
        let changed = replacing(x, 2 * 4 + 1, 5)                       // batch 0, position 2
        let before = causal(Variable(x)).value, after = causal(Variable(changed)).value
        #expect(before.slicing(0..<1).slicing(0..<2, axis: 1) == after.slicing(0..<1).slicing(0..<2, axis: 1))
        #expect(before.slicing(0..<1).slicing(2..<3, axis: 1) != after.slicing(0..<1).slicing(2..<3, axis: 1))
        // Without the mask every position sees the change.
        #expect(attention(Variable(x)).value.slicing(0..<1).slicing(0..<1, axis: 1)
                != attention(Variable(changed)).value.slicing(0..<1).slicing(0..<1, axis: 1))
    }

    @Test func initializersMatchTheirDistributions() {
        let shape = [200, 300]
        let xavier = withRandomSeed(1) { Initializer<Double>.xavierUniform().makeTensor(shape) }
        let bound = (6.0 / 500).squareRoot()
        #expect(xavier.scalars.allSatisfy { Swift.abs($0) <= bound })
        expectClose(xavier.max().scalar, bound, tolerance: 0.01)
        let he = withRandomSeed(2) { Initializer<Double>.kaimingNormal().makeTensor(shape) }
        let std = sqrt(pow(he, 2).mean()).scalar
        expectClose(std, (2.0 / 300).squareRoot(), tolerance: 0.002)
        let conv = Initializer<Double>.fans([8, 3, 5, 5])
        #expect(conv.fanIn == 75 && conv.fanOut == 200)
        #expect(Initializer<Double>.zeros.makeTensor([3]) == .zeros([3]))
    }
}
