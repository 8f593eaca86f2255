import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Conv2d, ConvTranspose2d, MaxPool2d and AvgPool2d against PyTorch's float64 numbers
/// (Tests/References/conv.json, written by make_conv_reference.py), their default
/// initialisation, and the former spellings.
@Suite struct ConvolutionReference {
    struct Config: Decodable, Sendable {
        let inputChannels, outputChannels, groups: Int?
        let kernelSize, stride, padding: [Int]
        let dilation, outputPadding: [Int]?
        let bias: Bool?
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name, kind: String
        let config: Config
        let shape, outputShape: [Int]
        let weightShape: [Int]?
        let output, inputGradient: [Double]
        let weightGradient, biasGradient: [Double]?
        var testDescription: String { name }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("conv.json", as: Reference.self).cases } catch {
            fatalError("Tests/References/conv.json: \(error)")
        }
    }()

    /// The layer a case describes, with its weight and bias (if any).
    static func layer(_ reference: Case) -> (any Layer<Double>, Variable<Double>?, Variable<Double>?) {
        let c = reference.config
        func pair(_ size: [Int]?) -> (Int, Int) { (size![0], size![1]) }
        switch reference.kind {
        case "conv2d":
            let conv = Conv2d<Double>(inputChannels: c.inputChannels!, outputChannels: c.outputChannels!,
                                      kernelSize: pair(c.kernelSize), stride: pair(c.stride), padding: pair(c.padding),
                                      dilation: pair(c.dilation), groups: c.groups!, bias: c.bias!)
            return (conv, conv.weight, conv.bias)
        case "convTranspose2d":
            let conv = ConvTranspose2d<Double>(inputChannels: c.inputChannels!, outputChannels: c.outputChannels!,
                                               kernelSize: pair(c.kernelSize), stride: pair(c.stride), padding: pair(c.padding),
                                               outputPadding: pair(c.outputPadding), dilation: pair(c.dilation),
                                               groups: c.groups!, bias: c.bias!)
            return (conv, conv.weight, conv.bias)
        case "maxPool2d":
            return (MaxPool2d<Double>(kernelSize: c.kernelSize[0], stride: c.stride[0], padding: c.padding[0]), nil, nil)
        default:
            return (AvgPool2d<Double>(kernelSize: c.kernelSize[0], stride: c.stride[0], padding: c.padding[0]), nil, nil)
        }
    }

    @Test func theReferenceHoldsEveryCase() {
        #expect(Self.cases.count == 10)
        #expect(Set(Self.cases.map(\.kind)) == ["conv2d", "convTranspose2d", "maxPool2d", "avgPool2d"])
    }

    @Test(arguments: cases) func outputAndGradientsMatchPyTorch(_ reference: Case) {
        let (layer, weight, bias) = Self.layer(reference)
        #expect(weight?.shape == reference.weightShape)
        weight?.value = sinePattern(weight!.shape, 1.3, 0.1) * 0.5
        bias?.value = sinePattern(bias!.shape, 1.9, 0.2) * 0.25
        let x = Variable(sinePattern(reference.shape, 0.7, 0.3), requiresGrad: true)
        let y = layer(x)
        #expect(y.shape == reference.outputShape)
        (y * Variable(sinePattern(y.shape, 0.37, 1.1))).sum().backward()
        let pairs: [(String, [Double], [Double])] = [
            ("output", y.value.scalars, reference.output), ("input gradient", x.grad!.scalars, reference.inputGradient),
            ("weight gradient", weight?.grad?.scalars ?? [], reference.weightGradient ?? []),
            ("bias gradient", bias?.grad?.scalars ?? [], reference.biasGradient ?? []),
        ]
        for (label, actual, expected) in pairs {
            #expect(actual.count == expected.count, "\(reference.name) \(label): \(actual.count) elements")
            for (i, (a, b)) in zip(actual, expected).enumerated() {
                #expect(Swift.abs(a - b) <= 1e-10 * Swift.max(1, Swift.abs(b)), "\(reference.name) \(label)[\(i)]: \(a), PyTorch \(b)")
            }
        }
    }

    /// PyTorch's default: uniform on ±1/√fanIn, fanIn = weight.size(1) · kH · kW, for the weight and the bias.
    @Test func defaultInitialisationStaysWithinPyTorchsBounds() {
        let conv = withRandomSeed(5) { Conv2d<Double>(inputChannels: 6, outputChannels: 8, kernelSize: (3, 2), groups: 2) }
        let transposed = withRandomSeed(6) { ConvTranspose2d<Double>(inputChannels: 8, outputChannels: 4, kernelSize: (3, 2), groups: 2) }
        // Conv2d: fanIn = 6 / 2 · 3 · 2 = 18. ConvTranspose2d: fanIn = 4 / 2 · 3 · 2 = 12, not 8 / 2 · 6 = 24.
        for (name, parameters, bound) in [("Conv2d", [conv.weight, conv.bias!], 1 / Foundation.sqrt(18.0)),
                                          ("ConvTranspose2d", [transposed.weight, transposed.bias!], 1 / Foundation.sqrt(12.0))] {
            #expect(parameters[0].shape == (name == "Conv2d" ? [8, 3, 3, 2] : [8, 2, 3, 2]))
            for parameter in parameters {
                let largest = parameter.value.scalars.map(Swift.abs).max()!
                #expect(largest <= bound, "\(name) \(parameter.shape): \(largest) > \(bound)")
            }
            // 144 or 96 uniform draws: the largest comes close to the bound, so a smaller bound would fail.
            let largest = parameters[0].value.scalars.map(Swift.abs).max()!
            #expect(largest > 0.9 * bound, "\(name): the largest weight \(largest) is far inside \(bound)")
        }
    }

    @Test func squareSizesAreTheSameAsPairs() {
        let x = Variable(sinePattern([2, 3, 7, 6], 0.7, 0.3))
        let square = withRandomSeed(9) { Conv2d<Double>(inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, dilation: 2) }
        let pairs = withRandomSeed(9) {
            Conv2d<Double>(inputChannels: 3, outputChannels: 4, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), dilation: (2, 2))
        }
        #expect(square(x).value == pairs(x).value)
        #expect(square(x).shape == [2, 4, 3, 2])
        let up = withRandomSeed(9) { ConvTranspose2d<Double>(inputChannels: 4, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1) }
        #expect(up(square(x)).shape == [2, 3, 6, 4])
    }

    @Test func buildingModelsConvolutions() {
        // doc: Docs/BuildingModels.md
        let model = withRandomSeed(1) {
            Sequential<Float>(
                Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: (3, 5), stride: (2, 1), padding: (1, 2)), ReLU(),
                Conv2d(inputChannels: 8, outputChannels: 8, kernelSize: 3, padding: 1, groups: 8),    // depthwise
                ConvTranspose2d(inputChannels: 8, outputChannels: 3, kernelSize: (3, 3), stride: (2, 1), padding: (1, 1),
                                outputPadding: (1, 0))
            )
        }
        let image = Variable(Tensor<Float>.zeros([1, 3, 16, 16]))
        print(model(image).shape)   // [1, 3, 16, 16]
        // end doc
        #expect(model(image).shape == [1, 3, 16, 16])
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"])
        #expect(model.parameters().map(\.shape) == [[8, 3, 3, 5], [8], [8, 1, 3, 3], [8], [8, 3, 3, 3], [3]])
    }

    /// The former spellings still build the same layers (deprecated, so this function is too: no warning).
    @available(*, deprecated)
    @Test func formerSpellingsStillWork() {
        let old = withRandomSeed(3) { Conv2D<Double>(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1) }
        let new = withRandomSeed(3) { Conv2d<Double>(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1) }
        #expect(old.weight.value == new.weight.value && old.bias!.value == new.bias!.value)
        let x = Variable(sinePattern([1, 2, 6, 6], 0.7, 0.3))
        #expect(MaxPool2D<Double>(size: 2)(x).value == MaxPool2d<Double>(kernelSize: 2)(x).value)
        #expect(AvgPool2D<Double>(size: 3, stride: 1)(x).value == AvgPool2d<Double>(kernelSize: 3, stride: 1)(x).value)
        #expect(MaxPool2D<Double>(size: 3).size == 3)
    }
}
