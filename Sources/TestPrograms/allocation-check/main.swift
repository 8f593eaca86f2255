// backprop-allocation-check: counts the heap allocations of compiled training steps after warm-up.
//
//     backprop-allocation-check [--threads N] [--steps N]
//
// Three training loops, each a compiled loss, backward() and an optimizer step: small-mlp with
// MSE and Adam, mlp with cross-entropy and SGD with momentum, and the conv network with SGD.
// After a warm-up (two tracing calls, then replays), it counts every allocation of the next
// steps (malloc, calloc, realloc and the aligned ones, from any thread) with glibc's mtrace: the
// program runs itself again with glibc's libc_malloc_debug.so.0 preloaded and MALLOC_TRACE set,
// and turns the trace on around the counted steps only. It prints one line per loop,
// "NAME: K allocations in S steps", or "skipped: REASON" where glibc's debugging library is
// missing. Tests/BackpropNNTests/AllocationTests.swift runs its release build; it is not an example.
import Backprop
import BackpropNN
import Foundation
#if canImport(Glibc)
import Glibc
#endif

let usage = "usage: backprop-allocation-check [--threads N] [--steps N]"
var options = (threads: 1, steps: 10)
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let text = arguments.popFirst(), let value = Int(text), value > 0, ["--threads", "--steps"].contains(flag) else {
        FileHandle.standardError.write(Data("\(usage)\n".utf8))
        exit(2)
    }
    if flag == "--threads" { options.threads = value } else { options.steps = value }
}

#if canImport(Glibc)
let environment = ProcessInfo.processInfo.environment
guard let traceFile = environment["MALLOC_TRACE"] else {
    // Runs itself again with the tracing allocator in place; it prints the counts.
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    child.arguments = Array(CommandLine.arguments.dropFirst())
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-allocations-\(getpid()).log")
    child.environment = environment.merging(["LD_PRELOAD": "libc_malloc_debug.so.0", "MALLOC_TRACE": file.path]) { $1 }
    do { try child.run() } catch {
        print("skipped: cannot run \(CommandLine.arguments[0]) again: \(error)")
        exit(0)
    }
    child.waitUntilExit()
    try? FileManager.default.removeItem(at: file)
    exit(child.terminationStatus)
}
typealias Switch = @convention(c) () -> Void
typealias VersionedSymbol = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>, UnsafePointer<CChar>) -> UnsafeMutableRawPointer?
// glibc's own `mtrace` is a stub; the working one is in the preloaded library, under a non-default version.
guard let library = dlopen("libc_malloc_debug.so.0", RTLD_NOW | RTLD_NOLOAD),
      let lookUp = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "dlvsym").map({ unsafeBitCast($0, to: VersionedSymbol.self) }),
      let startTracing = lookUp(library, "mtrace", "GLIBC_2.2.5").map({ unsafeBitCast($0, to: Switch.self) }),
      let stopTracing = lookUp(library, "muntrace", "GLIBC_2.2.5").map({ unsafeBitCast($0, to: Switch.self) }) else {
    print("skipped: glibc's libc_malloc_debug.so.0 (mtrace) is not available")
    exit(0)
}

/// The allocations that `step` makes in `count` calls: the lines of the trace that record one.
@MainActor func allocations(of count: Int, _ step: () -> Void) -> Int {
    startTracing()
    for _ in 0..<count { step() }
    stopTracing()
    let trace = (try? String(contentsOfFile: traceFile, encoding: .utf8)) ?? ""
    // "@ caller + address size" for malloc and the others, "@ caller > address size" for realloc.
    return trace.split(separator: "\n").filter { $0.contains(" + ") || $0.contains(" > ") }.count
}
#else
print("skipped: counting allocations needs glibc's mtrace (Linux)")
exit(0)
#endif

threadCount = options.threads

/// One training loop: zeroGrad, the compiled loss on a fixed batch and its targets, backward, step.
@MainActor func check(_ name: String, _ model: Sequential<Float>, inputs: [Tensor<Float>],
                      loss: CompiledFunction<Float>, optimizer: some Optimizer<Float>) {
    let (batch, targets) = (inputs[0], inputs[1])
    let step = {
        optimizer.zeroGrad()
        loss(batch, targets).backward()
        optimizer.step()
    }
    for _ in 0..<5 { step() }
    print("\(name): \(allocations(of: options.steps, step)) allocations in \(options.steps) steps")
}

/// One-hot targets for `count` rows of `classes`.
func oneHot(_ count: Int, _ classes: Int) -> Tensor<Float> {
    Tensor(shape: [count, classes], scalars: (0..<count * classes).map { $0 % classes == ($0 / classes) % classes ? 1 : 0 })
}

let small = Sequential<Float>(Linear(inputSize: 2, outputSize: 16), Tanh(), Linear(inputSize: 16, outputSize: 16), Tanh(),
                              Linear(inputSize: 16, outputSize: 1))
check("small-mlp, MSE, Adam", small,
      inputs: [.uniform([32, 2], low: -1, high: 1, seed: 1), .uniform([32, 1], low: -1, high: 1, seed: 2)],
      loss: compile { x, t in meanSquaredError(predicted: small(x), expected: t) },
      optimizer: Adam(parameters: small.parameters(), learningRate: 0.01))

let mlp = Sequential<Float>(Linear(inputSize: 784, outputSize: 256), ReLU(), Linear(inputSize: 256, outputSize: 256), ReLU(),
                            Linear(inputSize: 256, outputSize: 10))
check("mlp, cross-entropy, SGD with momentum", mlp, inputs: [.uniform([64, 784], seed: 1), oneHot(64, 10)],
      loss: compile { x, t in crossEntropy(logits: mlp(x), targets: t) },
      optimizer: SGD(parameters: mlp.parameters(), learningRate: 0.01, momentum: 0.9))

let conv = Sequential<Float>(Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                             Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                             Flatten(), Linear(inputSize: 1568, outputSize: 10))
check("conv, cross-entropy, SGD", conv, inputs: [.uniform([32, 1, 28, 28], seed: 1), oneHot(32, 10)],
      loss: compile { x, t in crossEntropy(logits: conv(x), targets: t) },
      optimizer: SGD(parameters: conv.parameters(), learningRate: 0.01))
