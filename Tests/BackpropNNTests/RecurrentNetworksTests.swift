import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// LSTM, GRU and RNN (tanh, ReLU), two layers, bidirectional, against PyTorch's float64 numbers
/// (Tests/References/recurrent.json, written by make_recurrent_reference.py).
@Suite struct RecurrentNetworksReference {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name, kind: String
        let initialState: Bool
        let outputShape: [Int]
        let output, hidden, inputGradient: [Double]
        let cell, initialHiddenGradient, initialCellGradient: [Double]?
        let parameterNames: [String]
        let parameterGradients: [String: [Double]]
        var testDescription: String { name }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("recurrent.json", as: Reference.self).cases } catch {
            fatalError("Tests/References/recurrent.json: \(error)")
        }
    }()

    static let stateShape = [4, 2, 4]

    /// The network a case describes, its weights loaded by PyTorch's names as the script sets them.
    static func network(_ kind: String) throws -> any Layer<Double> {
        let layer: any Layer<Double> = switch kind {
        case "lstm": LSTM<Double>(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true)
        case "gru": GRU<Double>(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true)
        case "rnn_tanh": RNN<Double>(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true)
        default: RNN<Double>(inputSize: 3, hiddenSize: 4, layerCount: 2, nonlinearity: .relu, bidirectional: true)
        }
        let names = cases[0].parameterNames
        var state: [String: Tensor<Double>] = [:]
        for (name, parameter) in layer.namedParameters() {
            let k = try #require(names.firstIndex(of: name))
            state[name] = sinePattern(parameter.shape, 1.3, 0.1 + 0.2 * Double(k)) * 0.5
        }
        try layer.load(stateDictionary: state)
        layer.eval()
        return layer
    }

    @Test func theReferenceHoldsEveryCase() {
        #expect(Self.cases.count == 8)
        #expect(Set(Self.cases.map(\.kind)) == ["lstm", "gru", "rnn_tanh", "rnn_relu"])
    }

    @Test(arguments: cases) func namesAndOrderArePyTorchs(_ reference: Case) throws {
        let layer = try Self.network(reference.kind)
        #expect(layer.namedParameters().map(\.name) == reference.parameterNames)
        #expect(layer.stateDictionary().keys.sorted() == reference.parameterNames.sorted())
    }

    @Test(arguments: cases) func outputsStatesAndGradientsMatchPyTorch(_ reference: Case) throws {
        let layer = try Self.network(reference.kind)
        let x = Variable(sinePattern([2, 3, 3], 0.7, 0.3), requiresGrad: true)
        let h0 = Variable(sinePattern(Self.stateShape, 0.9, 0.5) * 0.3, requiresGrad: true)
        let c0 = Variable(sinePattern(Self.stateShape, 1.1, 0.7) * 0.3, requiresGrad: true)
        let initial = reference.initialState
        let (y, h, c): (Variable<Double>, Variable<Double>, Variable<Double>?)
        switch layer {
        case let lstm as LSTM<Double>:
            (y, h, c) = lstm.run(x, initialState: initial ? (h0, c0) : nil)
        case let gru as GRU<Double>:
            let result = gru.run(x, initialState: initial ? h0 : nil)
            (y, h, c) = (result.outputs, result.hidden, nil)
        default:
            let result = try #require(layer as? RNN<Double>).run(x, initialState: initial ? h0 : nil)
            (y, h, c) = (result.outputs, result.hidden, nil)
        }
        #expect(y.shape == reference.outputShape)
        #expect(h.shape == Self.stateShape)
        var loss = (y * Variable(sinePattern(y.shape, 0.37, 1.1))).sum() + (h * Variable(sinePattern(Self.stateShape, 0.53, 0.4))).sum()
        if let c { loss = loss + (c * Variable(sinePattern(Self.stateShape, 0.61, 0.2))).sum() }
        loss.backward()

        let tolerance = 1e-10
        expectClose(y.value, Tensor(shape: y.shape, scalars: reference.output), tolerance: tolerance)
        expectClose(h.value, Tensor(shape: Self.stateShape, scalars: reference.hidden), tolerance: tolerance)
        #expect((c == nil) == (reference.cell == nil))
        if let c, let expected = reference.cell {
            expectClose(c.value, Tensor(shape: Self.stateShape, scalars: expected), tolerance: tolerance)
        }
        expectClose(try #require(x.grad), Tensor(shape: x.shape, scalars: reference.inputGradient), tolerance: tolerance)
        for (name, parameter) in layer.namedParameters() {
            let expected = try #require(reference.parameterGradients[name])
            expectClose(try #require(parameter.grad), Tensor(shape: parameter.shape, scalars: expected), tolerance: tolerance)
        }
        if initial {
            let expected = try #require(reference.initialHiddenGradient)
            expectClose(try #require(h0.grad), Tensor(shape: Self.stateShape, scalars: expected), tolerance: tolerance)
        }
        if initial, c != nil {
            let expected = try #require(reference.initialCellGradient)
            expectClose(try #require(c0.grad), Tensor(shape: Self.stateShape, scalars: expected), tolerance: tolerance)
        }
    }
}

/// Dropout between layers, unbatched input, naming inside a model, and shape errors.
@Suite struct RecurrentNetworksBehaviour {
    /// A two-layer LSTM and the same weights as two one-layer LSTMs, for computing its layers separately.
    static func splitLSTM(dropout: Double, seed: UInt64) throws -> (LSTM<Double>, LSTM<Double>, LSTM<Double>) {
        let stacked = LSTM<Double>(inputSize: 3, hiddenSize: 4, layerCount: 2, dropout: dropout, seed: seed)
        let first = LSTM<Double>(inputSize: 3, hiddenSize: 4), second = LSTM<Double>(inputSize: 4, hiddenSize: 4)
        let state = stacked.stateDictionary()
        try first.load(stateDictionary: state.filter { $0.key.hasSuffix("_l0") })
        try second.load(stateDictionary: Dictionary(uniqueKeysWithValues: state.filter { $0.key.hasSuffix("_l1") }
            .map { ($0.key.replacingOccurrences(of: "_l1", with: "_l0"), $0.value) }))
        return (stacked, first, second)
    }

    @Test func dropoutMasksTheSecondLayersInputInTrainingOnly() throws {
        let (stacked, first, second) = try Self.splitLSTM(dropout: 0.5, seed: 7)
        let x = Variable(sinePattern([2, 5, 3], 0.7, 0.3))
        let between = first(x)
        // The mask that a generator seeded 7 draws first: kept elements scaled by 1 / (1 − 0.5).
        let uniform: Tensor<Double> = RandomGenerator(seed: 7).draw { .uniform(between.shape, using: &$0) }
        let mask = which(uniform.isLess(than: Tensor(0.5)), Tensor(2.0), Tensor(0.0))
        #expect(mask.scalars.contains(0) && mask.scalars.contains(2))

        let trained = stacked(x)
        expectClose(trained.value, second(between * Variable(mask)).value, tolerance: 1e-12)
        #expect(!stacked(x).value.isApproximatelyEqual(to: trained.value, tolerance: 1e-6))   // a new mask each call

        stacked.eval()
        expectClose(stacked(x).value, second(between).value, tolerance: 1e-12)
        stacked.train()
        let (again, _, _) = try Self.splitLSTM(dropout: 0.5, seed: 7)
        try again.load(stateDictionary: stacked.stateDictionary())
        expectClose(again(x).value, trained.value, tolerance: 0)                           // the seed reproduces it
    }

    @Test func oneLayerHasNoDropoutAndTheGeneratorIsCheckpointed() throws {
        let (stacked, first, _) = try Self.splitLSTM(dropout: 0.3, seed: 1)
        #expect(stacked.namedGenerators().map(\.name) == ["generator"])
        #expect(LSTM<Double>(inputSize: 3, hiddenSize: 4).namedGenerators().isEmpty)
        let single = LSTM<Double>(inputSize: 3, hiddenSize: 4, dropout: 0.3, seed: 1)
        try single.load(stateDictionary: first.stateDictionary())
        let x = Variable(sinePattern([1, 4, 3], 0.5, 0.1))
        expectClose(single(x).value, first(x).value, tolerance: 0)
    }

    @Test func unbatchedInputIsOneSequence() throws {
        let gru = GRU<Double>(inputSize: 3, hiddenSize: 2, layerCount: 2, bidirectional: true)
        let sequence = sinePattern([4, 3], 0.7, 0.3)
        let h0 = sinePattern([4, 2], 0.9, 0.5)
        let single = gru.run(Variable(sequence), initialState: Variable(h0))
        let batched = gru.run(Variable(sequence.reshaped([1, 4, 3])), initialState: Variable(h0.reshaped([4, 1, 2])))
        #expect(single.outputs.shape == [4, 4])
        #expect(single.hidden.shape == [4, 2])
        expectClose(single.outputs.value, batched.outputs.value.reshaped([4, 4]), tolerance: 0)
        expectClose(single.hidden.value, batched.hidden.value.reshaped([4, 2]), tolerance: 0)
    }

    @Test func bidirectionalOutputsJoinForwardAndBackwardRuns() {
        // One layer: the forward half is a plain run, the backward half a run over the reversed sequence.
        let rnn = RNN<Double>(inputSize: 2, hiddenSize: 3, nonlinearity: .relu, bidirectional: true)
        let forward = RNN<Double>(inputSize: 2, hiddenSize: 3, nonlinearity: .relu)
        let backward = RNN<Double>(inputSize: 2, hiddenSize: 3, nonlinearity: .relu)
        for (name, parameter) in rnn.namedParameters() {
            let target = name.hasSuffix("_reverse") ? backward : forward
            let key = name.replacingOccurrences(of: "_reverse", with: "")
            target.namedParameters().first { $0.name == key }!.parameter.value = parameter.value
        }
        let x = sinePattern([2, 4, 2], 0.9, 0.2)
        let reversed = Tensor.concatenated((0..<4).reversed().map { x.slicing($0..<($0 + 1), axis: 1) }, axis: 1)
        let both = rnn(Variable(x)).value
        expectClose(both.slicing(0..<3, axis: 2), forward(Variable(x)).value, tolerance: 0)
        let back = backward(Variable(reversed)).value
        expectClose(both.slicing(3..<6, axis: 2),
                    Tensor.concatenated((0..<4).reversed().map { back.slicing($0..<($0 + 1), axis: 1) }, axis: 1), tolerance: 0)
    }

    struct Tagger: Layer {
        let encoder = LSTM<Double>(inputSize: 2, hiddenSize: 3, bias: false)
        let head = Linear<Double>(inputSize: 3, outputSize: 1)
        func callAsFunction(_ input: Variable<Double>) -> Variable<Double> { head(encoder(input)) }
    }

    @Test func namesNestInsideAModel() {
        #expect(Tagger().namedParameters().map(\.name) == ["encoder.weight_ih_l0", "encoder.weight_hh_l0", "head.weight", "head.bias"])
        #expect(Tagger().namedParameters()[1].parameter.shape == [12, 3])
    }

    @Test func initialStateOfTheWrongShapeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let lstm = LSTM<Double>(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true)
            _ = lstm.run(Variable(.zeros([2, 5, 3])), initialState: (Variable(.zeros([4, 2, 4])), Variable(.zeros([2, 2, 4]))))
        }
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains("LSTM: initial c0 [2, 2, 4] is not [layerCount·directions, batch, hiddenSize] = [4, 2, 4]"), "\(stderr)")
    }

    @Test func inputOfTheWrongSizeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = GRU<Double>(inputSize: 3, hiddenSize: 4)(Variable(.zeros([2, 5, 4])))
        }
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains("GRU: input [2, 5, 4] is not [batch, time, 3] or [time, 3]"), "\(stderr)")
    }
}
