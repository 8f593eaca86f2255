import Foundation
import Testing
import Backprop
@testable import BackpropNN

/// Each schedule's learning rates for steps 0…6, against closed forms written out in `Double`.
@Suite("Learning-rate schedules")
struct ScheduleTests {
    /// An SGD optimizer at learning rate 0.1 on a throwaway parameter.
    func makeOptimizer() -> SGD<Double> {
        SGD(parameters: [Variable(Tensor<Double>([0]), requiresGrad: true)], learningRate: 0.1)
    }

    /// The rates a schedule reports at steps 0…6, checking at each that the optimizer holds the same one
    /// and that `currentStep` counts the calls to `step()`.
    func rates(_ schedule: LearningRateSchedule<Double>, _ optimizer: SGD<Double>,
               sourceLocation: SourceLocation = #_sourceLocation) -> [Double] {
        (0...6).map { step in
            if step > 0 { schedule.step() }
            #expect(schedule.currentStep == step, sourceLocation: sourceLocation)
            #expect(optimizer.learningRate == schedule.learningRate, sourceLocation: sourceLocation)
            #expect(schedule.learningRate(atStep: step) == schedule.learningRate, sourceLocation: sourceLocation)
            return schedule.learningRate
        }
    }

    func expectRates(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        let close = actual.count == expected.count && zip(actual, expected).allSatisfy { Swift.abs($0 - $1) <= 1e-15 }
        #expect(close, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    @Test func stepLR() {
        let optimizer = makeOptimizer()
        let schedule = StepLR(optimizer: optimizer, stepSize: 2, gamma: 0.5)
        #expect(schedule.baseLearningRate == 0.1)
        // Halved every second step.
        expectRates(rates(schedule, optimizer), [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125])
        // PyTorch's default gamma is 0.1.
        let optimizer2 = makeOptimizer()
        expectRates(rates(StepLR(optimizer: optimizer2, stepSize: 3), optimizer2), [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001])
    }

    @Test func exponentialLR() {
        let optimizer = makeOptimizer()
        let schedule = ExponentialLR(optimizer: optimizer, gamma: 0.9)
        // 0.1·0.9ᵗ: 0.1, 0.09, 0.081, 0.0729, 0.06561, …
        expectRates(rates(schedule, optimizer), (0...6).map { (t: Int) -> Double in 0.1 * pow(0.9, Double(t)) })
    }

    @Test func cosineAnnealingLR() {
        let optimizer = makeOptimizer()
        let schedule = CosineAnnealingLR(optimizer: optimizer, maximumSteps: 4, minimumLearningRate: 0.01)
        // 0.01 + 0.09·(1 + cos(πt/4))/2: 0.1, 0.0868…, 0.055, 0.0231…, 0.01, then back up along the cosine.
        let expected = (0...6).map { (t: Int) -> Double in 0.01 + (0.1 - 0.01) * (1 + cos(Double.pi * Double(t) / 4)) / 2 }
        expectRates(rates(schedule, optimizer), expected)
        #expect(Swift.abs(expected[2] - 0.055) < 1e-15 && Swift.abs(expected[4] - 0.01) < 1e-15)
        #expect(Swift.abs(expected[1] - (0.01 + 0.09 * (1 + 0.5.squareRoot()) / 2)) < 1e-15)
        // η_min defaults to 0: halfway, half the base rate.
        let optimizer2 = makeOptimizer()
        let toZero = CosineAnnealingLR(optimizer: optimizer2, maximumSteps: 6)
        let toZeroRates = rates(toZero, optimizer2)
        #expect(Swift.abs(toZeroRates[3] - 0.05) < 1e-15 && Swift.abs(toZeroRates[6]) < 1e-15)
    }

    @Test func linearWarmup() {
        let optimizer = makeOptimizer()
        let schedule = LinearWarmup(optimizer: optimizer, warmupSteps: 4, startFactor: 0.25)
        // Made at step 0, it sets the rate to 0.25·0.1 at once; then +0.01875 a step up to 0.1, then constant.
        #expect(optimizer.learningRate == 0.025)
        expectRates(rates(schedule, optimizer), [0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1, 0.1])
        #expect(schedule.baseLearningRate == 0.1)
        // PyTorch's LinearLR defaults: start factor 1/3 over 5 steps.
        let optimizer2 = makeOptimizer()
        let defaults = LinearWarmup(optimizer: optimizer2)
        let expected = (0...6).map { (t: Int) -> Double in 0.1 * (1.0 / 3 + 2.0 / 3 * Double(min(t, 5)) / 5) }
        expectRates(rates(defaults, optimizer2), expected)
    }

    @Test func scheduleDrivesTheOptimizersSteps() {
        let parameter = Variable(Tensor<Double>([1]), requiresGrad: true)
        let optimizer: any Optimizer<Double> = SGD(parameters: [parameter], learningRate: 0.1)
        let schedule = StepLR(optimizer: optimizer, stepSize: 1, gamma: 0.5)
        // Rates 0.1, 0.05, 0.025 with gradient 1: 1 − 0.1 − 0.05 − 0.025 = 0.825.
        for _ in 0..<3 {
            parameter.grad = Tensor([1])
            optimizer.step()
            schedule.step()
        }
        #expect(Swift.abs(parameter.value.scalars[0] - 0.825) < 1e-15)
        #expect(optimizer.learningRate == 0.0125)
    }

    @Test func everyScheduleStartsFromTheOptimizersInitialRate() {
        let optimizer = makeOptimizer()
        #expect(optimizer.initialLearningRate == nil)
        let warmup = LinearWarmup(optimizer: optimizer, warmupSteps: 4, startFactor: 0.25)
        #expect(optimizer.initialLearningRate == 0.1 && optimizer.learningRate == 0.025)
        warmup.step()
        warmup.step()
        // Built after the warm-up set and stepped the rate to 0.0625, it still starts from 0.1, as PyTorch's initial_lr.
        let decay = ExponentialLR(optimizer: optimizer, gamma: 0.5)
        #expect(decay.baseLearningRate == 0.1 && optimizer.learningRate == 0.1)
        decay.step()
        #expect(optimizer.learningRate == 0.05)
        let polynomial = PolynomialLR(optimizer: optimizer, totalSteps: 2, power: 1)
        #expect(polynomial.baseLearningRate == 0.1 && optimizer.initialLearningRate == 0.1)
        #expect(polynomial.learningRate(atStep: 1) == 0.05)
    }

    /// An optimizer that keeps no initial rate: its schedules start from the current rate.
    final class BareOptimizer: Optimizer {
        let parameters: [Variable<Double>] = []
        var learningRate: Double = 0.4
        func step() {}
        func state() -> OptimizerState<Double> { OptimizerState(step: 0, perParameter: []) }
        func load(_ state: OptimizerState<Double>) throws {}
    }

    @Test func anOptimizerWithoutStorageGivesItsCurrentRate() {
        let optimizer = BareOptimizer()
        _ = StepLR(optimizer: optimizer, stepSize: 1, gamma: 0.5)
        optimizer.learningRate = 0.2
        let schedule = ExponentialLR(optimizer: optimizer, gamma: 0.5)
        #expect(optimizer.initialLearningRate == nil && schedule.baseLearningRate == 0.2)
    }

    @Test func sequentialLRSwitchesAtItsMilestones() {
        let optimizer = makeOptimizer()
        let warmup = LinearWarmup(optimizer: optimizer, warmupSteps: 2, startFactor: 0.5)
        let steps = StepLR(optimizer: optimizer, stepSize: 1, gamma: 0.5)
        let schedule = SequentialLR(optimizer: optimizer, schedules: [warmup, steps], milestones: [3])
        // Warm-up 0.05, 0.075, 0.1, 0.1; from step 3 StepLR from its own step 0: 0.1, 0.05, 0.025.
        #expect(optimizer.learningRate == 0.05)
        expectRates(rates(schedule, optimizer), [0.05, 0.075, 0.1, 0.1, 0.05, 0.025, 0.0125])
        #expect(steps.currentStep == 3 && warmup.currentStep == 2)
    }

    @Test func reduceLROnPlateauByHand() {
        let optimizer = makeOptimizer()
        let schedule = ReduceLROnPlateau(optimizer: optimizer, factor: 0.5, patience: 1, minimumLearningRate: 0.03)
        #expect(optimizer.learningRate == 0.1 && schedule.best == .infinity)
        // 1 is the best; 1 and 0.99995 do not improve by 10⁻⁴ relative: two bad steps > patience 1, so halve.
        for metric in [1, 1, 0.99995] { schedule.step(metric: metric) }
        #expect(optimizer.learningRate == 0.05 && schedule.badSteps == 0 && schedule.best == 1)
        // 0.9 improves; two more bad steps halve again, to the floor 0.03 rather than 0.025; then no change.
        for metric in [0.9, 2, 3] { schedule.step(metric: metric) }
        #expect(optimizer.learningRate == 0.03 && schedule.best == 0.9 && schedule.currentStep == 6)
        for metric in [4.0, 5] { schedule.step(metric: metric) }
        #expect(optimizer.learningRate == 0.03)
        #expect(schedule.state() == ScheduleState(step: 8, values: ["best": 0.9, "bad_steps": 0, "cooldown_counter": 0,
                                                                    "learning_rate": 0.03]))
    }

    @Test func loadRefusesAnIncompleteStateAndChangesNothing() {
        let optimizer = makeOptimizer()
        let plateau = ReduceLROnPlateau(optimizer: optimizer)
        #expect(throws: ScheduleStateError.self) { try plateau.load(ScheduleState(step: 3)) }
        #expect(throws: ScheduleStateError.self) {
            try plateau.load(ScheduleState(step: 3, values: ["best": 1, "bad_steps": -1, "cooldown_counter": 0, "learning_rate": 0.1]))
        }
        #expect(plateau.currentStep == 0 && plateau.best == .infinity)
        let steps = StepLR(optimizer: optimizer, stepSize: 2)
        #expect(throws: ScheduleStateError.self) { try steps.load(ScheduleState(step: -1)) }
        #expect(steps.currentStep == 0 && optimizer.learningRate == 0.1)
    }

    @Test func aCheckpointKeepsThePlateausState() throws {
        let model = withRandomSeed(1) { Linear<Double>(inputSize: 2, outputSize: 1) }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1)
        let plateau = ReduceLROnPlateau(optimizer: optimizer, factor: 0.5, patience: 1, cooldown: 2)
        for metric in [1.0, 1, 1, 0.5] { plateau.step(metric: metric) }
        #expect(optimizer.learningRate == 0.05 && plateau.cooldownCounter == 1)
        try withTemporaryFile { url in
            try model.save(to: url, optimizer: optimizer, schedule: plateau)
            let freshOptimizer = SGD(parameters: model.parameters(), learningRate: 0.1)
            let fresh = ReduceLROnPlateau(optimizer: freshOptimizer, factor: 0.5, patience: 1, cooldown: 2)
            try model.load(from: url, optimizer: freshOptimizer, schedule: fresh)
            #expect(fresh.state() == plateau.state() && freshOptimizer.learningRate == 0.05)
            // A file saved with a closed-form schedule lacks the plateau's values: loading it into one throws
            let stepOptimizer = SGD(parameters: model.parameters(), learningRate: 0.1)
            try model.save(to: url, optimizer: stepOptimizer, schedule: StepLR(optimizer: stepOptimizer, stepSize: 1))
            #expect(throws: CheckpointError.self) { try model.load(from: url, optimizer: freshOptimizer, schedule: fresh) }
            #expect(fresh.state() == plateau.state())
        }
    }
}
