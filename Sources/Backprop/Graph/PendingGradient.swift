/// The gradient that a sweep has summed so far for one node, waiting for the node's visit.
///
/// A first-order sweep keeps the gradient of a one-element node as a plain number; otherwise
/// it sums variables.
struct PendingGradient<Scalar: TensorScalar> {
    var variable: Variable<Scalar>?
    var hasNumber = false
    /// The number's bytes, in a field whose size does not depend on `Scalar` (as a tensor's
    /// `singleBits`): a variable's layout stays fixed, so its deinitializer, which is not
    /// specialized, destroys this field without looking up generic type metadata.
    private var numberBits: UInt64 = 0

    /// The gradient held as a number, when `hasNumber`.
    var number: Scalar {
        @inline(__always) get { withUnsafeBytes(of: numberBits) { $0.load(as: Scalar.self) } }
        @inline(__always) set { withUnsafeMutableBytes(of: &numberBits) { $0.storeBytes(of: newValue, as: Scalar.self) } }
    }

    /// Adds a gradient held as a variable.
    mutating func add(_ gradient: Variable<Scalar>) {
        variable = variable.map { $0 + gradient } ?? gradient
    }

    /// Adds a gradient held as a number.
    @inline(__always)
    mutating func add(_ gradient: Scalar) {
        if hasNumber {
            number += gradient
        } else {
            number = gradient
            hasNumber = true
        }
    }

    /// The sum as a variable of `shape`, or nil if nothing was added; nothing is left pending.
    mutating func take(shape: [Int]) -> Variable<Scalar>? {
        var gradient = variable
        variable = nil
        if hasNumber {
            hasNumber = false
            let number = Variable(Tensor(shape: shape, scalars: [number]))
            gradient = gradient.map { $0 + number } ?? number
        }
        return gradient
    }
}

/// The pending gradients of the leaves that a sweep reaches, kept beside the graph instead of
/// in the leaves.
///
/// A leaf (a parameter) may feed graphs that other threads sweep at the same time, so a
/// sweep writes nothing into it. A recorded node belongs to the one graph being swept and
/// keeps its pending gradient in a field of its own. The table is keyed by the leaves'
/// addresses, with open addressing: finding a leaf costs a multiplication and a comparison,
/// not the hashing of a dictionary key, since the sweep of a scalar chain looks a leaf up
/// once for every op that uses it.
struct LeafGradients<Scalar: TensorScalar>: ~Copyable {
    /// A leaf's address, 0 for an empty slot, and its pending gradient.
    private struct Slot {
        var address: UInt = 0
        var pending = PendingGradient<Scalar>()
    }

    /// A power of two in number, at most half of them used: a probe ends at the first empty slot.
    private var slots: UnsafeMutableBufferPointer<Slot> = .init(start: nil, count: 0)
    private var count = 0
    /// 64 − log₂(slots.count): the hash's high bits pick the slot.
    private var shift: UInt64 = 64

    init() {}

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    /// Adds `leaf` with nothing pending; returns false if it is in the table already.
    @inline(__always)
    mutating func insert(_ leaf: Variable<Scalar>) -> Bool {
        let address = Self.address(of: leaf)
        if slots.count > 0 {
            var i = home(address)
            while slots[i].address != 0 {
                if slots[i].address == address { return false }
                i = (i + 1) & (slots.count - 1)
            }
            if 2 * (count + 1) <= slots.count {
                slots[i].address = address
                count += 1
                return true
            }
        }
        insertGrowing(address)
        return true
    }

    /// Runs `body` on the pending gradient of `leaf`, which must have been inserted.
    @inline(__always)
    func withPending<R>(of leaf: Variable<Scalar>, _ body: (inout PendingGradient<Scalar>) -> R) -> R {
        let address = Self.address(of: leaf)
        var i = home(address)
        while slots[i].address != address {
            precondition(slots[i].address != 0, "backward: a leaf was reached that the topological sort did not visit")
            i = (i + 1) & (slots.count - 1)
        }
        return body(&slots[i].pending)
    }

    @inline(__always)
    private static func address(of leaf: Variable<Scalar>) -> UInt { UInt(bitPattern: ObjectIdentifier(leaf)) }

    /// The slot where the search for `address` starts (Fibonacci hashing).
    @inline(__always)
    private func home(_ address: UInt) -> Int {
        Int(truncatingIfNeeded: (UInt64(address) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Doubles the table (16 slots at first), moving every entry, then adds `address`.
    @inline(never)
    private mutating func insertGrowing(_ address: UInt) {
        let old = slots
        let capacity = Swift.max(16, 2 * old.count)
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Slot())
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for j in old.indices where old[j].address != 0 { place(old[j]) }
        _ = old.deinitialize()
        old.deallocate()
        place(Slot(address: address))
        count += 1
    }

    /// Puts `slot` in the first empty slot from its home on.
    private func place(_ slot: Slot) {
        var i = home(slot.address)
        while slots[i].address != 0 { i = (i + 1) & (slots.count - 1) }
        slots[i] = slot
    }
}
