import Foundation
import Synchronization

/// The median time, in nanoseconds, for two spinning threads to hand a flag to each other and
/// back; nil on a single core, where spinning threads would only take turns.
///
/// A multi-threaded step passes data between cores: each thread writes part of a result that
/// both read next. On a virtual machine the two virtual CPUs may sit on cores that share a
/// cache or on cores that don't, and this can change from one minute to the next. Measured
/// here: about 100 ns in one state and about 420 ns in the other, in which mlp-train's
/// 2-thread step took 0.60–0.63 ms instead of 0.48–0.49. The benchmark prints this figure
/// beside each multi-threaded timing, so that a run says which state it met.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
func coreToCoreRoundTrip(trips: Int = 20_000, runs: Int = 5) -> Double? {
    guard ProcessInfo.processInfo.activeProcessorCount >= 2 else { return nil }
    var samples: [Double] = []
    for run in 0...runs {      // run 0 is a warm-up: a new thread may start on the same core
        let flag = SharedFlag()
        let partner = Thread {
            // Answers each odd value with the next even one, until told to stop (−1).
            var expected = 1
            while true {
                let value = flag.value.load(ordering: .acquiring)
                if value == -1 { return }
                if value == expected {
                    flag.value.store(expected + 1, ordering: .releasing)
                    expected += 2
                }
            }
        }
        partner.start()
        // At most 50 ms a run: on a busy machine the partner may wait for a core.
        let start = DispatchTime.now().uptimeNanoseconds, deadline = start + 50_000_000
        var completed = 0
        while completed < (run == 0 ? trips / 10 : trips) {
            flag.value.store(2 * completed + 1, ordering: .releasing)
            while flag.value.load(ordering: .acquiring) != 2 * completed + 2 {}
            completed += 1
            if completed % 256 == 0 && DispatchTime.now().uptimeNanoseconds > deadline { break }
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        flag.value.store(-1, ordering: .releasing)
        if run > 0 { samples.append(Double(elapsed) / Double(completed)) }
    }
    return samples.sorted()[samples.count / 2]
}

/// The word the two threads hand back and forth.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
private final class SharedFlag: Sendable {
    let value = Atomic<Int>(0)
}

/// "; core-to-core round trip N ns" for a timing on more than one thread, else "". Measured
/// just after the timing, once Backprop's worker threads, which spin for 2 ms after their
/// last job, have gone to sleep: a spinning worker would share a core with the measuring
/// threads. (Measured first thing in a process, the figure often came out near 1 µs.)
func coreToCoreNote(threads: Int) -> String {
    guard threads > 1, #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) else { return "" }
    Thread.sleep(forTimeInterval: 0.01)
    guard let roundTrip = coreToCoreRoundTrip() else { return "" }
    return String(format: "; core-to-core round trip %.0f ns", roundTrip)
}
