import Foundation

// The --compare table: one row per Backprop result, one column per framework,
// then Backprop's ratio to each peer.

/// The table, in Markdown, for `results` of every framework run with `threads` threads: per workload and
/// metric, Backprop's value, each peer's and the ratio in Backprop's favour.
///
/// A peer's gemm `peak_fraction` is its GFLOPS over Backprop's measured fma-peak at the same thread count.
/// JAX's column holds its jitted timings: where it reports a metric twice (scalar-chain's `us_per_op`
/// eager and `us_per_op_jit`), the `_jit` one.
func table(_ results: [Result], threads: Int) -> String {
    let known = peers.map(\.module)
    let present = Set(results.map(\.framework)).subtracting(["backprop"])
    let columns = known.filter(present.contains) + present.subtracting(known).sorted()
    let headings = ["backprop"] + columns.map { name in peers.first { $0.module == name }?.heading ?? name }
    let results = results + peerPeakFractions(results)
    let timeLike: Set<String> = ["ms", "us/op", "MiB"]      // lower is better
    func peerValue(_ framework: String, _ row: Result) -> Double? {
        let matches = results.filter { $0.framework == framework && $0.workload == peerWorkload(row.workload) && $0.threads == row.threads }
        let metric = framework == "jax" ? [row.metric + "_jit", row.metric] : [row.metric]
        return metric.lazy.compactMap { name in matches.first { $0.metric == name }?.value }.first
    }
    var text = "\n| workload | metric | " + headings.joined(separator: " | ")
        + columns.map { " | backprop vs \($0)" }.joined() + " |\n"
    text += "|---|---|" + String(repeating: "---|", count: 2 * columns.count + 1) + "\n"
    var seen = Set<String>()
    for row in results where row.framework == "backprop" && seen.insert("\(row.workload) \(row.threads) \(row.metric)").inserted {
        let own = row.value
        let values = columns.map { peerValue($0, row) }
        let cells = ([own] + values).map { $0.map { String(format: "%.4g", $0) } ?? "–" }
        let ratios = values.map { peer -> String in
            guard let peer, own > 0, peer > 0, !row.unit.isEmpty else { return "–" }
            return String(format: "%.2f×", timeLike.contains(row.unit) ? peer / own : own / peer)
        }
        let workload = row.threads == threads ? row.workload : "\(row.workload), \(row.threads) thread\(row.threads == 1 ? "" : "s")"
        text += "| \(workload) | \(row.metric) (\(row.unit.isEmpty ? "value" : row.unit)) | "
            + (cells + ratios).joined(separator: " | ") + " |\n"
    }
    text += "\nRatios above 1 favour Backprop (for times and memory: peer ÷ Backprop; for rates: Backprop ÷ peer).\n"
    if results.contains(where: { $0.metric == "peak_fraction" }) {
        text += "peak_fraction: GFLOPS ÷ Backprop's fma-peak GFLOPS at the same thread count, for every framework.\n"
    }
    return text
}

/// Each peer's gemm GFLOPS as a fraction of the FMA peak that Backprop measured at the same thread count.
func peerPeakFractions(_ results: [Result]) -> [Result] {
    let peak = Dictionary(results.filter { $0.framework == "backprop" && $0.workload == "fma-peak" && $0.metric == "gflops" }
        .map { ($0.threads, $0.value) }, uniquingKeysWith: { first, _ in first })
    return results.compactMap { r in
        guard r.framework != "backprop", r.workload.hasPrefix("gemm-"), r.metric == "gflops", let p = peak[r.threads], p > 0
        else { return nil }
        return Result(framework: r.framework, workload: r.workload, threads: r.threads, metric: "peak_fraction",
                      value: r.value / p, unit: "fraction")
    }
}
