import Backprop
import BackpropNN
import Foundation
import Testing

// The examples of Docs/Diagnosing.md, between `// doc:` markers: compiled and run here, so that
// the guide shows exactly the code the tests run (DocumentationExamples checks the match).
@Suite struct DiagnosingExamples {
    @Test func nanLossIsTracedToItsOp() throws {
        let model = withRandomSeed(0) {
            Sequential<Double>(Linear(inputSize: 3, outputSize: 4), ReLU(), Linear(inputSize: 4, outputSize: 1))
        }
        let inputs = Variable(Tensor<Double>([[1, 2, 3], [0, -1, 2]]))
        let targets = Variable(Tensor<Double>([[1], [2]]))
        var found: NumericalAnomaly?
        // doc: Docs/Diagnosing.md
        do {
            try detectingAnomalies {
                let predicted = model(inputs)
                let loss = log(meanSquaredError(predicted: predicted, expected: targets) - 100)  // log of a negative
                loss.backward()
            }
        } catch let anomaly as NumericalAnomaly {
            print(anomaly)
            // NumericalAnomaly: 'log' (inputs [] → output []) computed a non-finite value in the forward pass,
            // at /path/to/Training.swift:42
        }
        // end doc
        do {
            try detectingAnomalies {
                let predicted = model(inputs)
                let loss = log(meanSquaredError(predicted: predicted, expected: targets) - 100)
                loss.backward()
            }
        } catch let anomaly as NumericalAnomaly { found = anomaly }
        #expect(found?.op == "log")
        #expect(found?.phase == .forward)
        #expect(found?.file == #filePath)
        #expect(found?.description.contains("computed a non-finite value in the forward pass") == true)
    }

    @Test func saliencyMapFromHooks() {
        let model = withRandomSeed(1) {
            Sequential<Float>(Linear(inputSize: 64, outputSize: 32), ReLU(), Linear(inputSize: 32, outputSize: 10))
        }
        let digit = Tensor<Float>.uniform([1, 64], seed: 2)
        // doc: Docs/Diagnosing.md
        // Which pixels move the score of class 3? |∂score/∂pixel|, read by a hook as the sweep passes the image.
        let image = Variable(digit, requiresGrad: true)
        var saliency = Tensor<Float>.zeros([8, 8])
        image.registerHook { gradient in
            saliency = abs(gradient.value).reshaped([8, 8])
            return nil                                   // observe only; return a variable to replace the gradient
        }
        let logits = model(image)
        logits.retainGrad()                              // keep an intermediate's gradient too
        logits.slicing(3..<4, axis: 1).sum().backward()
        print(logits.grad!)                              // one-hot: ∂score₃/∂logits
        // end doc
        #expect(logits.grad == Tensor([[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]]))
        #expect(saliency.scalars == abs(image.grad!).scalars)
        #expect(saliency.max().scalar > 0)
    }
}
