import Backprop
import BackpropNN
import Foundation
#if canImport(Glibc)
import Glibc
#endif

typealias Hook = @convention(c) () -> Void
typealias VSym = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>, UnsafePointer<CChar>) -> UnsafeMutableRawPointer?
let lib = dlopen("libc_malloc_debug.so.0", RTLD_NOW | RTLD_NOLOAD)
let dlvsym = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "dlvsym"), to: VSym.self)
let start = unsafeBitCast(dlvsym(lib, "mtrace", "GLIBC_2.2.5"), to: Hook.self)
let stop = unsafeBitCast(dlvsym(lib, "muntrace", "GLIBC_2.2.5"), to: Hook.self)

let which = CommandLine.arguments.dropFirst().first ?? "small"
let model: Sequential<Float>
let loss: CompiledFunction<Float>
let inputs: [Tensor<Float>]
let optimizer: any Optimizer<Float>
switch which {
case "small":
    model = Sequential<Float>(Linear(inputSize: 2, outputSize: 16), Tanh(), Linear(inputSize: 16, outputSize: 16), Tanh(),
                              Linear(inputSize: 16, outputSize: 1))
    inputs = [Tensor<Float>.uniform([32, 2], low: -1, high: 1, seed: 1), Tensor<Float>.uniform([32, 1], low: -1, high: 1, seed: 2)]
    loss = compile { x, t in meanSquaredError(predicted: model(x), expected: t) }
    optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
case "mlp":
    model = Sequential<Float>(Linear(inputSize: 784, outputSize: 256), ReLU(), Linear(inputSize: 256, outputSize: 256), ReLU(),
                              Linear(inputSize: 256, outputSize: 10))
    inputs = [Tensor<Float>.uniform([64, 784], seed: 1), Tensor<Float>(shape: [64, 10], scalars: (0..<640).map { $0 % 11 == 0 ? 1 : 0 })]
    loss = compile { x, t in crossEntropy(logits: model(x), targets: t) }
    optimizer = SGD(parameters: model.parameters(), learningRate: 0.01, momentum: 0.9)
default:
    model = Sequential<Float>(Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                              Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                              Flatten(), Linear(inputSize: 1568, outputSize: 10))
    inputs = [Tensor<Float>.uniform([32, 1, 28, 28], seed: 1), Tensor<Float>(shape: [32, 10], scalars: (0..<320).map { $0 % 11 == 0 ? 1 : 0 })]
    loss = compile { x, t in crossEntropy(logits: model(x), targets: t) }
    optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
}
@MainActor func step() {
    optimizer.zeroGrad()
    let value = loss(inputs)
    value.backward()
    optimizer.step()
}
for _ in 0..<5 { step() }
start()
for _ in 0..<1 { step() }
stop()
print("done")
