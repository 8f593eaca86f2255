import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Conv1d, MaxPool1d, AdaptiveAvgPool2d and InstanceNorm2d against PyTorch's float64 numbers
/// (Tests/References/layers.json, written by make_layers_reference.py).
@Suite struct LayersReference {
    struct Config: Decodable, Sendable {
        let inputChannels, outputChannels, kernelSize, stride, padding, dilation, groups: Int?
        let bias, affine: Bool?
        let outputHeight, outputWidth: Int?
        let epsilon: Double?
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name, kind: String
        let config: Config
        let shape, outputShape: [Int]
        let output, inputGradient: [Double]
        let weightGradient, biasGradient: [Double]?
        var testDescription: String { name }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("layers.json", as: Reference.self).cases } catch {
            fatalError("Tests/References/layers.json: \(error)")
        }
    }()

    /// The layer a case describes, with its weight and bias (if any).
    static func layer(_ reference: Case) -> (any Layer<Double>, Variable<Double>?, Variable<Double>?) {
        let c = reference.config
        switch reference.kind {
        case "conv1d":
            let conv = Conv1d<Double>(inputChannels: c.inputChannels!, outputChannels: c.outputChannels!, kernelSize: c.kernelSize!,
                                      stride: c.stride!, padding: c.padding!, dilation: c.dilation!, groups: c.groups!, bias: c.bias!)
            return (conv, conv.weight, conv.bias)
        case "maxPool1d":
            return (MaxPool1d<Double>(kernelSize: c.kernelSize!, stride: c.stride, padding: c.padding!, dilation: c.dilation!), nil, nil)
        case "adaptiveAvgPool2d":
            return (AdaptiveAvgPool2d<Double>(outputSize: (c.outputHeight!, c.outputWidth!)), nil, nil)
        default:
            let norm = InstanceNorm2d<Double>(featureCount: reference.shape[reference.shape.count - 3], epsilon: c.epsilon!,
                                              affine: c.affine!)
            return (norm, norm.weight, norm.bias)
        }
    }

    @Test func theReferenceHoldsEveryCase() {
        #expect(Self.cases.count == 13)
        #expect(Set(Self.cases.map(\.kind)) == ["conv1d", "maxPool1d", "adaptiveAvgPool2d", "instanceNorm2d"])
    }

    @Test(arguments: cases) func outputAndGradientsMatchPyTorch(_ reference: Case) {
        let (layer, weight, bias) = Self.layer(reference)
        weight?.value = sinePattern(weight!.shape, 1.3, 0.1) * 0.5 + (reference.kind == "instanceNorm2d" ? 1 : 0)
        bias?.value = sinePattern(bias!.shape, 1.9, 0.2) * 0.25
        let x = Variable(sinePattern(reference.shape, 0.7, 0.3), requiresGrad: true)
        let y = layer(x)
        #expect(y.shape == reference.outputShape)
        (y * Variable(sinePattern(y.shape, 0.37, 1.1))).sum().backward()
        let pairs: [(String, [Double], [Double]?)] = [
            ("output", y.value.scalars, reference.output), ("input gradient", x.grad!.scalars, reference.inputGradient),
            ("weight gradient", weight?.grad?.scalars ?? [], reference.weightGradient ?? []),
            ("bias gradient", bias?.grad?.scalars ?? [], reference.biasGradient ?? []),
        ]
        for (label, actual, expected) in pairs {
            #expect(actual.count == expected?.count, "\(reference.name) \(label): \(actual.count) elements")
            for (i, (a, b)) in zip(actual, expected ?? []).enumerated() {
                #expect(Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b)), "\(reference.name) \(label)[\(i)]: \(a), PyTorch \(b)")
            }
        }
    }

    @Test func gradientsMatchCentralDifferences() {
        let sequence = Tensor<Double>.uniform([2, 4, 9], low: -2, high: 2, seed: 7)
        let image = Tensor<Double>.uniform([2, 2, 7, 5], low: -2, high: 2, seed: 8)
        withRandomSeed(3) {
            let conv = Conv1d<Double>(inputChannels: 4, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1, dilation: 2, groups: 2)
            #expect(layerGradientError(conv, input: sequence) < 1e-7)
            #expect(layerGradientError(Conv1d<Double>(inputChannels: 4, outputChannels: 3, kernelSize: 4), input: sequence) < 1e-7)
        }
        #expect(layerGradientError(MaxPool1d<Double>(kernelSize: 3, stride: 2, padding: 1), input: sequence) < 1e-7)
        #expect(layerGradientError(AdaptiveAvgPool2d<Double>(outputSize: (3, 2)), input: image) < 1e-7)
        let norm = InstanceNorm2d<Double>(featureCount: 2, affine: true)
        norm.weight!.value = Tensor([1.5, -0.5])
        norm.bias!.value = Tensor([0.25, 1])
        #expect(layerGradientError(norm, input: image) < 1e-7)
        #expect(layerGradientError(InstanceNorm2d<Double>(featureCount: 2), input: image) < 1e-7)
    }

    @Test func initialisationFollowsPyTorchDefaults() {
        // Conv1d: weight and bias uniform on ±1/√(inputChannels / groups · kernelSize).
        let conv = withRandomSeed(5) { Conv1d<Double>(inputChannels: 8, outputChannels: 64, kernelSize: 2, groups: 4) }
        #expect(conv.weight.shape == [64, 2, 2] && conv.bias?.shape == [64])
        for values in [conv.weight.value.scalars, conv.bias!.value.scalars] {
            #expect(values.allSatisfy { Swift.abs($0) <= 0.5 })
            #expect(values.max()! > 0.4 && values.min()! < -0.4)
        }
        #expect(Conv1d<Double>(inputChannels: 1, outputChannels: 1, kernelSize: 1, bias: false).parameters().count == 1)
        // InstanceNorm2d: no parameters and no buffers unless affine (ones and zeros).
        let plain = InstanceNorm2d<Double>(featureCount: 3)
        #expect(plain.parameters().isEmpty && plain.namedBuffers().isEmpty && plain.epsilon == 1e-5)
        let affine = InstanceNorm2d<Double>(featureCount: 3, affine: true)
        #expect(affine.stateDictionary() == ["weight": .ones([3]), "bias": .zeros([3])])
        #expect(MaxPool1d<Double>(kernelSize: 3).stride == 3)
    }

    @Test func adaptiveBinsFollowPyTorch() {
        // 7 → 3: rows 0..<3, 2..<5, 4..<7; 5 → 2: 0..<3, 2..<5.
        let sevenToThree = AdaptiveAvgPool2d<Double>.averaging(from: 7, to: 3)
        let third = 1.0 / 3
        let bins: [Double] = [third, third, third, 0, 0, 0, 0,
                              0, 0, third, third, third, 0, 0,
                              0, 0, 0, 0, third, third, third]
        #expect(sevenToThree == Tensor(shape: [3, 7], scalars: bins))
        let x = Variable(Tensor<Double>(shape: [1, 1, 2, 5], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
        #expect(AdaptiveAvgPool2d<Double>(outputSize: (1, 2))(x).value == Tensor(shape: [1, 1, 1, 2], scalars: [4.5, 6.5]))
    }
}
