import Backprop

/// An activation whose outputs a ``TrainingMonitor`` inspects, known by its op's name.
enum MonitoredActivation: String {
    case relu, tanh, sigmoid

    /// The activation an op computes: `linear` with an activation records a fused op.
    init?(op: String) {
        switch op {
        case "relu", "addBias+relu": self = .relu
        case "tanh", "addBias+tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        default: return nil
        }
    }
}

/// How many of a layer's activation units (ReLU) or outputs (tanh, sigmoid) were inactive in one step.
struct ActivationTally {
    /// The activation, for messages ("tanh outputs").
    var activation: MonitoredActivation
    /// Dead units or saturated outputs.
    var inactive = 0
    /// All units or outputs measured.
    var total = 0

    var fraction: Double { Double(inactive) / Double(total) }
}

/// The activation tallies of one step, by layer index: dead ReLU units, saturated tanh and sigmoid outputs.
struct ActivationTallies {
    var dead: [Int: ActivationTally] = [:]
    var saturated: [Int: ActivationTally] = [:]
}

extension TrainingMonitor {
    /// How far up a node's inputs the search for its layer goes: far enough to pass a bias add,
    /// a reshape and a normalisation's few ops, near enough not to reach a layer further back.
    static var attributionDepth: Int { 6 }

    /// Tallies the dead and saturated units of each activation node among `nodes` by layer, and
    /// stores the fractions in `record`.
    ///
    /// A ReLU unit is dead when it has been 0 for every example of the last
    /// ``MonitorThresholds/deadUnitExamples`` examples or more, counted across steps: a count kept
    /// per unit, reset when the unit is positive for some example of a batch.
    func measureActivations(in nodes: [Variable<Scalar>], into record: inout TrainingStepRecord) -> ActivationTallies {
        var tallies = ActivationTallies()
        var active: [Int: (units: [Bool], examples: Int)] = [:]
        for node in nodes {
            guard let activation = node.op.flatMap(MonitoredActivation.init(op:)),
                  let layer = layer(feeding: node) else { continue }
            switch activation {
            case .relu:
                guard let (units, examples) = Self.activeUnits(in: node.value) else { continue }
                if let seen = active[layer], seen.units.count == units.count {
                    active[layer] = (zip(seen.units, units).map { $0 || $1 }, seen.examples + examples)
                } else {
                    active[layer] = (units, examples)
                }
            case .tanh, .sigmoid:
                tallies.saturated[layer, default: ActivationTally(activation: activation)].inactive +=
                    Self.saturatedOutputs(in: node.value, of: activation)
                tallies.saturated[layer]!.total += node.value.count
            }
        }
        for (layer, (units, examples)) in active {
            var silent = silentExamples[layer].flatMap { $0.count == units.count ? $0 : nil }
                ?? Array(repeating: 0, count: units.count)
            for (unit, isActive) in units.enumerated() { silent[unit] = isActive ? 0 : silent[unit] + examples }
            silentExamples[layer] = silent
            tallies.dead[layer] = ActivationTally(activation: .relu, inactive: silent.count { $0 >= thresholds.deadUnitExamples },
                                                  total: units.count)
        }
        for (layer, tally) in tallies.dead { record.deadFractions[layers[layer]] = tally.fraction }
        for (layer, tally) in tallies.saturated where tally.total > 0 {
            record.saturatedFractions[layers[layer]] = tally.fraction
        }
        return tallies
    }

    /// The layer nearest upstream of `node`: that of the first parameter the monitor knows found
    /// among its inputs, breadth-first, within ``attributionDepth`` levels.
    func layer(feeding node: Variable<Scalar>) -> Int? {
        var frontier = node.recordedInputs
        var seen: Set<ObjectIdentifier> = []
        for _ in 0..<Self.attributionDepth {
            if let found = frontier.lazy.compactMap({ self.layerOfParameter[ObjectIdentifier($0)] }).first { return found }
            frontier = frontier.flatMap(\.recordedInputs).filter { seen.insert(ObjectIdentifier($0)).inserted }
            if frontier.isEmpty { return nil }
        }
        return nil
    }

    /// Which units of a ReLU's output were positive for some example, and the number of examples;
    /// nil for an output of rank below 2. A unit is a feature on the last axis, or a channel (axis 1)
    /// of a 4-d NCHW feature map; its examples are the indices of the other axes.
    static func activeUnits(in value: Tensor<Scalar>) -> (units: [Bool], examples: Int)? {
        let shape = value.shape
        guard shape.count >= 2 else { return nil }
        let units = shape.count == 4 ? shape[1] : shape[shape.count - 1]
        let inner = shape.count == 4 ? shape[2] * shape[3] : 1
        guard units > 0 else { return nil }
        var active = [Bool](repeating: false, count: units)
        for (index, element) in value.scalars.enumerated() where element > 0 { active[(index / inner) % units] = true }
        return (active, value.count / units)
    }

    /// The number of saturated outputs of a tanh (|y| > 0.99) or a sigmoid (y < 0.01 or y > 0.99).
    static func saturatedOutputs(in value: Tensor<Scalar>, of activation: MonitoredActivation) -> Int {
        let scalars = value.scalars
        return activation == .tanh ? scalars.count { abs($0) > 0.99 } : scalars.count { $0 < 0.01 || $0 > 0.99 }
    }
}
