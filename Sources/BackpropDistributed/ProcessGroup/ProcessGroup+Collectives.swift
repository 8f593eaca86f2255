import Backprop

/// How ``ProcessGroup/allReduce(_:_:)`` combines the ranks' elements.
public enum ReductionOperation: Sendable {
    /// The sum (`MPI_SUM`).
    case sum
    /// The largest (`MPI_MAX`).
    case max
    /// The smallest (`MPI_MIN`).
    case min
}

extension ProcessGroup {
    /// Replaces every element of `tensor`, on every rank, with the elements at its position on all
    /// ranks combined by `operation` (`MPI_Allreduce`, in place). Every rank passes a tensor of the
    /// same shape.
    ///
    /// - Throws: ``DistributedError/mpiFailed(operation:rank:message:)``.
    public func allReduce<Scalar: TensorScalar>(_ tensor: inout Tensor<Scalar>, _ operation: ReductionOperation = .sum) throws {
        try tensor.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// ``allReduce(_:_:)`` on an array.
    public func allReduce<Scalar: TensorScalar>(_ scalars: inout [Scalar], _ operation: ReductionOperation = .sum) throws {
        try scalars.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// ``allReduce(_:_:)`` on memory: the elements are combined in place.
    public func allReduce<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>,
                                                _ operation: ReductionOperation = .sum) throws {
        try allReduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, datatype: datatype(Scalar.self),
                      operation: operation)
    }

    /// Replaces `tensor` on every rank with `root`'s (`MPI_Bcast`). Every rank passes a tensor of the same shape.
    ///
    /// - Throws: ``DistributedError/invalidArgument(operation:message:)`` if `root` is not a rank;
    ///   ``DistributedError/mpiFailed(operation:rank:message:)``.
    public func broadcast<Scalar: TensorScalar>(_ tensor: inout Tensor<Scalar>, from root: Int = 0) throws {
        try tensor.withUnsafeMutableBufferPointer { try broadcast($0, from: root) }
    }

    /// ``broadcast(_:from:)`` on memory.
    public func broadcast<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, from root: Int = 0) throws {
        try broadcast(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, datatype: datatype(Scalar.self), from: root)
    }

    /// Whether every rank passed the same `value`: one all-reduce of `[value, -value]` by maximum.
    func allAgree(on value: Int64) throws -> Bool {
        let largest = try maxima(of: [value, value == .min ? .max : -value])
        return largest[0] == -largest[1] || (largest[0] == .min && largest[1] == .max)
    }

    /// The largest of each of `values` over all ranks.
    func maxima(of values: [Int64]) throws -> [Int64] {
        var values = values
        try values.withUnsafeMutableBufferPointer {
            try allReduce(UnsafeMutableRawPointer($0.baseAddress), count: $0.count, datatype: library.int64, operation: .max)
        }
        return values
    }

    /// `value` on every rank replaced by `root`'s.
    func broadcast(_ value: Int64, from root: Int = 0) throws -> Int64 {
        var copy = value
        try withUnsafeMutablePointer(to: &copy) { try broadcast(UnsafeMutableRawPointer($0), count: 1, datatype: library.int64, from: root) }
        return copy
    }

    private func datatype<Scalar: TensorScalar>(_: Scalar.Type) throws -> MPILibrary.Handle {
        if Scalar.self == Float.self { return library.float }
        if Scalar.self == Double.self { return library.double }
        throw DistributedError.invalidArgument(operation: "ProcessGroup", message: "MPI has no type for \(Scalar.self): use Float or Double")
    }

    private func allReduce(_ base: UnsafeMutableRawPointer?, count: Int, datatype: MPILibrary.Handle,
                           operation: ReductionOperation) throws {
        let op = switch operation {
        case .sum: library.sum
        case .max: library.max
        case .min: library.min
        }
        try inPieces(base, count: count, datatype: datatype) { address, piece in
            try collective("MPI_Allreduce") { library.allreduce(library.inPlace, address, piece, datatype, op, library.commWorld) }
        }
    }

    private func broadcast(_ base: UnsafeMutableRawPointer?, count: Int, datatype: MPILibrary.Handle, from root: Int) throws {
        guard (0..<size).contains(root) else {
            throw DistributedError.invalidArgument(operation: "broadcast", message: "root \(root) is not a rank of 0..<\(size)")
        }
        try inPieces(base, count: count, datatype: datatype) { address, piece in
            try collective("MPI_Bcast") { library.bcast(address, piece, datatype, Int32(root), library.commWorld) }
        }
    }

    /// Calls `body` on consecutive pieces of `count` elements from `base`: MPI counts are 32-bit, so a
    /// longer buffer goes in pieces of at most `Int32.max` elements (an empty one as one empty piece).
    private func inPieces(_ base: UnsafeMutableRawPointer?, count: Int, datatype: MPILibrary.Handle,
                          _ body: (UnsafeMutableRawPointer?, Int32) throws -> Void) throws {
        let stride = datatype == library.float ? 4 : 8    // Float, or Double and Int64
        var start = 0
        repeat {
            let piece = Swift.min(count - start, Int(Int32.max))
            try body(base.map { $0 + start * stride }, Int32(piece))
            start += piece
        } while start < count
    }
}
