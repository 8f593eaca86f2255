import Backprop
import BackpropDistributed
import BackpropNN
import Foundation

/// What `DistributedDataParallel` does around training: it refuses models that differ between
/// ranks, rank 0 saves for all, every rank loads, and a failed save fails on every rank.
func checkWrapping(_ group: ProcessGroup, directory: URL) throws {
    let rank = group.rank
    // A model whose hidden width depends on the rank.
    let mismatched = withRandomSeed(1) {
        Sequential<Float>(Linear(inputSize: 2, outputSize: 3 + rank), Linear(inputSize: 3 + rank, outputSize: 1))
    }
    do {
        _ = try DistributedDataParallel(mismatched, optimizer: SGD(parameters: mismatched.parameters(), learningRate: 0.1),
                                        group: group)
        print("rank \(rank): different models were accepted")
    } catch {
        print("rank \(rank): different models: \(error)")
    }

    let model = regressionModel(seed: 11 + UInt64(rank))
    let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
    let parallel = try DistributedDataParallel(model, optimizer: optimizer, group: group)
    let data = regressionData(examples: 64)
    let loader = DataLoader(data, batchSize: 8, shuffle: true, seed: 5, shard: group.shard)
    for batch in loader {
        parallel.zeroGrad()
        meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets)).backward()
        try parallel.step()
    }
    let file = directory.appendingPathComponent("run.safetensors")
    try parallel.save(to: file, loader: loader, epoch: 1)
    let trained = model.parameters().map(\.value)
    // A fresh model and optimizer on every rank, from other weights, resumes from the file.
    let fresh = regressionModel(seed: 99 + UInt64(rank))
    let freshOptimizer = Adam(parameters: fresh.parameters(), learningRate: 0.01)
    let resumed = try DistributedDataParallel(fresh, optimizer: freshOptimizer, group: group)
    let epoch = try resumed.load(from: file)
    let same = fresh.parameters().map(\.value) == trained && freshOptimizer.state().step == optimizer.state().step
    print("rank \(rank): loaded epoch \(epoch ?? -1), \(same ? "the saved state" : "a different state")")

    do {
        try parallel.save(to: directory.appendingPathComponent("missing/run.safetensors"))
        print("rank \(rank): a save into a missing directory succeeded")
    } catch {
        print("rank \(rank): save into a missing directory: \(error)")
    }
    do {
        // As on hosts without a shared file system, where rank 1's host lacks the file: every rank throws.
        let host = directory.appendingPathComponent("host-\(rank)")
        let partial = host.appendingPathComponent("run.safetensors")
        try FileManager.default.createDirectory(at: host, withIntermediateDirectories: true)
        if rank != 1 { try FileManager.default.copyItem(at: file, to: partial) }
        try group.barrier()
        try resumed.load(from: partial)
        print("rank \(rank): a load that failed on rank 1 succeeded")
    } catch {
        print("rank \(rank): load missing on rank 1: \(error)")
    }
}

/// Two weights, one of which only rank 0's loss uses, one that no loss uses, and a frozen one.
struct Branches: Layer {
    let shared = Variable(Tensor<Float>([1, 2]), requiresGrad: true)
    let sometimes = Variable(Tensor<Float>([3]), requiresGrad: true)
    let never = Variable(Tensor<Float>([5]), requiresGrad: true)
    let frozen = Variable(Tensor<Float>([7]))

    func callAsFunction(_ x: Variable<Float>) -> Variable<Float> { (shared * x).sum() }
}

/// Averaging where ranks differ in which parameters got a gradient: prints each parameter's gradient.
func checkUnusedParameters(_ group: ProcessGroup) throws {
    let model = Branches()
    let parallel = try DistributedDataParallel(model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.1),
                                               group: group)
    // Rank r's input is [r + 1, r + 1]; rank 0 alone adds 2·sometimes.
    var loss = model(Variable(Tensor<Float>([Float(group.rank + 1), Float(group.rank + 1)])))
    if group.rank == 0 { loss = loss + (model.sometimes * 2).sum() }
    loss.backward()
    try parallel.averageGradients()
    func describe(_ variable: Variable<Float>) -> String { variable.grad.map { "\($0.scalars)" } ?? "none" }
    print("rank \(group.rank): gradients: shared \(describe(model.shared)), sometimes \(describe(model.sometimes)), "
          + "never \(describe(model.never)), frozen \(describe(model.frozen))")
}
