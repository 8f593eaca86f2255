import Testing
@testable import Backprop

@Suite struct TensorStorageAndBufferCache {
    @Test func largeAndSmallTensorsKeepValueSemantics() {
        for count in [3, 100_000] {    // in the object itself, and a cached block
            let original = Tensor<Float>(shape: [count], scalars: (0..<count).map(Float.init))
            var copy = original
            copy[count - 1] = -1
            #expect(original[count - 1] == Float(count - 1))
            #expect(copy[count - 1] == -1)
            #expect(copy.reshaped([1, count])[0, 0] == 0)
            #expect(original.scalars == (0..<count).map(Float.init))
        }
    }

    @Test func rawBufferAccessReadsInOrderAndWritesOnlyItsOwnCopy() {
        for scalars in [[Float(7)], [1, 2, 3, 4, 5, 6]] {    // a scalar, and a tensor with storage
            let original = Tensor<Float>(shape: scalars.count == 1 ? [] : [2, 3], scalars: scalars)
            #expect(original.withUnsafeBufferPointer { Array($0) } == scalars)
            var written = original
            written.withUnsafeMutableBufferPointer { buffer in
                for i in buffer.indices { buffer[i] *= 10 }
            }
            #expect(written.scalars == scalars.map { $0 * 10 } && written.shape == original.shape)
            #expect(original.scalars == scalars)
        }
    }

    @Test func oneElementTensorsHoldTheirElementWithoutStorage() {
        let original = Tensor<Double>(shape: [1, 1], scalars: [2.5])
        var copy = original.reshaped([1])
        #expect(original.storage == nil && copy.storage == nil && Tensor<Double>(7).storage == nil)
        copy.update(with: Tensor([0.5])) { a, b in a += b }
        copy[0] *= 2
        #expect(copy == Tensor([6]))
        #expect(original.scalar == 2.5 && original.shape == [1, 1])
        #expect((original + Tensor(shape: [2], scalars: [1, 2])).scalars == [3.5, 4.5])
        #expect(Tensor<Double>(shape: [2], scalars: [1, 2]).storage != nil)
    }

    @Test func emptyTensorsHaveNoElements() {
        var empty = Tensor<Double>(shape: [0, 3], scalars: [])
        #expect(empty.count == 0 && empty.scalars.isEmpty)
        empty.update(with: Tensor(shape: [0, 3], scalars: [])) { a, b in a += b }
        #expect(empty == Tensor(shape: [0, 3], scalars: []))
        #expect(empty.reshaped([3, 0]).shape == [3, 0])
    }

    @Test func aReleasedBlockServesTheNextTensorOfItsSize() {
        let cache = BufferCache()
        let bytes = 1 << 20
        let first = cache.take(bytes)
        cache.give(first, bytes: bytes)
        #expect(cache.bytesCached == bytes)
        #expect(cache.take(bytes) == first)
        #expect(cache.bytesCached == 0)
        let other = cache.take(bytes)
        #expect(other != first)
        first.deallocate()
        other.deallocate()
    }

    @Test func theCacheStaysWithinItsCapacity() {
        let cache = BufferCache()
        let bytes = cache.capacity / 3 + 1
        let blocks = (0..<4).map { _ in cache.take(bytes) }
        for block in blocks { cache.give(block, bytes: bytes) }
        #expect(cache.bytesCached == 2 * bytes)     // the third and fourth would exceed it
        #expect(cache.bytesCached <= cache.capacity)
        let small = cache.take(1 << 16)
        cache.give(small, bytes: 1 << 16)           // fits beside the two large ones
        #expect(cache.bytesCached == 2 * bytes + (1 << 16))
    }
}
