import Dispatch

/// Runs `body` over `0..<count`, split into at most `threads` contiguous chunks that run concurrently.
///
/// Chunk `c` of `n` covers `c·count/n ..< (c+1)·count/n`, so the split depends only on
/// `count` and the number of chunks. Each chunk holds at least `minimumChunk` indices (but for
/// a smaller `count`, which runs as one chunk). With one chunk, `body` runs inline on the
/// calling thread. Chunks must write disjoint memory; `body` returns when every chunk is done.
///
/// - Parameters:
///   - count: the number of indices; 0 or less does nothing.
///   - threads: the most chunks to run at once; defaults to `threadCount`.
///   - minimumChunk: the fewest indices worth handing to a thread of their own.
///   - body: called once per chunk with its range of indices.
func parallelFor(_ count: Int, threads: Int = threadCount, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = max(1, min(threads, count / max(minimumChunk, 1)))
    if chunks == 1 { body(0..<count); return }
    // Closure literals, not a shared `let`: a literal passed where no escape is allowed keeps its context on the stack.
    if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *),
       WorkerPool.shared.run(chunks: chunks, { c in body((c * count / chunks)..<((c + 1) * count / chunks)) }) {
        return
    }
    // The pool is busy or unavailable. `concurrentPerform` wants a `@Sendable` closure, but
    // `body` captures unsafe pointers. Sharing it is sound: the call returns only once every
    // chunk has run, and chunks write disjoint memory (the contract above).
    withoutActuallyEscaping({ (c: Int) in body((c * count / chunks)..<((c + 1) * count / chunks)) }) { chunk in
        let shared = UncheckedBox(chunk)
        DispatchQueue.concurrentPerform(iterations: chunks) { shared.value($0) }
    }
}
