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
/// Scheduling is static: chunk 0 runs on the caller, chunk `w + 1` on worker `w`. One job runs
/// at a time; a caller that finds the pool busy (another thread's job, or a job nested inside a
/// chunk) gets `false` from `run` and uses Dispatch instead.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
final class WorkerPool: Sendable {
    static let shared = WorkerPool()

    /// How long an idle worker polls for the next job before it sleeps.
    static let spinTime: UInt64 = 2_000_000   // nanoseconds

    private let busy = NSLock()
    /// The workers; read and grown only by the caller holding `busy`.
    private let workers = UncheckedBox<[Worker]>([])

    /// Runs `body(c)` for every `c` in `0..<chunks`, concurrently; returns false, having run
    /// nothing, when the pool is busy.
    func run(chunks: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.try() else { return false }
        defer { busy.unlock() }
        while workers.value.count < chunks - 1 { workers.value.append(Worker()) }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBox(body)
            for w in 0..<(chunks - 1) { workers.value[w].post { shared.value(w + 1) } }
            body(0)
            for w in 0..<(chunks - 1) { workers.value[w].waitUntilDone() }
        }
        return true
    }
}

/// One worker thread and its mailbox: the caller writes `job`, then publishes it by bumping
/// `posted` (release); the worker takes `job` after seeing the bump (acquire), runs it, and
/// bumps `finished` (release). The caller waits for `finished` before writing `job` again,
/// so the two never touch `job` at the same time.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
private final class Worker: @unchecked Sendable {   // `job` is guarded by the protocol above
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private var job: () -> Void = {}
    private let wake = NSCondition()

    init() {
        let thread = Thread { [self] in loop() }
        thread.name = "Backprop worker"
        thread.start()
    }

    func post(_ job: @escaping () -> Void) {
        self.job = job
        posted.add(1, ordering: .releasing)
        wake.lock()      // pairs with the check under the lock in `loop`: no lost wake-up
        wake.signal()
        wake.unlock()
    }

    func waitUntilDone() {
        let target = posted.load(ordering: .relaxed)
        var spins = 0
        while finished.load(ordering: .acquiring) != target {
            spins += 1
            if spins > 1000 { sched_yield() }
        }
    }

    private func loop() {
        var done = 0
        while true {
            var polls = 0
            var deadline: UInt64 = 0
            while posted.load(ordering: .acquiring) == done {
                polls += 1
                guard polls & 1023 == 0 else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if deadline == 0 { deadline = now + WorkerPool.spinTime; continue }
                guard now > deadline else { continue }
                wake.lock()
                while posted.load(ordering: .acquiring) == done { wake.wait() }
                wake.unlock()
            }
            // Take the job out of the mailbox and drop it before reporting: the caller's
            // closure must not outlive its `withoutActuallyEscaping` scope.
            var current: () -> Void = {}
            swap(&current, &job)
            current()
            current = {}
            done += 1
            finished.store(done, ordering: .releasing)
        }
    }
}

/// A value shared across threads on the caller's word that doing so is safe.
final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
