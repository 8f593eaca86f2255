import Foundation

/// The size and placement of a ``TensorStorage``'s elements.
@usableFromInline
struct StorageHeader {
    @usableFromInline let count: Int
    /// A block from the buffer cache, for large buffers; nil when the elements follow the header.
    @usableFromInline let block: UnsafeMutableRawPointer?
}

/// The elements of a tensor, shared by its copies until one of them is mutated.
///
/// A small buffer sits in the object itself (one allocation per tensor). A large one is a
/// block from ``BufferCache``, which takes it back when the tensor dies: a training loop
/// allocates the same sizes every step, so it reuses the same memory instead of asking the
/// system for fresh pages (a page fault for every first touch) and handing them back.
@usableFromInline
final class TensorStorage<Scalar: TensorElement>: ManagedBuffer<StorageHeader, Scalar> {

    /// New storage for `count` elements, not initialized: the caller writes every one.
    static func make(count: Int) -> TensorStorage {
        let bytes = count * MemoryLayout<Scalar>.stride
        let block = bytes >= BufferCache.minimumBytes ? BufferCache.shared.take(bytes) : nil
        let storage = create(minimumCapacity: block == nil ? count : 0) { _ in
            StorageHeader(count: count, block: block)
        }
        return unsafeDowncast(storage, to: TensorStorage.self)
    }

    /// The number of elements.
    @usableFromInline var count: Int { header.count }

    /// The first element. Valid while this storage is alive.
    @usableFromInline var base: UnsafeMutablePointer<Scalar> {
        if let block = header.block { return block.assumingMemoryBound(to: Scalar.self) }
        return withUnsafeMutablePointerToElements { $0 }
    }

    /// A copy with the same elements, for copy-on-write.
    @usableFromInline
    func copy() -> TensorStorage {
        let copy = TensorStorage.make(count: count)
        copy.base.initialize(from: base, count: count)
        return copy
    }

    deinit {
        // Elements are bitwise-copyable and need no deinitialization; a cached block goes back to the cache.
        if let block = header.block { BufferCache.shared.give(block, bytes: count * MemoryLayout<Scalar>.stride) }
    }
}

/// Large blocks of memory that tensors have released, kept for the next tensor of the same
/// byte size. At most `capacity` bytes wait here; beyond that, blocks of other sizes are
/// returned to the system first. Thread-safe: tensors die on any thread.
final class BufferCache: @unchecked Sendable {   // every mutable field is guarded by `lock`
    /// The whole process's cache. Caching changes where memory comes from, never a result.
    static let shared = BufferCache()

    /// Blocks below this size come from, and go back to, the system allocator directly.
    static let minimumBytes = 1 << 16

    /// The most bytes the cache holds at once.
    let capacity = 1 << 28

    private let lock = NSLock()
    private var blocks: [Int: [UnsafeMutableRawPointer]] = [:]
    private var cachedBytes = 0

    /// A block of `bytes` bytes, 64-byte aligned: a cached one if there is one.
    func take(_ bytes: Int) -> UnsafeMutableRawPointer {
        lock.lock()
        if let block = blocks[bytes]?.popLast() {
            cachedBytes -= bytes
            lock.unlock()
            return block
        }
        lock.unlock()
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    }

    /// Takes back a block of `bytes` bytes from ``take(_:)``.
    func give(_ block: UnsafeMutableRawPointer, bytes: Int) {
        var released: [UnsafeMutableRawPointer] = []
        lock.lock()
        blocks[bytes, default: []].append(block)
        cachedBytes += bytes
        if cachedBytes > capacity {
            // Release blocks of other sizes, largest first, then of this size, until it fits.
            let order = blocks.keys.filter { $0 != bytes }.sorted(by: >) + [bytes]
            for size in order where cachedBytes > capacity {
                while cachedBytes > capacity, let victim = blocks[size]?.popLast() {
                    released.append(victim)
                    cachedBytes -= size
                }
                if blocks[size]?.isEmpty == true { blocks[size] = nil }
            }
        }
        lock.unlock()
        for victim in released { victim.deallocate() }
    }

    /// The bytes waiting in the cache now.
    var bytesCached: Int {
        lock.lock()
        defer { lock.unlock() }
        return cachedBytes
    }
}
