import Foundation
import Testing
import Backprop
@testable import BackpropNN

/// Every schedule's learning rates over 20 steps against PyTorch's float64 ones
/// (Tests/References/schedules.json, made by make_schedules_reference.py).
@Suite("Learning-rate schedules against PyTorch")
struct ScheduleReferenceTests {
    struct Case: Decodable {
        let name: String
        let kind: String
        let arguments: [String: Argument]
        let metrics: [Double]?
        let rates: [Double]
    }

    /// A number or a list of whole numbers.
    enum Argument: Decodable {
        case number(Double)
        case list([Int])
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let list = try? container.decode([Int].self) { self = .list(list) } else { self = .number(try container.decode(Double.self)) }
        }
        var number: Double { if case let .number(value) = self { value } else { .nan } }
        var list: [Int] { if case let .list(value) = self { value } else { [] } }
    }

    struct File: Decodable {
        let steps: Int
        let baseLearningRate: Double
        let cases: [Case]
    }

    /// The schedule a case describes, on `optimizer`.
    static func schedule(_ c: Case, _ optimizer: SGD<Double>) -> LearningRateSchedule<Double> {
        let a = c.arguments
        func number(_ key: String) -> Double? { a[key]?.number }
        func int(_ key: String) -> Int? { number(key).map { Int($0) } }
        switch c.kind {
        case "step": return StepLR(optimizer: optimizer, stepSize: int("stepSize")!, gamma: number("gamma")!)
        case "multiStep":
            return number("gamma").map { MultiStepLR(optimizer: optimizer, milestones: a["milestones"]!.list, gamma: $0) }
                ?? MultiStepLR(optimizer: optimizer, milestones: a["milestones"]!.list)
        case "exponential": return ExponentialLR(optimizer: optimizer, gamma: number("gamma")!)
        case "cosine":
            return CosineAnnealingLR(optimizer: optimizer, maximumSteps: int("maximumSteps")!,
                                     minimumLearningRate: number("minimumLearningRate")!)
        case "linear":
            return a.isEmpty ? LinearWarmup(optimizer: optimizer)
                : LinearWarmup(optimizer: optimizer, warmupSteps: int("warmupSteps")!, startFactor: number("startFactor")!)
        case "polynomial":
            return a.isEmpty ? PolynomialLR(optimizer: optimizer)
                : PolynomialLR(optimizer: optimizer, totalSteps: int("totalSteps")!, power: number("power")!)
        case "oneCycle":
            let maximum = number("maximumLearningRate")!, total = int("totalSteps")!
            guard a["linear"] != nil else { return OneCycleLR(optimizer: optimizer, maximumLearningRate: maximum, totalSteps: total) }
            return OneCycleLR(optimizer: optimizer, maximumLearningRate: maximum, totalSteps: total,
                              startFraction: number("startFraction")!, annealing: .linear,
                              divisionFactor: number("divisionFactor")!, finalDivisionFactor: number("finalDivisionFactor")!)
        case "warmupCosine":
            let warmup = LinearWarmup(optimizer: optimizer, warmupSteps: 5, startFactor: 0.1)
            let cosine = CosineAnnealingLR(optimizer: optimizer, maximumSteps: 15, minimumLearningRate: 0.001)
            return SequentialLR(optimizer: optimizer, schedules: [warmup, cosine], milestones: [int("milestone")!])
        case "threeStages":
            let first = ExponentialLR(optimizer: optimizer, gamma: 0.9)
            let second = StepLR(optimizer: optimizer, stepSize: 2, gamma: 0.5)
            let third = PolynomialLR(optimizer: optimizer, totalSteps: 4, power: 2)
            return SequentialLR(optimizer: optimizer, schedules: [first, second, third], milestones: [4, 11])
        case "plateau":
            guard !a.isEmpty else { return ReduceLROnPlateau(optimizer: optimizer) }
            return ReduceLROnPlateau(optimizer: optimizer, mode: a["maximize"] == nil ? .minimize : .maximize,
                                     factor: number("factor")!, patience: int("patience")!,
                                     threshold: number("absoluteThreshold") ?? 1e-4,
                                     thresholdMode: a["absoluteThreshold"] == nil ? .relative : .absolute,
                                     cooldown: int("cooldown") ?? 0, minimumLearningRate: number("minimumLearningRate") ?? 0)
        default: preconditionFailure("unknown kind \(c.kind)")
        }
    }

    static func makeOptimizer(_ rate: Double = 0.1) -> SGD<Double> {
        SGD(parameters: [Variable(Tensor<Double>([0]), requiresGrad: true)], learningRate: rate)
    }

    /// Steps `schedule` once, with the case's metric at `step` (0-based) if it follows one.
    static func advance(_ schedule: LearningRateSchedule<Double>, _ c: Case, _ step: Int) {
        if let plateau = schedule as? ReduceLROnPlateau<Double> { plateau.step(metric: c.metrics![step]) } else { schedule.step() }
    }

    static let file = try! reference("schedules.json", as: File.self)

    @Test func coversEverySchedule() {
        #expect(Self.file.steps == 20 && Self.file.baseLearningRate == 0.1)
        #expect(Set(Self.file.cases.map(\.kind)) == ["step", "multiStep", "exponential", "cosine", "linear", "polynomial",
                                                    "oneCycle", "warmupCosine", "threeStages", "plateau"])
    }

    @Test(arguments: file.cases.map(\.name))
    func matchesPyTorch(_ name: String) {
        let c = Self.file.cases.first { $0.name == name }!
        let optimizer = Self.makeOptimizer()
        let schedule = Self.schedule(c, optimizer)
        var rates = [optimizer.learningRate]
        for step in 0..<Self.file.steps {
            Self.advance(schedule, c, step)
            #expect(schedule.currentStep == step + 1)
            #expect(schedule.learningRate == optimizer.learningRate)
            rates.append(optimizer.learningRate)
        }
        let worst = zip(rates, c.rates).map { Swift.abs($0 - $1) }.max()!
        #expect(rates.count == c.rates.count && worst <= 1e-12, "\(name): \(rates) ≠ \(c.rates)")
    }

    /// Saving the state at every step of the trajectory and loading it into a fresh schedule on a fresh
    /// optimizer reproduces the rest exactly, and the state round-trips.
    @Test(arguments: file.cases.map(\.name))
    func resumesMidTrajectory(_ name: String) throws {
        let c = Self.file.cases.first { $0.name == name }!
        let optimizer = Self.makeOptimizer()
        let schedule = Self.schedule(c, optimizer)
        var full: [Double] = []
        var states: [ScheduleState<Double>] = []
        for step in 0..<Self.file.steps {
            states.append(schedule.state())
            Self.advance(schedule, c, step)
            full.append(optimizer.learningRate)
        }
        for resumeAt in [0, 7, 13] {
            let fresh = Self.makeOptimizer()
            let resumed = Self.schedule(c, fresh)
            try resumed.load(states[resumeAt])
            #expect(resumed.state() == states[resumeAt])
            #expect(resumed.currentStep == resumeAt)
            var rest: [Double] = []
            for step in resumeAt..<Self.file.steps {
                Self.advance(resumed, c, step)
                rest.append(fresh.learningRate)
            }
            #expect(rest == Array(full[resumeAt...]), "\(name) resumed at \(resumeAt)")
        }
    }
}
