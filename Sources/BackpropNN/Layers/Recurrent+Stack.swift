import Backprop

/// One direction of one layer of a stacked recurrent network: PyTorch's four tensors.
struct RecurrentWeights<Scalar: TensorScalar>: GatedWeights {
    let weightIh: Variable<Scalar>, weightHh: Variable<Scalar>
    let biasIh: Variable<Scalar>?, biasHh: Variable<Scalar>?
}

/// What ``LSTM``, ``GRU`` and ``RNN`` share: the weights of every layer and direction, the dropout
/// between layers, and the loop over layers, directions and time steps.
///
/// A state is an array of `[batch, hiddenSize]` variables, the hidden vector first (an LSTM's
/// second is its cell vector); a step maps one time step's input gates, the hidden gates and the
/// state to the next state.
struct RecurrentStack<Scalar: TensorScalar> {
    typealias Step = (_ input: [Variable<Scalar>], _ hidden: [Variable<Scalar>], _ state: [Variable<Scalar>]) -> [Variable<Scalar>]

    /// The type's name, for messages.
    let name: String
    let inputSize: Int, hiddenSize: Int, layerCount: Int, directionCount: Int
    let dropout: Scalar
    /// Indexed `layer · directionCount + direction`, PyTorch's order.
    let weights: [RecurrentWeights<Scalar>]
    let mode = TrainingMode()
    /// Where the dropout masks come from; nil when there is no dropout.
    let generator: RandomGenerator?

    init(name: String, gates: Int, inputSize: Int, hiddenSize: Int, layerCount: Int, bias: Bool,
         dropout: Scalar, bidirectional: Bool, seed: UInt64?) {
        require(inputSize > 0 && hiddenSize > 0 && layerCount > 0,
                "\(name): inputSize \(inputSize), hiddenSize \(hiddenSize) and layerCount \(layerCount) must be positive")
        require(dropout >= 0 && dropout < 1, "\(name): dropout \(dropout) is not in [0, 1)")
        self.name = name
        (self.inputSize, self.hiddenSize, self.layerCount) = (inputSize, hiddenSize, layerCount)
        directionCount = bidirectional ? 2 : 1
        self.dropout = dropout
        var weights: [RecurrentWeights<Scalar>] = []
        for layer in 0..<layerCount {
            for _ in 0..<directionCount {
                let (ih, hh, bih, bhh): (Variable<Scalar>, Variable<Scalar>, Variable<Scalar>?, Variable<Scalar>?) =
                    makeGatedWeights(inputSize: layer == 0 ? inputSize : directionCount * hiddenSize,
                                     hiddenSize: hiddenSize, gates: gates, bias: bias)
                weights.append(RecurrentWeights(weightIh: ih, weightHh: hh, biasIh: bih, biasHh: bhh))
            }
        }
        self.weights = weights
        generator = dropout > 0 ? RandomGenerator(seed: seed) : nil
    }

    /// PyTorch's state_dict names and order (per layer, per direction: w_ih, w_hh, b_ih, b_hh),
    /// then the mode switch and the dropout generator.
    var stateEntries: [(key: String, value: Any)] {
        var entries: [(key: String, value: Any)] = []
        for (index, w) in weights.enumerated() {
            let suffix = "_l\(index / directionCount)" + (index % directionCount == 1 ? "_reverse" : "")
            entries += [("weight_ih" + suffix, w.weightIh), ("weight_hh" + suffix, w.weightHh)]
            if let biasIh = w.biasIh, let biasHh = w.biasHh {
                entries += [("bias_ih" + suffix, biasIh), ("bias_hh" + suffix, biasHh)]
            }
        }
        entries.append(("mode", mode))
        if let generator { entries.append(("generator", generator)) }
        return entries
    }

    /// Runs every layer and direction over `input` `[batch, time, inputSize]` (or unbatched `[time, inputSize]`).
    ///
    /// - Parameters:
    ///   - initialStates: one per state component, each `[layerCount·directions, batch, hiddenSize]`
    ///     (`[layerCount·directions, hiddenSize]` unbatched); nil for zeros.
    ///   - names: the components' names, for messages (`["h0"]`, `["h0", "c0"]`).
    /// - Returns: the last layer's outputs `[batch, time, directions·hiddenSize]` and the final
    ///   states, each shaped as its initial state.
    func run(_ input: Variable<Scalar>, initialStates: [Variable<Scalar>]?, names: [String],
             step: Step) -> (outputs: Variable<Scalar>, states: [Variable<Scalar>]) {
        require((input.shape.count == 3 || input.shape.count == 2) && input.shape.last == inputSize,
                "\(name): input \(input.shape) is not [batch, time, \(inputSize)] or [time, \(inputSize)]")
        let isBatched = input.shape.count == 3
        let batched = isBatched ? input : input.expandingDims(axis: 0)
        let (batch, time) = (batched.shape[0], batched.shape[1])
        let slots = layerCount * directionCount
        let expected = isBatched ? [slots, batch, hiddenSize] : [slots, hiddenSize]
        var initial: [[Variable<Scalar>]]    // [component][slot]
        if let initialStates {
            require(initialStates.count == names.count, "\(name): \(initialStates.count) initial states for \(names)")
            initial = zip(initialStates, names).map { state, stateName in
                require(state.shape == expected,
                        "\(name): initial \(stateName) \(state.shape) is not [layerCount·directions, \(isBatched ? "batch, " : "")hiddenSize] = \(expected)")
                let full = isBatched ? state : state.expandingDims(axis: 1)
                return (0..<slots).map { full.slicing($0..<($0 + 1), axis: 0).squeezed(axis: 0) }
            }
        } else {
            let zero = Variable<Scalar>(.zeros([batch, hiddenSize]))
            initial = names.map { _ in Array(repeating: zero, count: slots) }
        }

        var layerInput = batched
        var finals = Array(repeating: [Variable<Scalar>](), count: names.count)
        for layer in 0..<layerCount {
            if layer > 0 { layerInput = droppedOut(layerInput) }
            var directionOutputs: [Variable<Scalar>] = []
            for direction in 0..<directionCount {
                let slot = layer * directionCount + direction
                let w = weights[slot]
                // The input projection of every step at once; only the hidden one runs per step.
                let projected = linear(layerInput, weight: w.weightIh, bias: w.biasIh)
                let gateCount = w.weightIh.shape[0] / hiddenSize
                var state = initial.map { $0[slot] }
                var outputs: [Variable<Scalar>] = []
                for t in direction == 0 ? Array(0..<time) : Array((0..<time).reversed()) {
                    let x = projected.slicing(t..<(t + 1), axis: 1).squeezed(axis: 1)
                    let xGates = (0..<gateCount).map { x.slicing(($0 * hiddenSize)..<(($0 + 1) * hiddenSize), axis: 1) }
                    let h = linear(state[0], weight: w.weightHh, bias: w.biasHh)
                    let hGates = (0..<gateCount).map { h.slicing(($0 * hiddenSize)..<(($0 + 1) * hiddenSize), axis: 1) }
                    state = step(xGates, hGates, state)
                    outputs.append(state[0])
                }
                if direction == 1 { outputs.reverse() }
                directionOutputs.append(Variable.stacked(outputs, axis: 1))
                for component in state.indices { finals[component].append(state[component]) }
            }
            layerInput = directionCount == 1 ? directionOutputs[0] : Variable.concatenated(directionOutputs, axis: 2)
        }
        let states = finals.map { parts -> Variable<Scalar> in
            let stacked = Variable.stacked(parts, axis: 0)
            return isBatched ? stacked : stacked.squeezed(axis: 1)
        }
        return (isBatched ? layerInput : layerInput.squeezed(axis: 0), states)
    }

    /// Inverted dropout between layers, PyTorch's: in training, each element is zeroed with
    /// probability `dropout` and the rest scaled by 1 / (1 − dropout); identity in evaluation.
    private func droppedOut(_ input: Variable<Scalar>) -> Variable<Scalar> {
        guard mode.isTraining, dropout > 0, let generator else { return input }
        return input * generator.dropoutMask(input.shape, probability: dropout)
    }
}
