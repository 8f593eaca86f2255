import Backprop

// Multi-layer, optionally bidirectional recurrent networks, as PyTorch's nn.LSTM, nn.GRU and nn.RNN.
//
// Unlike PyTorch's default (time first), input is batch first, `[batch, time, inputSize]`, as
// PyTorch's `batch_first=True` and as the library's other sequence layers (MultiHeadAttention).
// The states `h_n`/`c_n` keep PyTorch's layout `[layerCount·directions, batch, hiddenSize]`
// either way, as PyTorch's do. Parameters carry PyTorch's state_dict names (`weight_ih_l0`,
// `bias_hh_l1_reverse`, …) in PyTorch's order, so checkpoints line up.

/// A multi-layer long short-term memory network, as PyTorch's `nn.LSTM` with `batch_first=True`.
///
/// Each layer runs ``LSTMCell``'s equations (gates i, f, g, o):
/// `c′ = σ(f)·c + σ(i)·tanh(g)`, `h′ = σ(o)·tanh(c′)`. Layer `l > 0` reads the previous layer's
/// outputs (both directions concatenated), through dropout in training mode.
///
/// - Input: `[batch, time, inputSize]`, or unbatched `[time, inputSize]`.
/// - Output: `[batch, time, directions·hiddenSize]` (`[time, directions·hiddenSize]` unbatched).
public struct LSTM<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    let stack: RecurrentStack<Scalar>

    /// Creates the network with PyTorch's initialisation: every weight and bias uniform on ±1/√hiddenSize.
    ///
    /// - Parameters:
    ///   - layerCount: stacked layers (PyTorch's `num_layers`).
    ///   - bias: whether each layer has `bias_ih` and `bias_hh`.
    ///   - dropout: the probability of zeroing each input of layers after the first, in training mode only.
    ///   - bidirectional: whether each layer also runs backwards in time.
    ///   - seed: the dropout generator's seed (by default drawn from ``RandomScope``).
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true, dropout: Scalar = 0,
                bidirectional: Bool = false, seed: UInt64? = nil) {
        stack = RecurrentStack(name: "LSTM", gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount,
                               bias: bias, dropout: dropout, bidirectional: bidirectional, seed: seed)
    }

    /// The size of each step's input.
    public var inputSize: Int { stack.inputSize }
    /// The size of each direction's hidden vector.
    public var hiddenSize: Int { stack.hiddenSize }
    /// The number of stacked layers.
    public var layerCount: Int { stack.layerCount }
    /// Whether each layer also runs backwards in time.
    public var isBidirectional: Bool { stack.directionCount == 2 }

    /// PyTorch's state_dict names, in its order, then the mode switch and the dropout generator.
    public var stateEntries: [(key: String, value: Any)] { stack.stateEntries }

    /// Every step's output of the last layer, from zero states.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { run(input).outputs }

    /// Every step's output of the last layer and the final states, as PyTorch's `lstm(input, (h0, c0))`.
    ///
    /// - Parameter initialState: `h0` and `c0`, each `[layerCount·directions, batch, hiddenSize]`
    ///   (`[layerCount·directions, hiddenSize]` for unbatched input); nil for zeros.
    /// - Returns: the outputs, and `h_n`, `c_n` shaped as `h0`, `c0`.
    public func run(_ input: Variable<Scalar>, initialState: (hidden: Variable<Scalar>, cell: Variable<Scalar>)? = nil)
        -> (outputs: Variable<Scalar>, hidden: Variable<Scalar>, cell: Variable<Scalar>) {
        let result = stack.run(input, initialStates: initialState.map { [$0.hidden, $0.cell] }, names: ["h0", "c0"]) { x, h, state in
            let (i, f, g, o) = (sigmoid(x[0] + h[0]), sigmoid(x[1] + h[1]), tanh(x[2] + h[2]), sigmoid(x[3] + h[3]))
            let cell = f * state[1] + i * g
            return [o * tanh(cell), cell]
        }
        return (result.outputs, result.states[0], result.states[1])
    }
}

/// A multi-layer gated recurrent unit network, as PyTorch's `nn.GRU` with `batch_first=True`.
///
/// Each layer runs ``GRUCell``'s equations (gates r, z, n), with r applied to `W_hn·h + b_hn`:
/// `n = tanh(x_n + r·h_n)`, `h′ = (1 − z)·n + z·h`. Layer `l > 0` reads the previous layer's
/// outputs (both directions concatenated), through dropout in training mode.
///
/// - Input: `[batch, time, inputSize]`, or unbatched `[time, inputSize]`.
/// - Output: `[batch, time, directions·hiddenSize]` (`[time, directions·hiddenSize]` unbatched).
public struct GRU<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    let stack: RecurrentStack<Scalar>

    /// Creates the network with PyTorch's initialisation; the parameters are as ``LSTM``'s.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true, dropout: Scalar = 0,
                bidirectional: Bool = false, seed: UInt64? = nil) {
        stack = RecurrentStack(name: "GRU", gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount,
                               bias: bias, dropout: dropout, bidirectional: bidirectional, seed: seed)
    }

    /// The size of each step's input.
    public var inputSize: Int { stack.inputSize }
    /// The size of each direction's hidden vector.
    public var hiddenSize: Int { stack.hiddenSize }
    /// The number of stacked layers.
    public var layerCount: Int { stack.layerCount }
    /// Whether each layer also runs backwards in time.
    public var isBidirectional: Bool { stack.directionCount == 2 }

    /// PyTorch's state_dict names, in its order, then the mode switch and the dropout generator.
    public var stateEntries: [(key: String, value: Any)] { stack.stateEntries }

    /// Every step's output of the last layer, from a zero state.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { run(input).outputs }

    /// Every step's output of the last layer and the final hidden state, as PyTorch's `gru(input, h0)`.
    ///
    /// - Parameter initialState: `h0`, `[layerCount·directions, batch, hiddenSize]`
    ///   (`[layerCount·directions, hiddenSize]` for unbatched input); nil for zeros.
    /// - Returns: the outputs, and `h_n` shaped as `h0`.
    public func run(_ input: Variable<Scalar>, initialState: Variable<Scalar>? = nil)
        -> (outputs: Variable<Scalar>, hidden: Variable<Scalar>) {
        let result = stack.run(input, initialStates: initialState.map { [$0] }, names: ["h0"]) { x, h, state in
            let r = sigmoid(x[0] + h[0]), z = sigmoid(x[1] + h[1])
            let n = tanh(x[2] + r * h[2])
            return [(1 - z) * n + z * state[0]]
        }
        return (result.outputs, result.states[0])
    }
}

/// A multi-layer Elman network, as PyTorch's `nn.RNN` with `batch_first=True`:
/// `h′ = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`, with `act` tanh or ReLU.
///
/// Layer `l > 0` reads the previous layer's outputs (both directions concatenated), through
/// dropout in training mode.
///
/// - Input: `[batch, time, inputSize]`, or unbatched `[time, inputSize]`.
/// - Output: `[batch, time, directions·hiddenSize]` (`[time, directions·hiddenSize]` unbatched).
public struct RNN<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The activation of each step, PyTorch's `nonlinearity`.
    public enum Nonlinearity: Sendable {
        case tanh, relu
    }

    let stack: RecurrentStack<Scalar>
    /// The activation of each step.
    public let nonlinearity: Nonlinearity

    /// Creates the network with PyTorch's initialisation; the parameters are as ``LSTM``'s.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, nonlinearity: Nonlinearity = .tanh, bias: Bool = true,
                dropout: Scalar = 0, bidirectional: Bool = false, seed: UInt64? = nil) {
        self.nonlinearity = nonlinearity
        stack = RecurrentStack(name: "RNN", gates: 1, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount,
                               bias: bias, dropout: dropout, bidirectional: bidirectional, seed: seed)
    }

    /// The size of each step's input.
    public var inputSize: Int { stack.inputSize }
    /// The size of each direction's hidden vector.
    public var hiddenSize: Int { stack.hiddenSize }
    /// The number of stacked layers.
    public var layerCount: Int { stack.layerCount }
    /// Whether each layer also runs backwards in time.
    public var isBidirectional: Bool { stack.directionCount == 2 }

    /// PyTorch's state_dict names, in its order, then the mode switch and the dropout generator.
    public var stateEntries: [(key: String, value: Any)] { stack.stateEntries }

    /// Every step's output of the last layer, from a zero state.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { run(input).outputs }

    /// Every step's output of the last layer and the final hidden state, as PyTorch's `rnn(input, h0)`.
    ///
    /// - Parameter initialState: `h0`, `[layerCount·directions, batch, hiddenSize]`
    ///   (`[layerCount·directions, hiddenSize]` for unbatched input); nil for zeros.
    /// - Returns: the outputs, and `h_n` shaped as `h0`.
    public func run(_ input: Variable<Scalar>, initialState: Variable<Scalar>? = nil)
        -> (outputs: Variable<Scalar>, hidden: Variable<Scalar>) {
        let isReLU = nonlinearity == .relu
        let result = stack.run(input, initialStates: initialState.map { [$0] }, names: ["h0"]) { x, h, _ in
            [isReLU ? relu(x[0] + h[0]) : tanh(x[0] + h[0])]
        }
        return (result.outputs, result.states[0])
    }
}
