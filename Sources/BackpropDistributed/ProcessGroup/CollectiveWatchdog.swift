import Foundation
import Synchronization

/// Stops the process when a collective has waited longer than the timeout: a thread that wakes a
/// few times a second and looks at what the group's thread is waiting in, and since when.
///
/// MPI's collectives block until every rank arrives, and a rank that hangs (or loops, or runs a
/// different number of steps) would leave the others waiting for ever. A rank that dies is caught
/// sooner by the launcher, which stops the job; this covers the rest. The process exits with
/// status 1 after saying why, and the launcher (`mpirun`, or `srun --kill-on-bad-exit`) then
/// stops every other rank.
final class CollectiveWatchdog: Sendable {
    private struct State {
        var operation: StaticString?
        var started = ContinuousClock.now
        var stopped = false
    }

    let timeout: Duration
    private let state = Mutex(State())
    /// "rank 0 of 2 (host)".
    private let rankDescription: String

    init(timeout: Duration, rankDescription: String) {
        (self.timeout, self.rankDescription) = (timeout, rankDescription)
    }

    /// Starts the watching thread.
    func start() {
        let thread = Thread { [self] in watch() }
        thread.name = "backprop-distributed-watchdog"
        thread.start()
    }

    /// Marks the start of a collective.
    func begin(_ operation: StaticString) {
        state.withLock { $0.operation = operation; $0.started = .now }
    }

    /// Marks its end.
    func end() { state.withLock { $0.operation = nil } }

    /// Ends the watching thread.
    func stop() { state.withLock { $0.stopped = true } }

    private func watch() {
        let interval = min(timeout / 20, .milliseconds(500))
        let pause = Double(interval.components.seconds) + Double(interval.components.attoseconds) * 1e-18
        while true {
            Thread.sleep(forTimeInterval: pause)
            let (stopped, expired): (Bool, StaticString?) = state.withLock { state in
                guard !state.stopped, let operation = state.operation else { return (state.stopped, nil) }
                return (false, ContinuousClock.now - state.started > timeout ? operation : nil)
            }
            if stopped { return }
            if let expired {
                let message = "backprop-distributed: \(rankDescription) waited \(timeout) in \(expired) without every "
                    + "rank arriving: another rank has stopped, hangs, or ran a different number of collectives. "
                    + "Stopping this rank (status 1); the launcher stops the others.\n"
                FileHandle.standardError.write(Data(message.utf8))
                _exit(1)
            }
        }
    }
}
