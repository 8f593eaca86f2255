import Backprop
import BackpropNN
import Foundation

extension DistributedDataParallel {
    /// Saves the model, the optimizer's state and optionally the schedule, the loader and the epoch
    /// from rank 0 alone, with ``Module/save(to:optimizer:schedule:loader:epoch:)`` (an atomic write:
    /// the file is replaced whole or not at all). Every rank returns once rank 0 has finished, or
    /// throws if it failed, so all ranks go on together.
    ///
    /// - Throws: ``DistributedError/checkpointNotWritten(path:message:)`` on every rank if rank 0's
    ///   write failed; ``DistributedError/mpiFailed(operation:rank:message:)``.
    public func save(to url: URL, schedule: LearningRateSchedule<Scalar>? = nil, loader: (any ResumableLoader)? = nil,
                     epoch: Int? = nil) throws {
        var failure: String?
        if group.isMain {
            do { try model.save(to: url, optimizer: optimizer, schedule: schedule, loader: loader, epoch: epoch) } catch {
                failure = String(describing: error)
            }
        }
        guard try group.broadcast(failure == nil ? 0 : 1, from: 0) == 0 else {
            throw DistributedError.checkpointNotWritten(path: url.path, message: failure ?? "see rank 0's message")
        }
    }

    /// Loads a checkpoint on every rank, with ``Module/load(from:optimizer:schedule:loader:strict:)``,
    /// then checks that every rank loaded the same parameters.
    ///
    /// Each rank reads `url` itself, so the file must be where every rank can read it: a shared file
    /// system, or a copy at the same path on every host.
    ///
    /// - Returns: the epoch the checkpoint was saved at, if it records one.
    /// - Throws: on every rank, if any rank could not load it (a `CheckpointError` or
    ///   `SafetensorsError` where it failed, ``DistributedError/invalidArgument(operation:message:)``
    ///   naming that rank elsewhere), or if the ranks' parameters differ afterwards. Where loading
    ///   failed, nothing changed.
    @discardableResult
    public func load(from url: URL, schedule: LearningRateSchedule<Scalar>? = nil, loader: (any ResumableLoader)? = nil,
                     strict: Bool = true) throws -> Int? {
        let outcome = Result { try model.load(from: url, optimizer: optimizer, schedule: schedule, loader: loader, strict: strict) }
        let failed = if case .failure = outcome { Int64(group.rank) } else { Int64(-1) }
        let failingRank = try group.maxima(of: [failed])[0]    // the highest rank that failed, or -1
        if case .failure(let error) = outcome { throw error }
        if failingRank >= 0 {
            throw DistributedError.invalidArgument(operation: "DistributedDataParallel.load",
                                                   message: "rank \(failingRank) could not load \(url.lastPathComponent) (its own error says why)")
        }
        guard try group.allAgree(on: Int64(bitPattern: parameterChecksum())) else {
            throw DistributedError.invalidArgument(operation: "DistributedDataParallel.load",
                                                   message: "the ranks loaded different parameters from \(url.path)")
        }
        return try outcome.get()
    }

    /// An FNV-1a hash of every parameter element's bits.
    func parameterChecksum() -> UInt64 {
        var hasher = FNV1a()
        for parameter in model.parameters() {
            parameter.value.withUnsafeBufferPointer { elements in
                for element in elements { hasher.add(Double(element).bitPattern) }
            }
        }
        return hasher.value
    }
}
