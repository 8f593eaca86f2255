import Foundation

// The timing harness of ../shared/bench/peers/README.md ("Timing"), in Swift:
// a warm-up, then samples of `inner` iterations lasting about 10 ms each, until
// at least `minTime` seconds and 3 samples; the result is the median over samples.

/// Seconds since an arbitrary start, monotonic.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU time (user + system) this process has used, in seconds.
func cpuSeconds() -> Double {
    let usage = resourceUsage()
    let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// (busy, steal, total) clock ticks of all CPUs from /proc/stat, or nil where it is missing.
func machineTicks() -> (busy: Double, steal: Double, total: Double)? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
          let line = text.split(separator: "\n").first else { return nil }
    let v = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
    guard v.count == 8 else { return nil }
    return (v[0] + v[1] + v[2] + v[5] + v[6], v[7], v.reduce(0, +))
}

/// The result of ``timeIt(_:minTime:)``: seconds per iteration, one value per sample.
struct Timing {
    let samples: [Double]
    let inner: Int
    let first: Double
    let warmupCalls: Int
    let cpuCores: Double
    let otherCores: Double?
    let steal: Double?

    var median: Double {
        let s = samples.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var reps: Int { samples.count * inner }

    /// The spread and noise indicators, for stderr.
    var summary: String {
        let s = samples.sorted()
        let q = { (p: Double) in s[min(s.count - 1, Int(p * Double(s.count)))] }
        let ms = { (t: Double) in String(format: "%.4g", t * 1e3) }
        let noise = otherCores.map { String(format: "others %.2f cores, steal %.1f%%", $0, 100 * (steal ?? 0)) } ?? "others n/a"
        return "median \(ms(median)) ms, min \(ms(s[0])), p25 \(ms(q(0.25))), p75 \(ms(q(0.75))), max \(ms(s[s.count - 1])); "
            + "\(s.count) samples x \(inner) iters; cpu \(String(format: "%.2f", cpuCores)) cores; \(noise); "
            + "first call \(String(format: "%.3g", first)) s; warm-up \(warmupCalls) calls"
    }
}

/// Times `step` as every peer script does.
func timeIt(_ step: () -> Void, minTime: Double, minSamples: Int = 3, sampleTime: Double = 0.01) -> Timing {
    var t = now()
    step()
    let first = now() - t
    var warm: [Double] = []
    let warmStart = now()
    while true {
        t = now()
        step()
        warm.append(now() - t)
        let spent = now() - warmStart
        if (warm.count >= 2 && spent >= 0.5) || spent >= 2 { break }
    }
    let perCall = max(warm.suffix(3).min()!, 1e-9)
    let inner = max(1, Int(sampleTime / perCall))
    var samples: [Double] = []
    let cpu0 = cpuSeconds(), ticks0 = machineTicks()
    let start = now()
    while samples.count < minSamples || now() - start < minTime {
        t = now()
        for _ in 0..<inner { step() }
        samples.append((now() - t) / Double(inner))
    }
    let wall = now() - start, cpu = cpuSeconds() - cpu0
    var others: Double? = nil, steal: Double? = nil
    if let a = ticks0, let b = machineTicks(), b.total > a.total {
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        others = max(0, (b.busy - a.busy) / hz - cpu) / wall
        steal = (b.steal - a.steal) / (b.total - a.total)
    }
    return Timing(samples: samples, inner: inner, first: first, warmupCalls: 1 + warm.count,
                  cpuCores: cpu / wall, otherCores: others, steal: steal)
}

/// Prints one result line on stdout, in the peer scripts' format, and returns it.
@discardableResult
func emit(_ workload: String, threads: Int, metric: String, value: Double, unit: String, reps: Int) -> String {
    let rounded = Double(String(format: "%.6g", value)) ?? value
    let number = rounded.isFinite && rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(format: "%.1f", rounded) : "\(rounded)"
    let line = "{\"framework\": \"backprop\", \"workload\": \"\(workload)\", \"threads\": \(threads), \"metric\": \"\(metric)\", "
        + "\"value\": \(number), \"unit\": \"\(unit)\", \"reps\": \(reps)}"
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
    return line
}

/// Prints a diagnostic line on stderr.
func note(_ text: String) {
    FileHandle.standardError.write(Data(("# " + text + "\n").utf8))
}

/// VmRSS of this process, in MiB.
func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kib = Double(line.split(separator: " ")[1]) else { return .nan }
    return kib / 1024
}

/// The peak resident set size of this process, in MiB.
func peakResidentMiB() -> Double {
    Double(resourceUsage().ru_maxrss) / 1024      // KiB on Linux
}

/// This process's resource usage.
func resourceUsage() -> rusage {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return usage
}
