import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// MultiHeadAttention, TransformerEncoderLayer, TransformerDecoderLayer, sinusoidal and rotary
/// positional encodings against PyTorch's float64 numbers (Tests/References/attention.json,
/// written by make_attention_reference.py).
@Suite struct AttentionReference {
    struct Values: Decodable, Sendable { let shape: [Int]; let values: [Double] }
    struct Mask: Decodable, Sendable { let kind: String; let shape: [Int]; let values: [Double] }
    struct Config: Decodable, Sendable { let averageWeights, normFirst: Bool?; let activation: String?; let offset: Int? }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name, kind: String
        let config: Config
        let masks: [String: Mask]
        let inputs: [String: Values]
        let outputShape: [Int]
        let output: [Double]
        let weightsShape: [Int]?
        let weights: [Double]?
        let gradients: [String: [Double]]
        var testDescription: String { name }
    }

    struct Reference: Decodable { let sinusoidal: Values; let cases: [Case] }

    static let file: Reference = {
        do { return try reference("attention.json", as: Reference.self) } catch {
            fatalError("Tests/References/attention.json: \(error)")
        }
    }()
    static let cases = file.cases

    /// The script's rule: every parameter is 0.5 · sin(1.3 i + shift(key)), plus 1 for norm weights.
    static func setWeights<M: Module>(_ module: M) where M.Scalar == Double {
        for (key, parameter) in module.namedParameters() {
            let shift = Double(key.unicodeScalars.reduce(0) { $0 + Int($1.value) } % 97) / 97
            let offset: Double = key.contains("norm") && key.hasSuffix("weight") ? 1 : 0
            parameter.value = sinePattern(parameter.shape, 1.3, shift) * 0.5 + offset
        }
    }

    static func mask(_ entry: Mask?) -> AttentionMask<Double>? {
        switch entry?.kind {
        case "additive": .additive(Tensor(shape: entry!.shape, scalars: entry!.values))
        case "boolean": .boolean(Tensor(shape: entry!.shape, scalars: entry!.values.map { $0 != 0 }))
        case "causal": .causal
        default: nil
        }
    }

    static func padding(_ entry: Mask?) -> Tensor<Bool>? {
        entry.map { Tensor(shape: $0.shape, scalars: $0.values.map { $0 != 0 }) }
    }

    static func expectValues(_ actual: [Double], _ expected: [Double]?, _ label: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected?.count, "\(label): \(actual.count) elements", sourceLocation: sourceLocation)
        for (i, (a, b)) in zip(actual, expected ?? []).enumerated() where !(Swift.abs(a - b) <= 1e-10 * Swift.max(1, Swift.abs(b))) {
            Issue.record("\(label)[\(i)]: \(a), PyTorch \(b)", sourceLocation: sourceLocation)
            return
        }
    }

    @Test func theReferenceHoldsEveryCase() {
        #expect(Self.cases.count == 10)
        #expect(Set(Self.cases.map(\.kind)) == ["attention", "encoder", "decoder", "rope"])
    }

    @Test(arguments: cases) func outputAndGradientsMatchPyTorch(_ reference: Case) {
        let inputs = reference.inputs.mapValues { Variable(Tensor(shape: $0.shape, scalars: $0.values), requiresGrad: true) }
        let query = inputs["query"]!
        let activation: TransformerActivation = reference.config.activation == "gelu" ? .gelu : .relu
        let masks = reference.masks
        var output: Variable<Double>
        var weights: Variable<Double>?
        var parameters: [(name: String, parameter: Variable<Double>)] = []
        switch reference.kind {
        case "attention":
            let attention = MultiHeadAttention<Double>(modelSize: 4, headCount: 2)
            Self.setWeights(attention)
            parameters = attention.namedParameters()
            (output, weights) = attention.outputAndWeights(
                query: query, key: inputs["key"] ?? query, value: inputs["value"] ?? query, mask: Self.mask(masks["mask"]),
                keyPaddingMask: Self.padding(masks["keyPaddingMask"]), averageWeights: reference.config.averageWeights!)
        case "encoder":
            let layer = TransformerEncoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 6, dropout: 0,
                                                        normFirst: reference.config.normFirst!, activation: activation)
            Self.setWeights(layer)
            parameters = layer.namedParameters()
            output = layer(query, mask: Self.mask(masks["mask"]), keyPaddingMask: Self.padding(masks["keyPaddingMask"]))
        case "decoder":
            let layer = TransformerDecoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 6, dropout: 0,
                                                        normFirst: reference.config.normFirst!)
            Self.setWeights(layer)
            parameters = layer.namedParameters()
            output = layer(query, memory: inputs["memory"]!, targetMask: Self.mask(masks["targetMask"]),
                           memoryMask: Self.mask(masks["memoryMask"]),
                           targetKeyPaddingMask: Self.padding(masks["targetKeyPaddingMask"]),
                           memoryKeyPaddingMask: Self.padding(masks["memoryKeyPaddingMask"]))
        default:
            output = rotaryPositionalEncoding(query, offset: reference.config.offset!)
        }
        #expect(output.shape == reference.outputShape)
        #expect(Set(parameters.map(\.name) + inputs.keys.map { "input." + $0 }) == Set(reference.gradients.keys),
                "\(reference.name): state-dict keys differ from PyTorch's")
        var loss = (output * Variable(sinePattern(output.shape, 0.37, 1.1))).sum()
        if let weights {
            #expect(weights.shape == reference.weightsShape)
            Self.expectValues(weights.value.scalars, reference.weights, "\(reference.name) weights")
            loss = loss + (weights * Variable(sinePattern(weights.shape, 0.23, 0.5))).sum()
        }
        loss.backward()
        Self.expectValues(output.value.scalars, reference.output, "\(reference.name) output")
        for (name, parameter) in parameters {
            Self.expectValues(parameter.grad?.scalars ?? [], reference.gradients[name], "\(reference.name) ∂/∂\(name)")
        }
        for (name, input) in inputs {
            Self.expectValues(input.grad?.scalars ?? [], reference.gradients["input." + name], "\(reference.name) ∂/∂\(name)")
        }
    }

    @Test func sinusoidalEncodingMatchesThePapersFormula() {
        let expected = Self.file.sinusoidal
        let encoding = sinusoidalPositionalEncoding(length: expected.shape[0], modelSize: expected.shape[1], as: Double.self)
        #expect(encoding.shape == expected.shape)
        Self.expectValues(encoding.scalars, expected.values, "sinusoidal")
    }
}
