// Programmer errors, one per case, for the tests that read what a user sees on standard error:
// `backprop-misuse CASE` makes the mistake on the line marked `// misuse: CASE` and stops there.
import Backprop
import BackpropNN
import Foundation

let cases: [String: () -> Void] = [
    "crossEntropy-label": {
        let logits = Variable(Tensor<Float>.zeros([2, 10]), requiresGrad: true)
        _ = crossEntropy(logits: logits, labels: [3, 12])  // misuse: crossEntropy-label
    },
    "DataLoader-batchSize": {
        let data = TensorDataset(inputs: Tensor<Float>.zeros([4, 2]), targets: Tensor<Float>.zeros([4, 1]))
        _ = DataLoader(data, batchSize: 0)  // misuse: DataLoader-batchSize
    },
    "Dropout-probability": {
        _ = Dropout<Float>(probability: -0.1)  // misuse: Dropout-probability
    },
    "Adam-learningRate": {
        _ = Adam<Float>(parameters: [], learningRate: .nan)  // misuse: Adam-learningRate
    },
    "SGD-learningRate-set": {
        let optimizer = SGD<Float>(parameters: [], learningRate: 0.1)
        optimizer.learningRate = .nan  // misuse: SGD-learningRate-set
    },
    "meanSquaredError-shape": {
        let predicted = Variable(Tensor<Float>.zeros([4, 1]), requiresGrad: true)
        _ = meanSquaredError(predicted: predicted, expected: Variable(Tensor<Float>.zeros([4])))  // misuse: meanSquaredError-shape
    },
    "maxPool2d-size": {
        _ = maxPool2d(Variable(Tensor<Float>.zeros([1, 1, 4, 4])), size: 0)  // misuse: maxPool2d-size
    },
    "matmul-shape": {
        _ = matmul(Variable(Tensor<Float>.zeros([2, 3])), Variable(Tensor<Float>.zeros([4, 5])))  // misuse: matmul-shape
    },
    "backward-after-step": {
        let w = Variable(Tensor<Float>.ones([3, 2]), requiresGrad: true)
        let loss = matmul(Variable(Tensor<Float>.ones([1, 3])), w).sum()
        w.value = w.value - 0.1
        loss.backward()  // misuse: backward-after-step
    },
]

let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let misuse = cases[name] else {
    print("usage: backprop-misuse CASE, where CASE is one of: \(cases.keys.sorted().joined(separator: ", "))")
    exit(2)
}
misuse()
print("backprop-misuse: '\(name)' did not stop")
