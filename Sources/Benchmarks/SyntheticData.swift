import Backprop

// The portable synthetic data of ../shared/bench/peers/README.md ("Synthetic data").

/// `uniform(seed, shape, low, high)`: element k is `Float(low + (high − low) · u)`, computed in Double,
/// with `u = (z_k >> 40) / 2²⁴` from the SplitMix64 stream of `seed`.
func benchUniform(_ seed: UInt64, _ shape: [Int], _ low: Double, _ high: Double) -> Tensor<Float> {
    var stream = SeededGenerator(seed: seed)
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { _ in
        Float(low + (high - low) * (Double(stream.next() >> 40) / 16_777_216))
    })
}

/// `labels(seed, count, classes)`: label k is `((z_k >> 40) · classes) >> 24`.
func benchLabels(_ seed: UInt64, _ count: Int, _ classes: Int) -> [Int] {
    var stream = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Int(((stream.next() >> 40) * UInt64(classes)) >> 24) }
}

/// PyTorch's default bound for a layer with `fanIn` inputs: 1/√fanIn.
func initBound(_ fanIn: Int) -> Double { 1 / Double(fanIn).squareRoot() }
