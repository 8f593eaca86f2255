import CBackpropKernels
import Foundation
import Synchronization

/// Persistent worker threads that spin for a moment between jobs before they sleep.
///
/// Why not only `DispatchQueue.concurrentPerform`: its idle workers sleep in the kernel, and on
/// virtual machines waking one takes 50–100 µs, as long as a whole 128×128 product; the caller
/// then runs every chunk itself, and two threads were measured slower than one below ~256³.
/// A worker here spins for `spinTime` after each job, so back-to-back jobs (the matrix
/// products of a training step) reach it in well under a microsecond.
///
/// Chunks are claimed, not assigned: the caller and the workers take the next unclaimed chunk
/// until none is left, and the caller then waits only for chunks already running. A worker
/// that the operating system has descheduled (other programs on the same cores) therefore
/// never holds up a job: the caller runs its share. Results do not depend on who runs a chunk,
/// since a chunk's range is fixed by the job alone.
///
/// One job runs at a time; a caller that finds the pool busy (another thread's job, or a job
/// nested inside a chunk) gets `false` from `run` and uses Dispatch instead.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
final class WorkerPool: Sendable {
    static let shared = WorkerPool()

    /// How long an idle worker polls for the next job before it sleeps.
    static let spinTime: UInt64 = 2_000_000   // nanoseconds

    private let busy = NSLock()
    /// The workers; read and grown only by the caller holding `busy`.
    private let workers = UncheckedBox<[Thread]>([])
    private let job = JobBoard()

    /// Runs `run(work, range)` for chunk `c` of `0..<count` split into `chunks`, for every `c`,
    /// concurrently; returns false, having run nothing, when the pool is busy. `work` points to
    /// the caller's description of the job (on its stack), which `run` reads: a function that
    /// captures nothing, so that handing it to the workers allocates nothing, where a closure
    /// would be boxed.
    func run(chunks: Int, count: Int, work: UnsafeRawPointer, _ run: @escaping (UnsafeRawPointer, Range<Int>) -> Void) -> Bool {
        guard busy.try() else { return false }
        defer { busy.unlock() }
        while workers.value.count < chunks - 1 {
            let thread = Thread { [job] in
                bp_gemm_reserve_scratch()    // before any job: a warm training step then allocates nothing here
                job.serve()
            }
            thread.name = "Backprop worker"
            thread.start()
            workers.value.append(thread)
        }
        job.post(chunks: chunks, count: count, work: work, run)
        job.runChunks()
        job.waitUntilDone(chunks: chunks)
        job.clear()
        return true
    }
}

/// The one job of a ``WorkerPool``, and the protocol by which threads share it.
///
/// `claims` packs the job's generation (upper 32 bits), its chunk count (next 16) and the
/// next unclaimed chunk (low 16). The caller writes `body`, then publishes a new generation
/// (release). A thread claims chunk `i` by a compare-and-swap of that exact word (acquire),
/// so it can never take a chunk of a job other than the one whose `body` it then reads, and
/// the caller keeps `body` until `completed` reaches the chunk count: every claimed chunk has
/// returned. Threads that claimed nothing never touch `body`.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
private final class JobBoard: @unchecked Sendable {   // `body` is guarded by the protocol above
    private let claims = Atomic<UInt64>(0)
    private let completed = Atomic<Int>(0)
    /// The job: the function that runs a range of its indices, where its description is, and how
    /// many indices it splits. In fields of their own: a function inside a tuple inside an
    /// optional is stored at another abstraction, and calling it then allocates a thunk.
    private var body: ((UnsafeRawPointer, Range<Int>) -> Void)?
    private var work: UnsafeRawPointer?
    private var count = 0
    private let wake = NSCondition()

    private static func generation(_ word: UInt64) -> UInt64 { word >> 32 }

    func post(chunks: Int, count: Int, work: UnsafeRawPointer, _ run: @escaping (UnsafeRawPointer, Range<Int>) -> Void) {
        precondition(chunks < 1 << 16, "WorkerPool: \(chunks) chunks")
        (self.body, self.work, self.count) = (run, work, count)
        completed.store(0, ordering: .relaxed)
        let next = (Self.generation(claims.load(ordering: .relaxed)) &+ 1) & 0xFFFF_FFFF
        claims.store(next << 32 | UInt64(chunks) << 16, ordering: .releasing)
        wake.lock()      // pairs with the check under the lock in `serve`: no lost wake-up
        wake.broadcast()
        wake.unlock()
    }

    /// Claims and runs chunks of the current job until none is left.
    func runChunks() {
        var word = claims.load(ordering: .acquiring)
        while true {
            let chunks = (word >> 16) & 0xFFFF, next = word & 0xFFFF
            guard next < chunks else { return }
            let (exchanged, original) = claims.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            guard exchanged else { word = original; continue }
            do {                             // the closure's copy ends here, before reporting
                let c = Int(next), chunks = Int(chunks)
                body!(work!, (c * count / chunks)..<((c + 1) * count / chunks))
            }
            completed.add(1, ordering: .releasing)
            word = claims.load(ordering: .acquiring)
        }
    }

    func waitUntilDone(chunks: Int) {
        var spins = 0
        while completed.load(ordering: .acquiring) != chunks {
            spins += 1
            if spins > 1000 { sched_yield() }
        }
    }

    /// Drops the caller's job: its description lives on the caller's stack.
    func clear() { (body, work) = (nil, nil) }

    /// A worker's loop: wait for a new generation (spinning for `spinTime`, then asleep), then
    /// help with its chunks.
    func serve() {
        var seen = Self.generation(claims.load(ordering: .acquiring))
        while true {
            var polls = 0
            var deadline: UInt64 = 0
            while Self.generation(claims.load(ordering: .acquiring)) == seen {
                polls += 1
                guard polls & 1023 == 0 else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if deadline == 0 { deadline = now + WorkerPool.spinTime; continue }
                guard now > deadline else { continue }
                wake.lock()
                while Self.generation(claims.load(ordering: .acquiring)) == seen { wake.wait() }
                wake.unlock()
            }
            seen = Self.generation(claims.load(ordering: .acquiring))
            runChunks()
        }
    }
}

/// A value shared across threads on the caller's word that doing so is safe.
final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
