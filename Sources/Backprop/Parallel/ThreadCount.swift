import Foundation

/// The number of threads that Backprop's kernels may run on at once.
///
/// Defaults to the environment variable `BACKPROP_THREADS` when it holds a positive
/// integer, else to the number of active processor cores. Set it at any time, from
/// any thread: `Backprop.threadCount = 2`. Results for a given thread count are
/// deterministic, bit for bit; matrix products do not depend on it at all.
///
/// - Precondition: a new value is at least 1.
public var threadCount: Int {
    get { threadCountStorage.value }
    set {
        require(newValue >= 1, "threadCount: \(newValue) is not a positive number of threads")
        threadCountStorage.value = newValue
    }
}

/// The default thread count: `BACKPROP_THREADS` if it is a positive integer, else the active cores.
func defaultThreadCount(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
    if let text = environment["BACKPROP_THREADS"], let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 0 {
        return count
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// The thread count behind a lock: a global `let` of a `Sendable` class, so it is safe under
/// strict concurrency without `nonisolated(unsafe)`. The lock costs tens of nanoseconds per
/// read, once per kernel call.
private final class ThreadCountStorage: @unchecked Sendable {   // every access holds `lock`
    private let lock = NSLock()
    private var count = defaultThreadCount()

    var value: Int {
        get { lock.withLock { count } }
        set { lock.withLock { count = newValue } }
    }
}

private let threadCountStorage = ThreadCountStorage()

/// Held while a ``withThreadCount(_:_:)`` scope runs: one scope at a time in the process.
private let threadCountScope = NSLock()

/// Runs `body` with ``threadCount`` set to `count`, then restores it. Scopes in different threads
/// run one after another, so that code comparing two runs at one thread count (tests, which run
/// in parallel) sees no other setting meanwhile.
@_spi(Testing) public func withThreadCount<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
    try threadCountScope.withLock {
        let saved = threadCount
        threadCount = count
        defer { threadCount = saved }
        return try body()
    }
}
