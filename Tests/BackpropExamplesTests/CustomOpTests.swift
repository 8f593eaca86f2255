import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct CustomOpTests {
    @Test func forwardIsSignWithZeroPositive() {
        let x = Variable(Tensor<Float>([-3, -1, -0.25, 0, 0.5, 1, 7]))
        #expect(binarized(x).value.scalars == [-1, -1, -1, 1, 1, 1, 1])
        #expect(binarized(x).op == nil)  // nothing requires a gradient: nothing recorded
    }

    @Test func vjpPassesTheGradientWhereMagnitudeIsAtMostOne() {
        let x = Variable(Tensor<Double>([-3, -1, -0.25, 0, 0.5, 1, 7]), requiresGrad: true)
        let y = binarized(x)
        #expect(y.op == "binarized")
        (y * Variable(Tensor([10, 20, 30, 40, 50, 60, 70]))).sum().backward()
        #expect(x.grad!.scalars == [0, 20, 30, 40, 50, 60, 0])
    }

    @Test func vjpMatchesTheSurrogateAndNotSign() {
        let points = Tensor<Double>([-2.5, -0.7, -0.2, 0.3, 0.9, 1.8])
        #expect(checkStraightThroughGradient(at: points).maxAbsoluteError < 1e-8)
        // Sign's own derivative is 0, so a check against sign itself fails where |x| ≤ 1.
        #expect(checkGradients(at: [points]) { binarized($0[0]) }.maxAbsoluteError > 0.1)
    }

    @Test func discDataIsLabelledByTheCircle() {
        let data = BinarizedNetwork.makeDisc(count: 400, seed: 3)
        let labels = data.targets.scalars.map { Int($0) }
        for i in 0..<400 {
            let r2 = data.inputs[i, 0] * data.inputs[i, 0] + data.inputs[i, 1] * data.inputs[i, 1]
            #expect(labels[i] == (r2 < 0.5 ? 1 : 0))
        }
        // About π·0.5/4 ≈ 39% of the square is inside.
        let inside = Double(labels.reduce(0, +)) / 400
        #expect(abs(inside - Double.pi / 8) < 0.07)
    }

    @Test func trainingThroughTheOpReducesTheLoss() {
        let data = BinarizedNetwork.makeDisc(count: 300, seed: 0)
        let model = BinarizedNetwork.makeModel(hiddenUnits: 32, binary: true, seed: 1)
        let before = crossEntropy(logits: model(Variable(data.inputs)), labels: data.targets.scalars.map { Int($0) }).scalar
        let history = trainClassifier(model, on: data, epochs: 60, batchSize: 20, learningRate: 0.01, seed: 2)
        #expect(Double(before) > 0.6)
        #expect(history.last!.loss < 0.6 * Double(before))
        #expect(history.last!.accuracy > 0.8)
        // The hidden layer really is binary.
        let hidden = withoutGradients { binarized(model.layers[0](Variable(data.inputs))).value.scalars }
        #expect(hidden.allSatisfy { $0 == 1 || $0 == -1 })
    }
}
