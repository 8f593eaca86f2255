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
    // Handing a closure to other threads needs an escaping one, which `withoutActuallyEscaping`
    // makes by allocating a box; the kernels of a training step use `ParallelJob`s instead.
    withoutActuallyEscaping(body) { body in
        parallelFor(count, threads: threads, minimumChunk: minimumChunk, job: ClosureJob(body: body))
    }
}

/// Work over a range of indices that ``parallelFor(_:threads:minimumChunk:job:)`` splits across
/// threads: a struct of the pointers and sizes a kernel needs, which the worker threads read from
/// the caller's stack, where a closure that captured them would be allocated to be shared.
protocol ParallelJob: SendableMetatype {
    /// Runs the job on `range`, one chunk of its indices.
    func run(_ range: Range<Int>)
}

/// ``parallelFor(_:threads:minimumChunk:_:)`` for a ``ParallelJob``: allocates nothing.
func parallelFor<Job: ParallelJob>(_ count: Int, threads: Int = threadCount, minimumChunk: Int = 1, job: Job) {
    guard count > 0 else { return }
    let chunks = max(1, min(threads, count / max(minimumChunk, 1)))
    if chunks == 1 { job.run(0..<count); return }
    let ran = withUnsafePointer(to: job) { work in
        // A function of no captures once specialized for `Job`: the workers get it for free.
        guard #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) else { return false }
        return WorkerPool.shared.run(chunks: chunks, count: count, work: UnsafeRawPointer(work)) { work, range in
            work.assumingMemoryBound(to: Job.self).pointee.run(range)
        }
    }
    if ran { return }
    // The pool is busy or unavailable. `concurrentPerform` wants a `@Sendable` closure, but the
    // job holds unsafe pointers. Sharing it is sound: the call returns only once every chunk has
    // run, and chunks write disjoint memory (the contract above).
    let shared = UncheckedBox(job)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        shared.value.run((c * count / chunks)..<((c + 1) * count / chunks))
    }
}

/// A closure as a ``ParallelJob``, for the callers that have not a job of their own.
private struct ClosureJob: ParallelJob {
    let body: (Range<Int>) -> Void
    func run(_ range: Range<Int>) { body(range) }
}
