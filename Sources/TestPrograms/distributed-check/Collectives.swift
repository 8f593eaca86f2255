import Backprop
import BackpropDistributed

/// Each collective on values whose combination is known: prints what it found, and whether it is right.
func checkCollectives(_ group: ProcessGroup) throws {
    let (rank, size) = (group.rank, group.size)
    var problems: [String] = []
    func check(_ what: String, _ found: [Double], _ expected: [Double]) {
        if found != expected { problems.append("\(what): \(found), expected \(expected)") }
    }
    // Sums of 1…P and of its squares, in Float and in Double, as a tensor and as an array.
    var floats = Tensor<Float>(shape: [2], scalars: [Float(rank + 1), Float((rank + 1) * (rank + 1))])
    try group.allReduce(&floats)
    let sum = Double(size * (size + 1) / 2), squares = Double(size * (size + 1) * (2 * size + 1) / 6)
    check("sum (Float)", floats.scalars.map(Double.init), [sum, squares])
    var doubles: [Double] = [Double(rank) + 0.5, -Double(rank)]
    try group.allReduce(&doubles, .max)
    check("max (Double)", doubles, [Double(size - 1) + 0.5, 0])
    var smallest = Tensor<Double>(shape: [1], scalars: [Double(rank) * 3])
    try group.allReduce(&smallest, .min)
    check("min", smallest.scalars, [0])
    // The last rank's values everywhere.
    var broadcast = Tensor<Float>(shape: [3], scalars: (0..<3).map { Float(rank * 10 + $0) })
    try group.broadcast(&broadcast, from: size - 1)
    check("broadcast", broadcast.scalars.map(Double.init), (0..<3).map { Double((size - 1) * 10 + $0) })
    try group.barrier()
    do {
        try group.broadcast(&broadcast, from: size)
        problems.append("a broadcast from rank \(size) did not throw")
    } catch {
        print("rank \(rank): bad root: \(error)")
    }
    print("rank \(rank): local rank \(group.localRank) of \(group.localSize)")
    print("rank \(rank): size \(size), \(problems.isEmpty ? "collectives ok" : problems.joined(separator: "; "))")
}
