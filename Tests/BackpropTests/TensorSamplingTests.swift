import Testing
@testable import Backprop

// Sampling: each sampler against its documented recipe on the generator's stream (which pins
// the samples bit for bit), and against its distribution, with fixed seeds and bounds of four
// to five standard errors: wide enough never to fail by chance for these seeds, narrow enough
// to catch a wrong distribution.

/// Expects a frequency within `errors` standard errors of a binomial proportion `p` over `n` trials.
private func expectFrequency(_ frequency: Double, near p: Double, trials n: Int, errors: Double = 4.5,
                             sourceLocation: SourceLocation = #_sourceLocation) {
    let bound = errors * (p * (1 - p) / Double(n)).squareRoot()
    #expect(Swift.abs(frequency - p) <= bound, "frequency \(frequency), expected \(p) ± \(bound)", sourceLocation: sourceLocation)
}

@Suite struct Sampling {
    @Test func bernoulliFollowsItsRecipeAndReproduces() {
        let p = Tensor<Double>.uniform([4, 5], seed: 1)
        let sample = Tensor.bernoulli(probabilities: p, seed: 42)
        var generator = SeededGenerator(seed: 42)
        #expect(sample.scalars == p.scalars.map { generator.nextUnit() < $0 ? 1 : 0 })
        #expect(sample.shape == [4, 5])
        #expect(Tensor.bernoulli(probabilities: p, seed: 42) == sample)
        #expect(Tensor.bernoulli(probabilities: p, seed: 43) != sample)
        // A generator carries on where the last draw stopped.
        var shared = SeededGenerator(seed: 42)
        #expect(Tensor.bernoulli(probabilities: p, using: &shared) == sample)
        #expect(Tensor.bernoulli(probabilities: p, using: &shared) != sample)
    }

    @Test func bernoulliMeansMatchTheProbabilities() {
        let n = 10_000
        let floats = Tensor<Float>.bernoulli(probabilities: Tensor(repeating: 0.3, shape: [n]), seed: 7)
        #expect(floats.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(Swift.abs(Double(floats.mean().scalar) - 0.3) < 0.02)
        // Each position has its own probability; 0 and 1 are exact.
        let rows = Tensor<Double>([0, 0.1, 0.9, 1]).broadcast(to: [n, 4])
        let means = Tensor.bernoulli(probabilities: rows, seed: 8).mean(axis: 0)
        #expect(means[0] == 0 && means[3] == 1)
        expectFrequency(means[1], near: 0.1, trials: n)
        expectFrequency(means[2], near: 0.9, trials: n)
    }

    @Test func categoricalFollowsItsRecipeAndReproduces() {
        let logits = Tensor<Double>.normal([6, 4], seed: 2)
        let sample = Tensor.categorical(logits: logits, seed: 5)
        #expect(sample.shape == [6])
        var generator = SeededGenerator(seed: 5)
        let keys = logits.scalars.map { $0 - portableLog(-portableLog(generator.nextOpenUnit())) }
        let expected = (0..<6).map { row in (0..<4).max { keys[row * 4 + $0] < keys[row * 4 + $1] }! }
        #expect(sample.scalars == expected)
        #expect(Tensor.categorical(logits: logits, seed: 5) == sample)
        var shared = SeededGenerator(seed: 5)
        #expect(Tensor.categorical(logits: logits, using: &shared) == sample)
    }

    @Test func categoricalFrequenciesMatchTheSoftmax() {
        let n = 20_000
        let row = Tensor<Float>([1, 0, -1, 2, -.infinity])
        let softmax = [1.0, 0, -1, 2].map { Double.exp($0) / [1.0, 0, -1, 2].map(Double.exp).reduce(0, +) } + [0]
        // Along the last axis, and along axis 0 of the transpose: the same distribution.
        let samples = [
            Tensor.categorical(logits: row.broadcast(to: [n, 5]), seed: 11),
            Tensor.categorical(logits: row.reshaped([5, 1]).broadcast(to: [5, n]), axis: 0, seed: 12),
        ]
        for sample in samples {
            #expect(sample.shape == [n])
            let counts = (0..<5).map { k in sample.scalars.count(where: { $0 == k }) }
            #expect(counts[4] == 0)
            for k in 0..<4 { expectFrequency(Double(counts[k]) / Double(n), near: softmax[k], trials: n) }
        }
    }

    @Test func multinomialFollowsItsRecipeAndReproduces() {
        let weights = Tensor<Double>([[0.5, 0.25, 0, 1], [2, 0, 1, 1]])
        let sample = Tensor.multinomial(probabilities: weights, count: 2, seed: 9)
        #expect(sample.shape == [2, 2])
        var generator = SeededGenerator(seed: 9)
        let arrivals = weights.scalars.map { w in
            let e = -portableLog(generator.nextOpenUnit())
            return w > 0 ? e / w : .infinity
        }
        let expected = (0..<2).flatMap { row in (0..<4).sorted { arrivals[row * 4 + $0] < arrivals[row * 4 + $1] }.prefix(2) }
        #expect(sample.scalars == expected)
        #expect(Tensor.multinomial(probabilities: weights, count: 2, seed: 9) == sample)
        #expect(Tensor.multinomial(probabilities: weights, count: 0, seed: 9).shape == [2, 0])
    }

    @Test func multinomialDrawsWithoutReplacementInOrder() {
        let n = 20_000
        // Weights need not sum to 1: these are 0.5, 0.3, 0, 0.2.
        let weights = Tensor<Float>([5, 3, 0, 2]).broadcast(to: [n, 4])
        let sample = Tensor.multinomial(probabilities: weights, count: 2, seed: 13)
        let rows = (0..<n).map { Array(sample.scalars[(2 * $0)..<(2 * $0 + 2)]) }
        #expect(rows.allSatisfy { $0[0] != $0[1] && !$0.contains(2) })
        let frequency = { (draw: [Int]) in Double(rows.count(where: { $0 == draw })) / Double(n) }
        // The first draw follows the weights; the second, the weights of those left.
        expectFrequency(Double(rows.count(where: { $0[0] == 0 })) / Double(n), near: 0.5, trials: n)
        expectFrequency(Double(rows.count(where: { $0[0] == 3 })) / Double(n), near: 0.2, trials: n)
        expectFrequency(frequency([0, 1]), near: 0.5 * 0.3 / 0.5, trials: n)
        expectFrequency(frequency([1, 0]), near: 0.3 * 0.5 / 0.7, trials: n)
        expectFrequency(frequency([3, 1]), near: 0.2 * 0.3 / 0.8, trials: n)
        // Drawing every positive category gives a permutation of them.
        let all = Tensor.multinomial(probabilities: Tensor<Double>([5, 3, 0, 2]).broadcast(to: [100, 4]), count: 3, seed: 14)
        #expect((0..<100).allSatisfy { Set(all.scalars[(3 * $0)..<(3 * $0 + 3)]) == [0, 1, 3] })
    }

    @Test func badProbabilitiesLogitsAndCounts() {
        expectShapeError("bernoulli: probability 1.5 at flat position 1 is outside [0, 1]") { () throws(ShapeError) in
            try Tensor<Double>([0.5, 1.5]).checkProbabilities(op: "bernoulli")
        }
        expectShapeError("bernoulli: probability nan at flat position 0 is outside [0, 1]") { () throws(ShapeError) in
            try Tensor<Float>([.nan]).checkProbabilities(op: "bernoulli")
        }
        expectShapeError("categorical: logit nan at flat position 1 is NaN or +infinity") { () throws(ShapeError) in
            try Tensor<Double>([0, .nan]).checkLogits(axis: -1)
        }
        expectShapeError("categorical: lane 1 of shape [2, 2] along axis 1 is all -infinity") { () throws(ShapeError) in
            try Tensor<Double>([[0, -.infinity], [-.infinity, -.infinity]]).checkLogits(axis: -1)
        }
        expectShapeError("categorical: axis 1 of shape [2, 0] has no categories") { () throws(ShapeError) in
            try Tensor<Double>.zeros([2, 0]).checkLogits(axis: 1)
        }
        expectShapeError("categorical: axis 2 is out of range for a tensor of rank 2") { () throws(ShapeError) in
            try Tensor<Double>.zeros([2, 2]).checkLogits(axis: 2)
        }
        expectShapeError("multinomial: weight -0.5 at flat position 1 is negative or not finite") { () throws(ShapeError) in
            try Tensor<Double>([1, -0.5]).checkWeights(count: 1)
        }
        expectShapeError("multinomial: count 4 is outside 0...3 for weights of shape [3]") { () throws(ShapeError) in
            try Tensor<Double>([1, 1, 1]).checkWeights(count: 4)
        }
        expectShapeError("multinomial: row 1 of weights of shape [2, 3] has 1 positive weight, too few to draw 2 without replacement") { () throws(ShapeError) in
            try Tensor<Double>([[1, 1, 0], [0, 0, 3]]).checkWeights(count: 2)
        }
        expectShapeError("multinomial: the weights are 0-d; they need an axis of categories") { () throws(ShapeError) in
            try Tensor<Double>(1).checkWeights(count: 1)
        }
    }
}
