// Raw access to a tensor's elements, for code outside Backprop that hands them to C: MPI's
// collectives, a BLAS, a file format. The elements are contiguous, row-major, `count` of them.

extension Tensor {
    /// Calls `body` with the elements in row-major order, in place. The pointer is valid only inside `body`.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try withBuffer(body)
    }

    /// Calls `body` with the elements in row-major order, to read and write in place, first copying
    /// the storage if another tensor shares it (so no other tensor sees the writes). The pointer is
    /// valid only inside `body`.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try withMutableBuffer(body)
    }
}
