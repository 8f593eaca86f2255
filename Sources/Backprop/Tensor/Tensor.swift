/// An n-dimensional array, stored row-major: of `Float` or `Double` for values, of `Int` for
/// indices and labels, of `Bool` for masks.
///
/// `Tensor` is a value type: copies share storage until one of them is
/// mutated (copy-on-write). Any rank is allowed, including 0 for a scalar.
/// Arithmetic (on `Float` and `Double`) broadcasts by NumPy's rules.
public struct Tensor<Scalar: TensorElement>: @unchecked Sendable {
    // Sendable as Array is: the storage is written only while it is being created or when
    // this tensor holds the only reference to it (copy-on-write), so values can cross threads.
    /// The size of each axis.
    public let shape: [Int]
    /// The elements, shared with copies of this tensor until one of them is mutated; nil for
    /// a tensor of one element, which holds it in `singleBits` and so allocates nothing.
    @usableFromInline var storage: TensorStorage<Scalar>?
    /// The element of a one-element tensor, as the bytes of a field of fixed size: the
    /// tensor's layout then does not depend on `Scalar`, so code that only copies or
    /// destroys tensors (a variable's deinitializer) needs no generic metadata.
    @usableFromInline var singleBits: UInt64 = 0

    /// Creates a tensor of `shape` from its elements in row-major order.
    ///
    /// Stops with a message if `scalars.count` is not the product of `shape`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public init(shape: [Int], scalars: [Scalar]) {
        checked { () throws(ShapeError) in
            try Shapes.validate(shape, op: "Tensor(shape:scalars:)")
            guard Shapes.count(shape) == scalars.count else {
                throw ShapeError("Tensor(shape:scalars:)",
                                 "shape \(describe(shape)) holds \(Shapes.count(shape)) elements, but \(scalars.count) were given")
            }
        }
        self.init(shape: shape) { elements in
            scalars.withUnsafeBufferPointer { source in
                if let start = source.baseAddress { elements.baseAddress!.initialize(from: start, count: source.count) }
            }
        }
    }

    /// Creates a 0-d tensor holding `scalar`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public init(_ scalar: Scalar) {
        self.init(shape: [], element: scalar)
    }

    /// Creates a 1-d tensor from `scalars`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public init(_ scalars: [Scalar]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// Creates a 2-d tensor from rows of equal length.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public init(_ rows: [[Scalar]]) {
        let width = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != width }) {
            programmerError("Tensor(_ rows:): row \(bad) has \(rows[bad].count) elements, but row 0 has \(width)")
        }
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Creates a tensor of `shape` with every element equal to `value`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public init(repeating value: Scalar, shape: [Int]) {
        checked { () throws(ShapeError) in try Shapes.validate(shape, op: "Tensor(repeating:shape:)") }
        self.init(shape: shape, scalars: [Scalar](repeating: value, count: Shapes.count(shape)))
    }

    /// The elements in row-major order.
    public var scalars: [Scalar] { withBuffer { Array($0) } }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var count: Int {
        @inline(__always) get { storage?.count ?? 1 }
    }

    /// The only element of a tensor that holds exactly one. Inlined, like ``count``: the
    /// backward sweep of a scalar graph reads it for every node, and a call would copy the
    /// tensor (and retain its shape) first.
    public var scalar: Scalar {
        @inline(__always) get {
            if storage == nil { return element }
            guard count == 1 else {
                programmerError("scalar: a tensor of shape \(describe(shape)) holds \(count) elements, not 1")
            }
            return withBuffer { $0[0] }
        }
    }

    /// The element at a full index, one position per axis.
    public subscript(_ indices: Int...) -> Scalar {
        get { self[flat: offset(of: indices)] }
        set { self[flat: offset(of: indices)] = newValue }
    }

    private func offset(of indices: [Int]) -> Int {
        guard indices.count == rank else {
            programmerError("subscript: \(indices.count) indices for a tensor of shape \(describe(shape))")
        }
        var offset = 0
        for (axis, i) in indices.enumerated() {
            guard i >= 0 && i < shape[axis] else {
                programmerError("subscript: index \(i) is out of range for axis \(axis) of shape \(describe(shape))")
            }
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// Creates a tensor of `shape` whose elements `body` writes, every one of them. In a compiled
    /// replay (`output` given) the shape is the step's traced one, and the elements go into the
    /// storage that `output` holds when no other tensor shares it (the step's result from the last
    /// call), else into new storage; `shape` is not evaluated then.
    init(shape: @autoclosure () -> [Int], reusing output: ReusableOutput<Scalar>?,
         initializingWith body: (UnsafeMutableBufferPointer<Scalar>) -> Void) {
        guard let output else {
            self.init(shape: shape(), initializingWith: body)
            return
        }
        guard var reused = output.tensor.take(), reused.storage?.count == output.count,
              isKnownUniquelyReferenced(&reused.storage) else {
            self.init(shape: output.shape, initializingWith: body)
            return
        }
        let storage = reused.storage.unsafelyUnwrapped
        withExtendedLifetime(storage) { body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count)) }
        self.init(shape: output.shape, sharingElementsOf: reused)
    }

    /// Creates a tensor of `shape` whose elements `body` writes, every one of them.
    init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Scalar>) -> Void) {
        self.shape = shape
        let count = Shapes.count(shape)
        if count == 1 {
            precondition(MemoryLayout<Scalar>.size <= MemoryLayout<UInt64>.size)
            var bits: UInt64 = 0
            withUnsafeMutablePointer(to: &bits) {
                $0.withMemoryRebound(to: Scalar.self, capacity: 1) { body(UnsafeMutableBufferPointer(start: $0, count: 1)) }
            }
            self.singleBits = bits
        } else {
            let storage = TensorStorage<Scalar>.make(count: count)
            body(UnsafeMutableBufferPointer(start: storage.base, count: count))
            self.storage = storage
        }
    }

    /// A one-element tensor of `shape` (every size 1) holding `element` inline.
    @inline(__always)
    init(shape: [Int], element: Scalar) {
        precondition(MemoryLayout<Scalar>.size <= MemoryLayout<UInt64>.size)
        self.shape = shape
        withUnsafeMutableBytes(of: &singleBits) { $0.storeBytes(of: element, as: Scalar.self) }
    }

    /// The element of a tensor that holds it inline (`storage` is nil).
    var element: Scalar {
        @inline(__always) get { withUnsafeBytes(of: singleBits) { $0.load(as: Scalar.self) } }
    }

    /// The same elements under another shape of the same count, shared, not copied: a reshape.
    init(shape: [Int], sharingElementsOf other: Tensor) {
        self.shape = shape
        self.storage = other.storage
        self.singleBits = other.singleBits
    }

    /// Reads the elements in place. Inlinable, like ``withMutableBuffer(_:)``: the in-place updates
    /// of `Tensor+Update.swift`, inlined into an optimizer in another module, then run their
    /// closures inline, in a loop the compiler vectorizes.
    @inlinable
    func withBuffer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        guard let storage else {
            return try withUnsafePointer(to: singleBits) {
                try $0.withMemoryRebound(to: Scalar.self, capacity: 1) { try body(UnsafeBufferPointer(start: $0, count: 1)) }
            }
        }
        return try withExtendedLifetime(storage) { try body(UnsafeBufferPointer(start: storage.base, count: storage.count)) }
    }

    /// Writes the elements in place, first copying storage that another tensor shares.
    @inlinable
    mutating func withMutableBuffer<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        guard storage != nil else {
            return try withUnsafeMutablePointer(to: &singleBits) {
                try $0.withMemoryRebound(to: Scalar.self, capacity: 1) { try body(UnsafeMutableBufferPointer(start: $0, count: 1)) }
            }
        }
        if !isKnownUniquelyReferenced(&storage) { storage = storage!.copy() }
        let storage = storage.unsafelyUnwrapped
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
        }
    }

    /// The element at a row-major position.
    subscript(flat index: Int) -> Scalar {
        get { withBuffer { $0[index] } }
        set { withMutableBuffer { $0[index] = newValue } }
    }
}

extension Tensor where Scalar: Numeric {
    /// A tensor of zeros.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor of ones.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
}

extension Tensor: Equatable {
    /// Tensors are equal when their shapes and all their elements are equal.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.withBuffer { a in rhs.withBuffer { b in a.elementsEqual(b) } }
    }
}

extension Tensor where Scalar: TensorScalar {
    /// Whether every element is within `tolerance` of the other tensor's, shapes equal.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func isApproximatelyEqual(to other: Tensor, tolerance: Scalar) -> Bool {
        shape == other.shape && withBuffer { a in
            other.withBuffer { b in zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance } }
        }
    }
}

/// What a compiled replay keeps for one step across calls: the shape of the step's result (the
/// traced one, the same at every call), and the tensor the step made last time, once nothing
/// reads it any more. The step's kernel writes into that tensor again when no other tensor
/// shares it, instead of allocating.
///
/// Its fields skip the runtime's exclusivity checks: one replay, on one thread, uses them.
final class ReusableOutput<Scalar: TensorElement> {
    let shape: [Int]
    let count: Int
    @exclusivity(unchecked) var tensor: Tensor<Scalar>?
    /// What a kernel derives from the shapes alone, made at the step's first replay: the strides
    /// through which a broadcast reads its input, or the plan of a broadcasting elementwise op.
    @exclusivity(unchecked) private var strides: [Int]?
    @exclusivity(unchecked) var zipPlan: ZipPlan?
    /// Positions that a kernel computes on the way (max pooling's), and values it computes but
    /// does not return, kept for the next call.
    @exclusivity(unchecked) var positions: [Int] = []
    @exclusivity(unchecked) var discardedValues: [Scalar] = []

    init(shape: [Int]) {
        self.shape = shape
        count = Shapes.count(shape)
    }

    /// The strides that broadcast an input of `inputShape` to ``shape``: the same at every call.
    func broadcastStrides(from inputShape: [Int]) -> [Int] {
        if let strides { return strides }
        let made = Shapes.broadcastStrides(inputShape, to: shape)
        strides = made
        return made
    }
}
