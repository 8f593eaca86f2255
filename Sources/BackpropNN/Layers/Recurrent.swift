import Backprop

/// A recurrent cell: one step from an input `[batch, inputSize]` and a state to the next state.
///
/// A cell is a module from `(input, state)` to the next state, so it has
/// parameters, names and checkpoints of its own.
public protocol RecurrentCell<Scalar>: Module where Input == (Variable<Scalar>, State), Output == State {
    /// What the cell carries between steps.
    associatedtype State

    /// The size of the hidden vector.
    var hiddenSize: Int { get }

    /// The all-zero state for a batch, as PyTorch starts.
    func zeroState(batchSize: Int) -> State

    /// The hidden vector `[batch, hiddenSize]` that a state exposes as output.
    func output(of state: State) -> Variable<Scalar>
}

extension RecurrentCell {
    /// One step from `input` `[batch, inputSize]` and `state`.
    public func callAsFunction(_ input: Variable<Scalar>, state: State) -> State { self((input, state)) }
}

/// The weights every PyTorch recurrent cell has: `weight_ih [gates·H, I]`, `weight_hh [gates·H, H]`,
/// and their biases, all uniform on ±1/√H.
protocol GatedWeights<Scalar> {
    associatedtype Scalar: TensorScalar
    var weightIh: Variable<Scalar> { get }
    var weightHh: Variable<Scalar> { get }
    var biasIh: Variable<Scalar>? { get }
    var biasHh: Variable<Scalar>? { get }
}

/// New weights for a cell with `gates` gates, PyTorch's initialisation.
func makeGatedWeights<Scalar: TensorScalar>(inputSize: Int, hiddenSize: Int, gates: Int, bias: Bool)
    -> (Variable<Scalar>, Variable<Scalar>, Variable<Scalar>?, Variable<Scalar>?) {
    let initializer = Initializer<Scalar>.pytorchDefault(fanIn: hiddenSize)
    let make = { (shape: [Int]) in Variable(initializer.makeTensor(shape), requiresGrad: true) }
    return (make([gates * hiddenSize, inputSize]), make([gates * hiddenSize, hiddenSize]),
            bias ? make([gates * hiddenSize]) : nil, bias ? make([gates * hiddenSize]) : nil)
}

extension GatedWeights {
    /// `x·W_ihᵀ + b_ih` and `h·W_hhᵀ + b_hh`, each split into its gates' `[batch, H]` blocks.
    func gates(_ input: Variable<Scalar>, _ hidden: Variable<Scalar>) -> (input: [Variable<Scalar>], hidden: [Variable<Scalar>]) {
        let size = weightHh.shape[1]
        let split = { (v: Variable<Scalar>) in
            (0..<(v.shape[1] / size)).map { v.slicing(($0 * size)..<(($0 + 1) * size), axis: 1) }
        }
        return (split(linear(input, weight: weightIh, bias: biasIh)), split(linear(hidden, weight: weightHh, bias: biasHh)))
    }
}

/// An Elman cell: `h′ = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`, as PyTorch's `nn.RNNCell`.
public struct RNNCell<Scalar: TensorScalar>: RecurrentCell, GatedWeights, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("weight_ih", weightIh), ("weight_hh", weightHh), ("bias_ih", biasIh as Any), ("bias_hh", biasHh as Any)]
    }
    public let hiddenSize: Int
    public let weightIh: Variable<Scalar>, weightHh: Variable<Scalar>
    public let biasIh: Variable<Scalar>?, biasHh: Variable<Scalar>?

    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) {
        self.hiddenSize = hiddenSize
        (weightIh, weightHh, biasIh, biasHh) = makeGatedWeights(inputSize: inputSize, hiddenSize: hiddenSize, gates: 1, bias: bias)
    }

    public func zeroState(batchSize: Int) -> Variable<Scalar> { Variable(.zeros([batchSize, hiddenSize])) }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ step: (Variable<Scalar>, Variable<Scalar>)) -> Variable<Scalar> {
        let (x, h) = gates(step.0, step.1)
        return tanh(x[0] + h[0])
    }

    public func output(of state: Variable<Scalar>) -> Variable<Scalar> { state }
}

/// The hidden and cell vectors of an LSTM, each `[batch, hiddenSize]`.
public struct LSTMState<Scalar: TensorScalar> {
    public var hidden: Variable<Scalar>
    public var cell: Variable<Scalar>
    public init(hidden: Variable<Scalar>, cell: Variable<Scalar>) { (self.hidden, self.cell) = (hidden, cell) }
}

/// A long short-term memory cell, as PyTorch's `nn.LSTMCell` (gates in the order i, f, g, o):
/// `c′ = σ(f)·c + σ(i)·tanh(g)`, `h′ = σ(o)·tanh(c′)`.
public struct LSTMCell<Scalar: TensorScalar>: RecurrentCell, GatedWeights, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("weight_ih", weightIh), ("weight_hh", weightHh), ("bias_ih", biasIh as Any), ("bias_hh", biasHh as Any)]
    }
    public let hiddenSize: Int
    public let weightIh: Variable<Scalar>, weightHh: Variable<Scalar>
    public let biasIh: Variable<Scalar>?, biasHh: Variable<Scalar>?

    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) {
        self.hiddenSize = hiddenSize
        (weightIh, weightHh, biasIh, biasHh) = makeGatedWeights(inputSize: inputSize, hiddenSize: hiddenSize, gates: 4, bias: bias)
    }

    public func zeroState(batchSize: Int) -> LSTMState<Scalar> {
        LSTMState(hidden: Variable(.zeros([batchSize, hiddenSize])), cell: Variable(.zeros([batchSize, hiddenSize])))
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ step: (Variable<Scalar>, LSTMState<Scalar>)) -> LSTMState<Scalar> {
        let state = step.1
        let (x, h) = gates(step.0, state.hidden)
        let (i, f, g, o) = (sigmoid(x[0] + h[0]), sigmoid(x[1] + h[1]), tanh(x[2] + h[2]), sigmoid(x[3] + h[3]))
        let cell = f * state.cell + i * g
        return LSTMState(hidden: o * tanh(cell), cell: cell)
    }

    public func output(of state: LSTMState<Scalar>) -> Variable<Scalar> { state.hidden }
}

/// A gated recurrent unit, as PyTorch's `nn.GRUCell` (gates in the order r, z, n):
/// `n = tanh(x_n + r·h_n)`, `h′ = (1 − z)·n + z·h`.
public struct GRUCell<Scalar: TensorScalar>: RecurrentCell, GatedWeights, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("weight_ih", weightIh), ("weight_hh", weightHh), ("bias_ih", biasIh as Any), ("bias_hh", biasHh as Any)]
    }
    public let hiddenSize: Int
    public let weightIh: Variable<Scalar>, weightHh: Variable<Scalar>
    public let biasIh: Variable<Scalar>?, biasHh: Variable<Scalar>?

    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) {
        self.hiddenSize = hiddenSize
        (weightIh, weightHh, biasIh, biasHh) = makeGatedWeights(inputSize: inputSize, hiddenSize: hiddenSize, gates: 3, bias: bias)
    }

    public func zeroState(batchSize: Int) -> Variable<Scalar> { Variable(.zeros([batchSize, hiddenSize])) }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ step: (Variable<Scalar>, Variable<Scalar>)) -> Variable<Scalar> {
        let (x, h) = gates(step.0, step.1)
        let r = sigmoid(x[0] + h[0]), z = sigmoid(x[1] + h[1])
        let n = tanh(x[2] + r * h[2])
        return (1 - z) * n + z * step.1
    }

    public func output(of state: Variable<Scalar>) -> Variable<Scalar> { state }
}

/// Runs a cell over a batch of sequences `[batch, time, features]` (batch first).
public struct Recurrent<Cell: RecurrentCell>: Layer, ExplicitStateNames {
    /// The checkpoint keys: the cell's under `cell`.
    public var stateEntries: [(key: String, value: Any)] { [("cell", cell)] }
    public typealias Scalar = Cell.Scalar
    public let cell: Cell
    public init(_ cell: Cell) { self.cell = cell }

    /// Every step's output, `[batch, time, hiddenSize]`, from the zero state.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { run(input).outputs }

    /// Every step's output, `[batch, time, hiddenSize]`, and the final state.
    public func run(_ input: Variable<Scalar>, initialState: Cell.State? = nil) -> (outputs: Variable<Scalar>, state: Cell.State) {
        require(input.shape.count == 3, "Recurrent: input \(input.shape) is not [batch, time, features]")
        let (batch, time) = (input.shape[0], input.shape[1])
        var state = initialState ?? cell.zeroState(batchSize: batch)
        var outputs: [Variable<Scalar>] = []
        for t in 0..<time {
            state = cell(input.slicing(t..<(t + 1), axis: 1).squeezed(axis: 1), state: state)
            outputs.append(cell.output(of: state))
        }
        return (Variable.stacked(outputs, axis: 1), state)
    }
}
