import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// A noiseless linear regression, y = x·[1.5, −2, 0.5]ᵀ + 0.3 with x uniform in [−1, 1]³, in batches of 64.
private func linearRegression() -> (data: TensorDataset<Double>, loader: DataLoader<TensorDataset<Double>>) {
    let x = Tensor<Double>.uniform([512, 3], low: -1, high: 1, seed: 1)
    let data = TensorDataset(inputs: x, targets: matmul(x, Tensor([[1.5], [-2], [0.5]])) + 0.3)
    return (data, DataLoader(data, batchSize: 64))
}

/// The mean squared error of `model` on one batch.
private func squaredError<M: Layer>(_ model: M, _ batch: Batch<M.Scalar>) -> Variable<M.Scalar> {
    meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets))
}

/// The extreme eigenvalues of a small symmetric positive definite matrix, by power iteration.
private func extremeEigenvalues(_ matrix: [[Double]]) -> (smallest: Double, largest: Double) {
    let n = matrix.count
    func largestEigenvalue(_ m: [[Double]]) -> Double {
        var v = (0..<n).map { 1 + Double($0) / 10 }, lambda = 0.0
        for _ in 0..<2000 {
            let w = (0..<n).map { i in (0..<n).reduce(0) { $0 + m[i][$1] * v[$1] } }
            lambda = (0..<n).reduce(0) { $0 + v[$1] * w[$1] } / (0..<n).reduce(0) { $0 + v[$1] * v[$1] }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = w.map { $0 / norm }
        }
        return lambda
    }
    let largest = largestEigenvalue(matrix)
    // The smallest eigenvalue of M is λmax − the largest eigenvalue of λmax·I − M.
    let shifted = (0..<n).map { i in (0..<n).map { j in (i == j ? largest : 0) - matrix[i][j] } }
    return (largest - largestEigenvalue(shifted), largest)
}

/// The bit patterns of every scalar of `tensors`, for comparisons that tell −0 from 0 and see NaNs.
private func bits(_ tensors: [Tensor<Double>?]) -> [[UInt64]?] { tensors.map { $0?.scalars.map(\.bitPattern) } }

@Suite("Learning-rate finder")
struct LearningRateFinderTests {
    @Test func suggestionIsWithinTenfoldOfTheBestRateFromTheCurvature() throws {
        let (data, loader) = linearRegression()
        // The loss is a quadratic in θ = (w, b) with Hessian H = (2/N)·Σ x̃x̃ᵀ, x̃ = (x, 1).
        // Gradient descent on it converges fastest at the constant rate 2 / (λmin + λmax).
        let rows = data.inputs.scalars.chunked(3).map { $0 + [1] }
        let hessian = (0..<4).map { i in (0..<4).map { j in rows.reduce(0) { $0 + 2 * $1[i] * $1[j] } / Double(rows.count) } }
        let (smallest, largest) = extremeEigenvalues(hessian)
        let best = 2 / (smallest + largest)
        // E[x²] = 1/3 and E[1] = 1: eigenvalues near 2/3 and 2, so a best rate near 0.75.
        #expect(smallest > 0.5 && smallest < 0.8 && largest > 1.9 && largest < 2.1, "eigenvalues \(smallest), \(largest)")

        let model = withRandomSeed(2) { Linear<Double>(inputSize: 3, outputSize: 1) }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
        let sweep = findLearningRate(model: model, optimizer: optimizer, batches: loader) { squaredError(model, $0) }
        let suggestion = try #require(sweep.suggestion)
        #expect(suggestion > best / 10 && suggestion < best * 10, "suggestion \(suggestion), best \(best)")
        // And below the stability limit 2/λmax, so that gradient descent at the suggestion converges.
        #expect(suggestion < 2 / largest)
    }

    @Test func mlpSuggestionIsWithinTenfoldOfTheBestRateOfAGridSearch() throws {
        // Two spirals, an MLP under SGD with momentum. The best rate is the one of a half-decade
        // grid from 10⁻³ to 1 after which 100 steps from the same start leave the lowest loss.
        let data = twoSpirals(perClass: 200, seed: 3)
        func makeModel() -> Sequential<Float> {
            withRandomSeed(2) {
                Sequential<Float>(Linear(inputSize: 2, outputSize: 32), Tanh(), Linear(inputSize: 32, outputSize: 32), Tanh(),
                                  Linear(inputSize: 32, outputSize: 2))
            }
        }
        func crossEntropy(_ model: Sequential<Float>, _ batch: Batch<Float>) -> Variable<Float> {
            BackpropNN.crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
        }
        let grid = stride(from: -3.0, through: 0, by: 0.5).map { Float(pow(10, $0)) }
        let finalLosses = grid.map { rate in
            let model = makeModel()
            let optimizer = SGD(parameters: model.parameters(), learningRate: rate, momentum: 0.9)
            let loader = DataLoader(data, batchSize: 32, shuffle: true, seed: 3)
            for batch in (0..<8).flatMap({ _ in Array(loader) }).prefix(100) {
                optimizer.zeroGrad()
                crossEntropy(model, batch).backward()
                optimizer.step()
            }
            return withoutGradients { crossEntropy(model, Batch(inputs: data.inputs, targets: data.targets)).scalar }
        }
        let best = grid[finalLosses.indices.min { finalLosses[$0] < finalLosses[$1] }!]

        let model = makeModel()
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.001, momentum: 0.9)
        let loader = DataLoader(data, batchSize: 32, shuffle: true, seed: 3)
        let sweep = findLearningRate(model: model, optimizer: optimizer, batches: loader) { crossEntropy(model, $0) }
        let suggestion = try #require(sweep.suggestion)
        #expect(suggestion > best / 10 && suggestion < best * 10, "suggestion \(suggestion), best \(best)")
    }

    @Test func curveFollowsTheScheduleAndTheSmoothingFormulas() {
        let (_, loader) = linearRegression()
        let model = withRandomSeed(2) { Linear<Double>(inputSize: 3, outputSize: 1) }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
        let sweep = findLearningRate(model: model, optimizer: optimizer, batches: loader, startLearningRate: 1e-4,
                                     endLearningRate: 1e-2, stepCount: 21, smoothing: 0.9) { squaredError(model, $0) }
        #expect(!sweep.diverged && sweep.stepCount == 21 && sweep.learningRates.count == 21)
        // γᵢ = 10⁻⁴ · 100^(i/20): ten steps per decade, both ends exact.
        for (i, rate) in sweep.learningRates.enumerated() {
            expectClose(rate, 1e-4 * pow(100, Double(i) / 20), tolerance: 1e-17)
        }
        #expect(sweep.learningRates.first == 1e-4 && sweep.learningRates.last == 1e-2)
        // aᵢ = 0.9·aᵢ₋₁ + 0.1·lossᵢ, smoothedᵢ = aᵢ / (1 − 0.9ⁱ⁺¹): the first equals the first loss.
        var average = 0.0
        for (i, loss) in sweep.losses.enumerated() {
            average = 0.9 * average + 0.1 * loss
            expectClose(sweep.smoothedLosses[i], average / (1 - pow(0.9, Double(i + 1))), tolerance: 1e-14)
        }
        #expect(sweep.smoothedLosses[0] == sweep.losses[0])
        // The first loss is that of the first batch at the starting weights.
        let first = Array(loader)[0]
        expectClose(sweep.losses[0], squaredError(model, first).scalar, tolerance: 0)
    }

    @Test func batchesAreTakenInOrderAndStartedOverWhenTheyRunOut() {
        let parameter = Variable(Tensor<Double>([1]), requiresGrad: true)
        let optimizer = SGD(parameters: [parameter])
        var seen: [Int] = []
        let sweep = findLearningRate(model: Linear<Double>(inputSize: 1, outputSize: 1), optimizer: optimizer,
                                     batches: [0, 1, 2], stepCount: 8) { (index: Int) in
            seen.append(index)
            return (parameter * parameter).sum()
        }
        #expect(seen == [0, 1, 2, 0, 1, 2, 0, 1])
        #expect(sweep.learningRates.count == 8)
    }

    @Test func suggestionIsATenthOfTheRateAtTheLowestSmoothedLossAfterTheFirstTenth() {
        let rates: [Double] = (0..<20).map { pow(10, Double($0) / 4 - 4) }
        // The lowest value overall is at index 1, inside the first tenth of 20 steps; the lowest after it at index 12.
        let smoothed: [Double] = [5, 0.5, 4, 4, 3, 3, 2, 2, 1.5, 1.5, 1.2, 1.1, 0.9, 0.9, 1, 2, 3, 4, 5, 30]
        let sweep = LearningRateSweep(learningRates: rates, losses: smoothed, smoothedLosses: smoothed, stepCount: 20, diverged: true)
        #expect(sweep.minimumIndex == 12)
        #expect(sweep.suggestion == rates[12] / 10)
        // A sweep that ended within its first tenth suggests nothing.
        let short = LearningRateSweep(learningRates: [1e-7], losses: [1], smoothedLosses: [1], stepCount: 100, diverged: true)
        #expect(short.minimumIndex == nil && short.suggestion == nil)
    }

    // MARK: Restoring the model and the optimizer

    /// A model with every kind of state: parameters, BatchNorm's buffers, modes, and Dropout's generator.
    static func makeStatefulModel() -> Sequential<Double> {
        withRandomSeed(5) {
            Sequential<Double>(Linear(inputSize: 2, outputSize: 8), BatchNorm1d(featureCount: 8), ReLU(), Dropout(probability: 0.3),
                               Linear(inputSize: 8, outputSize: 1))
        }
    }

    static let batches: [Batch<Double>] = (0..<4).map { i in
        let x = Tensor<Double>.uniform([16, 2], low: -1, high: 1, seed: UInt64(10 + i))
        return Batch(inputs: x, targets: (x * Tensor([[1, -1]])).sum(axis: 1, keepDims: true))
    }

    /// Three steps of `optimizer` in training mode, then a backward pass without a step, so that
    /// gradients, moments and running statistics all hold something; then evaluation mode.
    static func warmUp(_ model: Sequential<Double>, _ optimizer: any Optimizer<Double>) {
        for batch in batches.prefix(3) {
            optimizer.zeroGrad()
            squaredError(model, batch).backward()
            optimizer.step()
        }
        optimizer.zeroGrad()
        squaredError(model, batches[3]).backward()
        model.eval()
    }

    /// Everything the sweep must restore, as bit patterns.
    struct Everything: Equatable {
        var values, grads, buffers, optimizerState: [[UInt64]?]
        var modes: [Bool]
        var generators: [UInt64]
        var learningRate: UInt64

        init(_ model: Sequential<Double>, _ optimizer: any Optimizer<Double>) {
            values = bits(model.parameters().map(\.value))
            grads = bits(model.parameters().map(\.grad))
            buffers = bits(model.namedBuffers().map(\.buffer.value))
            let state = optimizer.state()
            optimizerState = [[UInt64(state.step)]] + state.perParameter.flatMap { entry in
                bits(entry.sorted { $0.key < $1.key }.map(\.value))
            }
            var (modes, generators): ([Bool], [UInt64]) = ([], [])
            ModuleWalk<Double>.walk(model) { _, item in
                switch item {
                case .mode(let mode): modes.append(mode.isTraining)
                case .generator(let generator): generators.append(generator.state)
                default: break
                }
            }
            (self.modes, self.generators) = (modes, generators)
            learningRate = optimizer.learningRate.bitPattern
        }
    }

    @Test(arguments: OptimizerTests.factories.indices)
    func modelAndOptimizerAreRestoredBitForBit(_ index: Int) {
        let (name, makeOptimizer) = OptimizerTests.factories[index]
        let model = Self.makeStatefulModel()
        let optimizer = makeOptimizer(model.parameters())
        Self.warmUp(model, optimizer)
        let before = Everything(model, optimizer)
        #expect(before.modes == [false, false] && before.generators.count == 1, "\(name)")
        #expect(before.grads.allSatisfy { $0 != nil } && before.optimizerState.count > 1, "\(name)")

        var duringSweep: [Everything] = []
        let sweep = findLearningRate(model: model, optimizer: optimizer, batches: Self.batches, stepCount: 30) { batch in
            duringSweep.append(Everything(model, optimizer))
            return squaredError(model, batch)
        }
        #expect(sweep.learningRates.count >= 10, "\(name)")
        // During the sweep the model trains, in training mode, and the optimizer's rate sweeps ...
        #expect(duringSweep[0].modes == [true, true], "\(name)")
        #expect(duringSweep.last!.values != before.values && duringSweep.last!.buffers != before.buffers, "\(name)")
        #expect(duringSweep.last!.generators != before.generators, "\(name)")
        #expect(duringSweep.last!.optimizerState != before.optimizerState, "\(name)")
        #expect(duringSweep.map(\.learningRate) == sweep.learningRates.map(\.bitPattern) || sweep.diverged, "\(name)")
        // ... and afterwards everything is as it was, bit for bit.
        #expect(Everything(model, optimizer) == before, "\(name)")
    }

    @Test func trainingAfterTheSweepMatchesTrainingWithoutIt() {
        // Two identical models and Adams; one runs the sweep first. Five more steps in training
        // mode, with dropout drawing masks, leave both bit for bit equal.
        let (model, twin) = (Self.makeStatefulModel(), Self.makeStatefulModel())
        let (optimizer, twinOptimizer) = (Adam(parameters: model.parameters(), learningRate: 0.01),
                                          Adam(parameters: twin.parameters(), learningRate: 0.01))
        Self.warmUp(model, optimizer)
        Self.warmUp(twin, twinOptimizer)
        _ = findLearningRate(model: model, optimizer: optimizer, batches: Self.batches) { squaredError(model, $0) }
        for (model, optimizer) in [(model, optimizer), (twin, twinOptimizer)] {
            model.train()
            for batch in Self.batches + Self.batches.prefix(1) {
                optimizer.zeroGrad()
                squaredError(model, batch).backward()
                optimizer.step()
            }
        }
        #expect(bits(model.parameters().map(\.value)) == bits(twin.parameters().map(\.value)))
        #expect(bits(model.namedBuffers().map(\.buffer.value)) == bits(twin.namedBuffers().map(\.buffer.value)))
        #expect(optimizer.state() == twinOptimizer.state())
    }

    @Test func aThrowingLossStillRestoresEverything() {
        struct Interrupted: Error {}
        let model = Self.makeStatefulModel()
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
        Self.warmUp(model, optimizer)
        let before = Everything(model, optimizer)
        var calls = 0
        #expect(throws: Interrupted.self) {
            try findLearningRate(model: model, optimizer: optimizer, batches: Self.batches) { batch in
                calls += 1
                if calls == 6 { throw Interrupted() }
                return squaredError(model, batch)
            }
        }
        #expect(calls == 6)
        #expect(Everything(model, optimizer) == before)
    }

    // MARK: Divergence

    @Test func sweepStopsWhenTheSmoothedLossPassesFourTimesTheLowest() {
        let (_, loader) = linearRegression()
        let model = withRandomSeed(2) { Linear<Double>(inputSize: 3, outputSize: 1) }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
        let sweep = findLearningRate(model: model, optimizer: optimizer, batches: loader) { squaredError(model, $0) }
        // Gradient descent diverges above 2/λmax ≈ 1, well before the end rate of 10.
        #expect(sweep.diverged && sweep.learningRates.count < 100)
        let last = sweep.smoothedLosses.count - 1
        #expect(sweep.smoothedLosses[last] > 4 * sweep.smoothedLosses[..<last].min()!)
        for i in 0..<last { #expect(sweep.smoothedLosses[i] <= 4 * sweep.smoothedLosses[...i].min()!) }
        #expect(sweep.learningRates[last] > 1 && sweep.learningRates[last] < 10)

        // A larger threshold lets it run further, and past 10⁶ to the end.
        let patient = findLearningRate(model: model, optimizer: optimizer, batches: loader, divergenceThreshold: 20) { squaredError(model, $0) }
        #expect(patient.learningRates.count > sweep.learningRates.count)
        #expect(patient.learningRates.prefix(last) == sweep.learningRates.prefix(last))
    }

    @Test func aNonFiniteLossStopsTheSweepAndIsLeftOutOfTheCurve() {
        // In Float with no threshold, the loss grows until it overflows.
        let x = Tensor<Float>.uniform([64, 3], low: -1, high: 1, seed: 1)
        let batch = Batch(inputs: x, targets: x.sum(axis: 1, keepDims: true))
        let model = withRandomSeed(2) { Linear<Float>(inputSize: 3, outputSize: 1) }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
        let before = bits(model.parameters().map { $0.value.converted(to: Double.self) })
        var lastLoss: Float = 0
        let sweep = findLearningRate(model: model, optimizer: optimizer, batches: [batch], endLearningRate: 1e6,
                                     divergenceThreshold: .infinity) { batch in
            let loss = meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets))
            lastLoss = loss.scalar
            return loss
        }
        #expect(sweep.diverged && sweep.learningRates.count < 100)
        #expect(!lastLoss.isFinite)
        #expect(sweep.losses.allSatisfy(\.isFinite) && sweep.smoothedLosses.allSatisfy(\.isFinite))
        #expect(sweep.suggestion != nil)
        #expect(bits(model.parameters().map { $0.value.converted(to: Double.self) }) == before)
        #expect(optimizer.learningRate == 0.01 && optimizer.state().step == 0)

        // A NaN at the fifth call stops the sweep after four recorded steps.
        var calls = 0
        let stopped = findLearningRate(model: model, optimizer: optimizer, batches: [batch]) { batch in
            calls += 1
            let loss = meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets))
            return calls == 5 ? loss * Float.nan : loss
        }
        #expect(stopped.diverged && stopped.learningRates.count == 4 && calls == 5)
    }
}

@Suite("Learning-rate finder: bad arguments")
struct LearningRateFinderArgumentTests {
    @Test func stepCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { sweep(stepCount: 1) }
        expectMessage(result, "findLearningRate: stepCount must be at least 2, but is 1")
    }

    @Test func smoothing() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { sweep(smoothing: 1) }
        expectMessage(result, "findLearningRate: smoothing must be in [0, 1), but is 1.0")
    }

    @Test func learningRates() async {
        let reversed = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { sweep(start: 0.1, end: 0.01) }
        expectMessage(reversed, "findLearningRate: endLearningRate must be finite and above startLearningRate 0.1, but is 0.01")
        let negative = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { sweep(start: -1) }
        expectMessage(negative, "findLearningRate: startLearningRate must be positive and finite, but is -1.0")
    }

    @Test func divergenceThreshold() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { sweep(threshold: .nan) }
        expectMessage(result, "findLearningRate: divergenceThreshold must be above 1, but is nan")
    }

    @Test func emptyBatches() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { sweep(batches: []) }
        expectMessage(result, "findLearningRate: batches yielded no batch for step 0")
    }
}

/// Expects an exit test's standard error to contain `message`.
func expectMessage(_ result: ExitTest.Result?, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? "(no result)"
    #expect(stderr.contains(message), "stderr was: \(stderr)", sourceLocation: sourceLocation)
}

/// A sweep over a one-weight model, for the argument checks.
private func sweep(start: Double = 1e-7, end: Double = 10, stepCount: Int = 100, smoothing: Double = 0.98,
                   threshold: Double = 4, batches: [Int] = [0]) {
    let model = Linear<Double>(inputSize: 1, outputSize: 1)
    let optimizer = SGD(parameters: model.parameters())
    _ = findLearningRate(model: model, optimizer: optimizer, batches: batches, startLearningRate: start, endLearningRate: end,
                         stepCount: stepCount, smoothing: smoothing, divergenceThreshold: threshold) { _ in
        model(Variable(Tensor([[1]]))).sum()
    }
}

extension Array {
    /// Consecutive slices of `size` elements.
    fileprivate func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
