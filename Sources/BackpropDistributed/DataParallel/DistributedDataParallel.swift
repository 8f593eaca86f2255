import Backprop
import BackpropNN
import Foundation

/// Synchronous data-parallel training: the same model on every rank, each rank a different part
/// of every batch, and the gradients averaged across ranks before each optimizer step, as
/// PyTorch's `DistributedDataParallel` and Horovod's `DistributedOptimizer` do.
///
/// ```
/// let parallel = try DistributedDataParallel(model, optimizer: optimizer, group: group)
/// for batch in loader {                        // made with shard: group.shard
///     parallel.zeroGrad()
///     let loss = crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
///     loss.backward()
///     try parallel.step()                      // average the gradients, then the optimizer's step
/// }
/// ```
///
/// Making it broadcasts rank 0's parameters and buffers, so every rank starts from the same
/// model. ``averageGradients(samples:)`` sums the gradients of all ranks with one `MPI_Allreduce`
/// per bucket (parameters packed together, up to ``bucketCapacity`` bytes) rather than one per
/// parameter, and divides by the number of ranks, or, given each rank's number of samples, by
/// the total, so that the result is the gradient of the mean loss over the whole global batch.
/// Since every rank then applies the same update to the same parameters, they stay equal.
///
/// The parameters averaged are the model's that require gradients (frozen ones are left alone).
/// A parameter without a gradient on a rank counts as zeros there; if any rank has one, every
/// rank's parameter has the average as its gradient afterwards, and if none has, it keeps none,
/// as in one process. In a group of one rank, averaging sends nothing and leaves the gradients
/// as they are.
public final class DistributedDataParallel<Scalar: TensorScalar> {
    /// The model, whose parameters are averaged.
    public let model: any Module<Scalar>
    /// The optimizer that ``step(samples:)`` runs after averaging.
    public let optimizer: any Optimizer<Scalar>
    public let group: ProcessGroup
    /// The largest bucket, in bytes (a parameter larger than this is a bucket of its own).
    public let bucketCapacity: Int
    /// Whether ``step(samples:)`` copies rank 0's buffers (BatchNorm's running statistics) to every
    /// rank after the update, as PyTorch's `broadcast_buffers` does before each forward pass.
    public let broadcastsBuffers: Bool
    /// What the gradient averaging has sent so far.
    public private(set) var communication = CommunicationStatistics()

    private let parameters: [Variable<Scalar>]
    /// Each bucket: the parameters it holds (a range of `parameters`) and its packed elements: their
    /// gradients, then one element per parameter for whether the rank has its gradient, then the
    /// number of samples.
    private var buckets: [(parameters: Range<Int>, elements: [Scalar])] = []

    /// Wraps a model and its optimizer; every rank must make it, with a model of the same structure.
    ///
    /// - Parameters:
    ///   - bucketCapacity: the most bytes of gradients in one all-reduce. PyTorch's default, 25 MiB.
    /// - Throws: ``DistributedError/invalidArgument(operation:message:)`` if the ranks' models differ
    ///   in their parameters' shapes; ``DistributedError/mpiFailed(operation:rank:message:)``.
    public init(_ model: any Module<Scalar>, optimizer: any Optimizer<Scalar>, group: ProcessGroup,
                bucketCapacity: Int = 25 << 20, broadcastsBuffers: Bool = true) throws {
        require(bucketCapacity > 0, "DistributedDataParallel: bucket capacity \(bucketCapacity) is not positive")
        (self.model, self.optimizer, self.group) = (model, optimizer, group)
        (self.bucketCapacity, self.broadcastsBuffers) = (bucketCapacity, broadcastsBuffers)
        let all = model.parameters()
        parameters = all.filter(\.requiresGrad)
        try ensureSameStructure(all)
        for parameter in all { try group.broadcast(&parameter.value, from: 0) }
        try broadcastBuffers()
        var start = 0
        while start < parameters.count {
            var (end, bytes) = (start, 0)
            repeat {
                bytes += parameters[end].value.count * MemoryLayout<Scalar>.stride
                end += 1
            } while end < parameters.count && bytes + parameters[end].value.count * MemoryLayout<Scalar>.stride <= bucketCapacity
            let count = parameters[start..<end].reduce(0) { $0 + $1.value.count }
            buckets.append((start..<end, [Scalar](repeating: 0, count: count + (end - start) + 1)))
            start = end
        }
    }

    /// The number of all-reduces that average one step's gradients.
    public var bucketCount: Int { buckets.count }

    /// Clears every parameter's gradient, through the optimizer.
    public func zeroGrad() { optimizer.zeroGrad() }

    /// Averages the gradients across ranks, then runs the optimizer's step (and, with
    /// ``broadcastsBuffers``, copies rank 0's buffers to every rank).
    ///
    /// - Parameter samples: this rank's number of examples in the batch, to weight its gradient
    ///   by; nil weighs every rank the same. See ``averageGradients(samples:)``.
    public func step(samples: Int? = nil) throws {
        try averageGradients(samples: samples)
        optimizer.step()
        try broadcastBuffers()
    }

    /// Replaces every parameter's gradient, on every rank, with the average of the ranks' gradients:
    /// one all-reduce per bucket. Call it after `backward()`, before clipping or stepping.
    ///
    /// - Parameter samples: this rank's number of examples. When given (on every rank), each rank's
    ///   gradient is weighted by it and the sum divided by the total, which for a loss that is a
    ///   mean over the batch gives the gradient of the mean over the global batch even when the
    ///   ranks' batches differ in size, as a ``DataLoader`` shard's last batches may. When nil,
    ///   the sum is divided by the number of ranks, as PyTorch's `DistributedDataParallel` does.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func averageGradients(samples: Int? = nil) throws {
        if let samples { require(samples >= 0, "DistributedDataParallel: \(samples) samples is negative") }
        let start = ContinuousClock.now
        defer {
            communication.steps += 1
            communication.time += ContinuousClock.now - start
        }
        // One rank's average is its own gradient: nothing to send, nothing to change.
        guard group.size > 1 else { return }
        let weight = Scalar(samples ?? 1)
        for index in buckets.indices {
            let range = buckets[index].parameters
            try buckets[index].elements.withUnsafeMutableBufferPointer { packed in
                // [every parameter's gradient…, whether each has one…, the samples]
                let base = packed.baseAddress!
                let present = base + (packed.count - 1 - range.count)
                var offset = 0
                for (slot, parameter) in parameters[range].enumerated() {
                    let count = parameter.value.count
                    if let grad = parameter.grad, count > 0 {
                        grad.withUnsafeBufferPointer { gradient in
                            if samples == nil {
                                (base + offset).update(from: gradient.baseAddress!, count: count)
                            } else {
                                for i in 0..<count { base[offset + i] = weight * gradient[i] }
                            }
                        }
                    } else {
                        (base + offset).update(repeating: 0, count: count)
                    }
                    present[slot] = parameter.grad == nil ? 0 : 1
                    offset += count
                }
                base[packed.count - 1] = weight
                try group.allReduce(packed)
                let total = base[packed.count - 1]
                let scale = total > 0 ? 1 / total : 0
                offset = 0
                for (slot, parameter) in parameters[range].enumerated() {
                    let count = parameter.value.count
                    defer { offset += count }
                    // A parameter that no rank has a gradient for keeps none, as in one process.
                    guard present[slot] > 0, count > 0 else { continue }
                    if parameter.grad == nil { parameter.grad = Tensor.zeros(parameter.value.shape) }
                    parameter.grad!.withUnsafeMutableBufferPointer { gradient in
                        let target = gradient.baseAddress!
                        for i in 0..<count { target[i] = base[offset + i] * scale }
                    }
                }
            }
            communication.bytes += buckets[index].elements.count * MemoryLayout<Scalar>.stride
        }
        communication.allReduceCount += buckets.count
    }

    /// Copies rank 0's buffers to every rank, when ``broadcastsBuffers`` is set.
    private func broadcastBuffers() throws {
        guard broadcastsBuffers else { return }
        for (_, buffer) in model.namedBuffers() { try group.broadcast(&buffer.value, from: 0) }
    }

    /// Stops, on every rank, unless all ranks' models have the same parameter shapes in the same
    /// order, and the same ones frozen.
    private func ensureSameStructure(_ all: [Variable<Scalar>]) throws {
        var fingerprint = FNV1a()    // over the ranks, dimensions and flags
        for parameter in all {
            for word in [parameter.value.rank] + parameter.value.shape + [parameter.requiresGrad ? 1 : 0] {
                fingerprint.add(UInt64(word))
            }
        }
        guard try group.allAgree(on: Int64(bitPattern: fingerprint.value)) else {
            let shapes = all.map { "\($0.value.shape)" + ($0.requiresGrad ? "" : " (frozen)") }.joined(separator: ", ")
            throw DistributedError.invalidArgument(
                operation: "DistributedDataParallel",
                message: "the ranks' models differ: rank \(group.rank) has \(all.count) parameters of shapes \(shapes)")
        }
    }
}

/// What a ``DistributedDataParallel`` has sent to average gradients.
public struct CommunicationStatistics: Sendable, Equatable {
    /// The number of gradient averagings.
    public var steps = 0
    /// The number of all-reduces, one per bucket per step.
    public var allReduceCount = 0
    /// The bytes each rank gave to the all-reduces (its packed gradients and sample counts).
    public var bytes = 0
    /// The time spent packing, all-reducing and unpacking, waiting for the slowest rank included.
    public var time = Duration.zero
}
