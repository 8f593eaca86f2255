import Foundation
import Testing
@testable import Backprop

/// Collects the chunks that `parallelFor` hands out, from any thread.
private final class ChunkLog: @unchecked Sendable {   // every access holds `lock`
    private let lock = NSLock()
    private var ranges: [Range<Int>] = []
    func append(_ range: Range<Int>) { lock.withLock { ranges.append(range) } }
    var sorted: [Range<Int>] { lock.withLock { ranges.sorted { $0.lowerBound < $1.lowerBound } } }
}

private func chunks(_ count: Int, threads: Int, minimumChunk: Int = 1) -> [Range<Int>] {
    let log = ChunkLog()
    parallelFor(count, threads: threads, minimumChunk: minimumChunk) { log.append($0) }
    return log.sorted
}

@Suite struct ParallelFor {
    @Test func chunksCoverEveryIndexOnceInOrder() {
        for count in [1, 2, 5, 17, 1000] {
            for threads in [1, 2, 3, 8] {
                let ranges = chunks(count, threads: threads)
                #expect(ranges.count == min(count, threads), "count \(count), threads \(threads)")
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.allSatisfy { !$0.isEmpty })
                // Near-equal: sizes differ by at most one.
                let sizes = ranges.map(\.count)
                #expect(sizes.max()! - sizes.min()! <= 1)
            }
        }
    }

    @Test func smallWorkRunsAsOneChunkOnTheCallingThread() {
        #expect(chunks(10, threads: 4, minimumChunk: 100) == [0..<10])
        #expect(chunks(250, threads: 4, minimumChunk: 100).count == 2)
        var ranThere = false
        parallelFor(5, threads: 1) { _ in ranThere = true }   // inline: a non-Sendable capture is fine
        #expect(ranThere)
    }

    /// A chunk that calls `parallelFor` again, and callers on several threads at once, find the
    /// worker pool busy and fall back to Dispatch: everything still runs, once.
    @Test func nestedAndConcurrentCallsComplete() {
        let (outer, inner) = (6, 500)
        var out = [Int](repeating: 0, count: outer * inner)
        out.withUnsafeMutableBufferPointer { out in
            let base = UncheckedBox(out)
            DispatchQueue.concurrentPerform(iterations: 3) { caller in
                parallelFor(2, threads: 2) { rows in
                    for row in rows where row * 3 + caller < outer {
                        let r = row * 3 + caller
                        parallelFor(inner, threads: 3) { columns in
                            for c in columns { base.value[r * inner + c] += r * inner + c }
                        }
                    }
                }
            }
        }
        #expect(out == Array(0..<(outer * inner)))
    }

    @Test func nothingToDoCallsNothing() {
        #expect(chunks(0, threads: 4).isEmpty)
        #expect(chunks(-3, threads: 4).isEmpty)
    }

    @Test func chunksRunConcurrentlyAndAllFinishBeforeReturning() {
        var out = [Int](repeating: 0, count: 10_000)
        out.withUnsafeMutableBufferPointer { out in
            parallelFor(out.count, threads: 4) { range in for i in range { out[i] = i * i } }
        }
        #expect(out == (0..<10_000).map { $0 * $0 })
    }
}

@Suite(.serialized) struct ParallelThreadCountSetting {
    @Test func defaultsToEnvironmentThenCores() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(defaultThreadCount(environment: [:]) == cores)
        #expect(defaultThreadCount(environment: ["BACKPROP_THREADS": "3"]) == 3)
        #expect(defaultThreadCount(environment: ["BACKPROP_THREADS": " 7 "]) == 7)
        for ignored in ["0", "-2", "two", ""] {
            #expect(defaultThreadCount(environment: ["BACKPROP_THREADS": ignored]) == cores)
        }
    }

    @Test func setAndRestore() {
        withThreads(2) {    // the scope keeps other tests' settings out
            let saved = Backprop.threadCount
            Backprop.threadCount = 3
            #expect(Backprop.threadCount == 3)
            Backprop.threadCount = saved
            #expect(Backprop.threadCount == 2)
        }
    }

    /// matmul through the public setting: the same bits for one thread and for several.
    @Test func matmulIdenticalForAnyThreadCount() {
        let a = Tensor<Float>.uniform([300, 260], low: -1, high: 1, seed: 1)
        let b = Tensor<Float>.uniform([260, 310], low: -1, high: 1, seed: 2)
        let one = withThreads(1) { matmul(a, b).scalars }
        for threads in [2, 3] {
            #expect(withThreads(threads) { matmul(a, b).scalars } == one)
            #expect(withThreads(threads) { matmul(a, b).scalars } == one)
        }
    }
}
