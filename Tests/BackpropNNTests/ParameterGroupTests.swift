import Foundation
import Testing
import Backprop
import BackpropNN

/// Optimizers and schedules over two parameter groups against PyTorch's float64 `param_groups`
/// (Tests/References/parameter_groups.json, made by make_parameter_groups_reference.py).
/// This file imports BackpropNN without @testable: its documentation example uses the public API alone.
@Suite("Parameter groups")
struct ParameterGroupTests {
    struct OptimizerCase: Decodable {
        let name: String
        let kind: String
        let defaults: [String: Double]
        let groups: [[String: Double]]
        let trajectory: [[Double]]
    }

    struct ScheduleCase: Decodable {
        let name: String
        let rates: [[Double]]
    }

    struct File: Decodable {
        let bases: [Double]
        let optimizers: [OptimizerCase]
        let schedules: [ScheduleCase]
    }

    static let file = try! reference("parameter_groups.json", as: File.self)

    /// The script's problem: W [2, 3] (the first group), b [2] and s [2] (the second).
    static func start() -> [Variable<Double>] {
        [Variable(sinePattern([2, 3], 0.5, 0.2), requiresGrad: true), Variable(sinePattern([2], 0.9, 0.4), requiresGrad: true),
         Variable(1 + 0.1 * sinePattern([2], 1.3, 0), requiresGrad: true)]
    }

    /// ½·Σ((x·Wᵀ + b)·s − y)².
    static func loss(_ p: [Variable<Double>]) -> Variable<Double> {
        let x = Variable(sinePattern([4, 3], 0.7, 0.1)), y = Variable(sinePattern([4, 2], 1.1, 0.3))
        let difference = (matmul(x, p[0].transposed()) + p[1]) * p[2] - y
        return 0.5 * (difference * difference).sum()
    }

    /// The optimizer a case describes: its defaults, and the groups [W] and [b, s] with their settings.
    static func optimizer(_ c: OptimizerCase, _ p: [Variable<Double>]) -> any Optimizer<Double> {
        let groups = zip([[p[0]], [p[1], p[2]]], c.groups).map { parameters, g in
            ParameterGroup(parameters: parameters, learningRate: g["learningRate"], weightDecay: g["weightDecay"],
                           momentum: g["momentum"], betas: g["beta1"].map { ($0, g["beta2"]!) })
        }
        let d = c.defaults
        switch c.kind {
        case "adamW": return AdamW(groups: groups, learningRate: d["learningRate"]!)
        case "adam": return Adam(groups: groups, learningRate: d["learningRate"]!)
        case "sgd": return SGD(groups: groups, learningRate: d["learningRate"]!, momentum: d["momentum"]!, dampening: d["dampening"]!)
        case "rmsProp": return RMSProp(groups: groups, learningRate: d["learningRate"]!)
        default: fatalError("unknown optimizer \(c.kind)")
        }
    }

    static func close(_ a: [Double], _ e: [Double]) -> Bool {
        a.count == e.count && zip(a, e).allSatisfy { Swift.abs($0 - $1) <= 1e-12 * Swift.max(1, Swift.abs($1)) }
    }

    static func train(_ optimizer: any Optimizer<Double>, _ p: [Variable<Double>], steps: Int) -> [[Double]] {
        (0..<steps).map { _ in
            optimizer.zeroGrad()
            loss(p).backward()
            optimizer.step()
            return p.flatMap(\.value.scalars)
        }
    }

    @Test(arguments: file.optimizers.map { ($0.name, $0) })
    func trajectoryMatchesPyTorch(_ name: String, _ c: OptimizerCase) {
        let p = Self.start()
        let optimizer = Self.optimizer(c, p)
        for (step, (actual, expected)) in zip(Self.train(optimizer, p, steps: 20), c.trajectory).enumerated() {
            #expect(Self.close(actual, expected), "\(name), step \(step + 1): \(actual) ≠ \(expected)")
        }
    }

    @Test(arguments: file.optimizers.map { ($0.name, $0) })
    func stateRoundTripsIntoAFreshOptimizer(_ name: String, _ c: OptimizerCase) throws {
        let p = Self.start()
        let optimizer = Self.optimizer(c, p)
        _ = Self.train(optimizer, p, steps: 10)
        let copies = p.map { Variable($0.value, requiresGrad: true) }
        let restored = Self.optimizer(c, copies)
        try restored.load(optimizer.state())
        #expect(restored.state() == optimizer.state(), "\(name)")
        #expect(Self.train(restored, copies, steps: 10) == Self.train(optimizer, p, steps: 10), "\(name): resumed differently")
    }

    /// An SGD optimizer whose two groups start at the script's base rates, and a default rate of 0.5 that neither uses.
    static func twoGroupSGD() -> SGD<Double> {
        SGD(groups: file.bases.map { ParameterGroup(parameters: [Variable(Tensor([0.0]), requiresGrad: true)], learningRate: $0) },
            learningRate: 0.5)
    }

    @Test(arguments: file.schedules.map { ($0.name, $0) })
    func scheduleRatesMatchPyTorchPerGroup(_ name: String, _ c: ScheduleCase) {
        let sgd = Self.twoGroupSGD()
        let schedule: LearningRateSchedule<Double>
        switch name {
        case "warmup then cosine":
            let warmup = LinearWarmup(optimizer: sgd, warmupSteps: 5, startFactor: 0.1)
            let cosine = CosineAnnealingLR(optimizer: sgd, maximumSteps: 15, minimumLearningRate: 0.001)
            schedule = SequentialLR(optimizer: sgd, schedules: [warmup, cosine], milestones: [5])
        case "one cycle": schedule = OneCycleLR(optimizer: sgd, maximumLearningRates: [0.4, 0.04], totalSteps: 20)
        case "step": schedule = StepLR(optimizer: sgd, stepSize: 3, gamma: 0.5)
        default: fatalError("unknown schedule \(name)")
        }
        #expect(schedule.baseLearningRates == Self.file.bases || name == "one cycle")
        for (step, expected) in c.rates.enumerated() {
            if step > 0 { schedule.step() }
            #expect(Self.close(sgd.learningRates, expected), "\(name), step \(step): \(sgd.learningRates) ≠ \(expected)")
            #expect(Self.close(schedule.learningRates(atStep: step), expected), "\(name), closed form at step \(step)")
        }
    }

    @Test func reduceOnPlateauReducesEveryGroupAndRestoresThem() throws {
        let sgd = Self.twoGroupSGD()
        let plateau = ReduceLROnPlateau(optimizer: sgd, factor: 0.5, patience: 0, minimumLearningRate: 0.004)
        plateau.step(metric: 1)
        plateau.step(metric: 2)  // worse: more than 0 bad steps, so both halve
        #expect(sgd.learningRates == [0.05, 0.005])
        plateau.step(metric: 3)  // the second stops at the floor 0.004
        #expect(sgd.learningRates == [0.025, 0.004])
        let state = plateau.state()
        #expect(state.values["learning_rate"] == 0.025 && state.values["learning_rate.1"] == 0.004)
        let fresh = Self.twoGroupSGD()
        try ReduceLROnPlateau(optimizer: fresh, factor: 0.5, patience: 0).load(state)
        #expect(fresh.learningRates == [0.025, 0.004])
        var partial = state
        partial.values["learning_rate.1"] = nil
        #expect(throws: ScheduleStateError.self) { try ReduceLROnPlateau(optimizer: Self.twoGroupSGD()).load(partial) }
    }

    @Test func groupsFillInDefaultsAndTheirRatesAreSettable() {
        let p = Self.start()
        let adam = AdamW(groups: [ParameterGroup(parameters: [p[0]], learningRate: 0.01),
                                  ParameterGroup(parameters: [p[1], p[2]], weightDecay: 0, betas: (0.8, 0.9))],
                         learningRate: 0.002)
        #expect(adam.parameters.map(ObjectIdentifier.init) == p.map(ObjectIdentifier.init))
        #expect(adam.groups.map(\.learningRate) == [0.01, 0.002])
        #expect(adam.groups.map(\.weightDecay) == [0.01, 0])
        #expect(adam.groups[0].betas! == (0.9, 0.999) && adam.groups[1].betas! == (0.8, 0.9))
        #expect(adam.learningRate == 0.01)             // the first group's, as param_groups[0]["lr"]
        adam.groups[1].learningRate = 0.003
        #expect(adam.learningRates == [0.01, 0.003])
        adam.learningRate = 0.5                        // sets every group's
        #expect(adam.learningRates == [0.5, 0.5])
        adam.learningRates = [0.1, 0.2]
        #expect(adam.groups.map(\.learningRate) == [0.1, 0.2])
        // One group for the parameters: initializer, as before.
        let sgd = SGD(parameters: p, learningRate: 0.1, momentum: 0.9)
        #expect(sgd.groups.count == 1 && sgd.groups[0].parameters.count == 3 && sgd.groups[0].momentum == 0.9)
    }

    @Test func aHyperparameterTheOptimizerLacksStops() async {
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Variable(Tensor<Double>([1, 2]), requiresGrad: true)
            _ = Adam(groups: [ParameterGroup(parameters: [w], momentum: 0.9)])
        }
        let message = output.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(message.contains("Adam: a parameter group sets momentum, which Adam does not have"))
    }

    @Test func lbfgsTakesOneGroupOnly() async {
        let x = Variable(Tensor<Double>([1]), requiresGrad: true)
        #expect(LBFGS(groups: [ParameterGroup(parameters: [x], learningRate: 0.5)]).learningRate == 0.5)
        let output = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Variable(Tensor<Double>([1]), requiresGrad: true), b = Variable(Tensor<Double>([2]), requiresGrad: true)
            _ = LBFGS(groups: [ParameterGroup(parameters: [a]), ParameterGroup(parameters: [b])])
        }
        let message = output.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(message.contains("LBFGS: supports exactly one parameter group, as PyTorch's, but was given 2"))
    }

    @Test func aCheckpointKeepsEachGroupsRateAndResumesExactly() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("groups-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let x = sinePattern([8, 3], 0.7, 0.1), y = sinePattern([8, 2], 1.1, 0.3)
        func run() -> (Linear<Double>, AdamW<Double>, SequentialLR<Double>) {
            let model = Linear<Double>(weight: sinePattern([2, 3], 0.5, 0.2), bias: sinePattern([2], 0.9, 0.4))
            let optimizer = AdamW(groups: [ParameterGroup(parameters: [model.weight], learningRate: 0.02),
                                           ParameterGroup(parameters: [model.bias!], learningRate: 0.005, weightDecay: 0)])
            let warmup = LinearWarmup(optimizer: optimizer, warmupSteps: 3, startFactor: 0.2)
            let cosine = CosineAnnealingLR(optimizer: optimizer, maximumSteps: 9)
            return (model, optimizer, SequentialLR(optimizer: optimizer, schedules: [warmup, cosine], milestones: [3]))
        }
        func train(_ model: Linear<Double>, _ optimizer: AdamW<Double>, _ schedule: SequentialLR<Double>, steps: Int) -> [[Double]] {
            (0..<steps).map { _ in
                optimizer.zeroGrad()
                let difference = model(Variable(x)) - Variable(y)
                (difference * difference).mean().backward()
                optimizer.step()
                schedule.step()
                return model.weight.value.scalars + model.bias!.value.scalars + optimizer.learningRates
            }
        }
        let (model, optimizer, schedule) = run()
        _ = train(model, optimizer, schedule, steps: 4)
        try model.save(to: url, optimizer: optimizer, schedule: schedule)
        let rates = optimizer.learningRates
        #expect(rates[0] != rates[1])
        let expected = train(model, optimizer, schedule, steps: 6)
        let (resumed, resumedOptimizer, resumedSchedule) = run()
        try resumed.load(from: url, optimizer: resumedOptimizer, schedule: resumedSchedule)
        #expect(resumedOptimizer.learningRates == rates)
        #expect(train(resumed, resumedOptimizer, resumedSchedule, steps: 6) == expected)
        // A checkpoint's rates do not fit an optimizer with another number of groups.
        let single = Linear<Double>(weight: sinePattern([2, 3], 0.5, 0.2), bias: sinePattern([2], 0.9, 0.4))
        #expect(throws: CheckpointError.self) {
            try single.load(from: url, optimizer: AdamW(parameters: single.parameters()), strict: false)
        }
    }

    @Test func aFileWithOneRateLoadsAndAGroupsRateNeedsTheGroupsBeforeIt() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rates-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let model = Linear<Double>(weight: sinePattern([2, 3], 0.5, 0.2), bias: sinePattern([2], 0.9, 0.4))
        let tensors = ["weight": model.weight.value, "bias": model.bias!.value, "optimizer.step": Tensor(0.0)]
        // As files saved before groups: one "optimizer.learning_rate".
        try saveSafetensors(tensors, to: url, metadata: ["optimizer.learning_rate": "0.25"])
        let sgd = SGD(parameters: model.parameters(), learningRate: 0.1)
        try model.load(from: url, optimizer: sgd)
        #expect(sgd.learningRates == [0.25])
        try saveSafetensors(tensors, to: url, metadata: ["optimizer.learning_rate": "0.25", "optimizer.learning_rate.2": "0.5"])
        #expect(throws: CheckpointError.self) { try model.load(from: url, optimizer: sgd) }
    }

    @Test func documentationExample() {
        // doc: Docs/Training.md
        let model = withRandomSeed(1) {
            Sequential<Float>(Linear(inputSize: 4, outputSize: 16), LayerNorm(featureCount: 16), ReLU(),
                              Linear(inputSize: 16, outputSize: 1))
        }
        // Weight decay on the weight matrices only: none on biases and norms.
        let named = model.namedParameters()
        let decays = named.map { $0.name.hasSuffix(".weight") && $0.parameter.shape.count > 1 }
        let optimizer = AdamW(groups: [
            ParameterGroup(parameters: zip(named, decays).filter { $1 }.map(\.0.parameter), weightDecay: 0.01),
            ParameterGroup(parameters: zip(named, decays).filter { !$1 }.map(\.0.parameter), learningRate: 2e-3, weightDecay: 0),
        ], learningRate: 1e-3)
        print(optimizer.learningRates)               // [0.001, 0.002]
        print(optimizer.groups[1].parameters.count)  // 4: two biases and LayerNorm's weight and bias
        // end doc
        #expect(optimizer.learningRates == [0.001, 0.002])
        #expect(optimizer.groups.map(\.parameters.count) == [2, 4])
        #expect(optimizer.groups.map(\.weightDecay) == [0.01, 0])
    }
}
