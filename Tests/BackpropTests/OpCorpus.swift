import Foundation
@testable import Backprop

// The PyTorch corpus: random small programs over Backprop's ops, with PyTorch's value and
// gradients (first and second order) for each, written by Tests/References/make_op_corpus.py
// into Tests/References/op_corpus.json. This file reads a program and runs it through Backprop.
//
// HOW TO ADD AN OP: add its `Op` to the table of the latest round (corpus_ops_round2.py; see
// the note in corpus_ops.py), then one line to `corpusOps` below under the same name: a closure
// from the operands (in the order the generator lists them) and the step's attributes to
// Backprop's result. Read attributes with `a.int("axis")`, `a.optionalInt("stride")`,
// `a.double("scalar")`, `a.optionalDouble("value")`, `a.bool("keepDims")`, `a.ints("shape")`,
// `a.string("equation")`, `a.optionalString("activation")`, `a.intTensor("indices")` (a
// `Tensor<Int>`) or `a.boolTensor("mask")` (a `Tensor<Bool>`). Regenerate the corpus, then run
// `swift test --filter OpCorpus`: a test checks that both tables name the same ops.

/// One op of the corpus: the operands and the step's attributes, to Backprop's result.
typealias CorpusOp = @Sendable (_ operands: [Variable<Double>], _ attributes: CorpusAttributes) -> Variable<Double>

/// Backprop's side of every op in the corpus, named as in make_op_corpus.py.
let corpusOps: [String: CorpusOp] = [
    // Arithmetic, broadcasting, and with a scalar on either side.
    "add": { x, _ in x[0] + x[1] },
    "subtract": { x, _ in x[0] - x[1] },
    "multiply": { x, _ in x[0] * x[1] },
    "divide": { x, _ in x[0] / x[1] },
    "negate": { x, _ in -x[0] },
    "addScalar": { x, a in x[0] + a.double("scalar") },
    "scalarAdd": { x, a in a.double("scalar") + x[0] },
    "subtractScalar": { x, a in x[0] - a.double("scalar") },
    "scalarSubtract": { x, a in a.double("scalar") - x[0] },
    "multiplyScalar": { x, a in x[0] * a.double("scalar") },
    "scalarMultiply": { x, a in a.double("scalar") * x[0] },
    "divideScalar": { x, a in x[0] / a.double("scalar") },
    "scalarDivide": { x, a in a.double("scalar") / x[0] },
    // Elementwise.
    "exp": { x, _ in exp(x[0]) },
    "log": { x, _ in log(x[0]) },
    "sqrt": { x, _ in sqrt(x[0]) },
    "pow": { x, a in pow(x[0], a.double("exponent")) },
    "abs": { x, _ in abs(x[0]) },
    "sin": { x, _ in sin(x[0]) },
    "cos": { x, _ in cos(x[0]) },
    "tanh": { x, _ in tanh(x[0]) },
    "sigmoid": { x, _ in sigmoid(x[0]) },
    "softplus": { x, _ in softplus(x[0]) },
    "erf": { x, _ in erf(x[0]) },
    "gelu": { x, _ in gelu(x[0]) },
    "relu": { x, _ in relu(x[0]) },
    "leakyRelu": { x, a in leakyRelu(x[0], negativeSlope: a.double("negativeSlope")) },
    "clamped": { x, a in x[0].clamped(min: a.double("min"), max: a.double("max")) },
    "maximum": { x, _ in maximum(x[0], x[1]) },
    "minimum": { x, _ in minimum(x[0], x[1]) },
    // Reductions, over everything or along an axis.
    "sum": { x, _ in x[0].sum() },
    "sumAxis": { x, a in x[0].sum(axis: a.int("axis"), keepDims: a.bool("keepDims")) },
    "sumToShape": { x, a in x[0].sum(toShape: a.ints("shape")) },
    "mean": { x, _ in x[0].mean() },
    "meanAxis": { x, a in x[0].mean(axis: a.int("axis"), keepDims: a.bool("keepDims")) },
    "max": { x, _ in x[0].max() },
    "maxAxis": { x, a in x[0].max(axis: a.int("axis"), keepDims: a.bool("keepDims")) },
    "min": { x, _ in x[0].min() },
    "minAxis": { x, a in x[0].min(axis: a.int("axis"), keepDims: a.bool("keepDims")) },
    "logSumExp": { x, _ in x[0].logSumExp() },
    "logSumExpAxis": { x, a in x[0].logSumExp(axis: a.int("axis"), keepDims: a.bool("keepDims")) },
    "softmax": { x, a in softmax(x[0], axis: a.int("axis")) },
    "logSoftmax": { x, a in logSoftmax(x[0], axis: a.int("axis")) },
    // Shapes and indexing.
    "reshaped": { x, a in x[0].reshaped(a.ints("shape")) },
    "permuted": { x, a in x[0].permuted(a.ints("permutation")) },
    "transposed": { x, _ in x[0].transposed() },
    "broadcast": { x, a in x[0].broadcast(to: a.ints("shape")) },
    "expandingDims": { x, a in x[0].expandingDims(axis: a.int("axis")) },
    "squeezed": { x, a in x[0].squeezed(axis: a.optionalInt("axis")) },
    "slicing": { x, a in x[0].slicing(a.int("start")..<a.int("end"), axis: a.int("axis")) },
    "concatenated": { x, a in Variable.concatenated(x, axis: a.int("axis")) },
    "stacked": { x, a in Variable.stacked(x, axis: a.int("axis")) },
    "gathering": { x, a in x[0].gathering(indices: a.ints("indices"), axis: a.int("axis")) },
    "picking": { x, a in x[0].picking(a.ints("indices"), axis: a.int("axis")) },
    "detached": { x, _ in x[0].detached() },
    // Linear algebra and windows.
    "matmul": { x, _ in matmul(x[0], x[1]) },
    "linear": { x, a in
        let activation: LinearActivation? = switch a.optionalString("activation") {
        case "relu"?: .relu
        case "tanh"?: .tanh
        case nil: nil
        case let other?: fatalError("linear: unknown activation \(other)")
        }
        return linear(x[0], weight: x[1], bias: x.count > 2 ? x[2] : nil, activation: activation)
    },
    "conv2d": { x, a in conv2d(x[0], x[1], stride: a.int("stride"), padding: a.int("padding")) },
    "avgPool2d": { x, a in avgPool2d(x[0], size: a.int("size"), stride: a.optionalInt("stride")) },
    "maxPool2d": { x, a in maxPool2d(x[0], size: a.int("size"), stride: a.optionalInt("stride")) },

    // Round 2 (issue 11), in corpus_ops_round2.py.
    // Linear algebra with torch.matmul's semantics beyond 2-d and 3-d, and einsum.
    "matmulVector": { x, _ in matmul(x[0], x[1]) },
    "matmulBatched": { x, _ in matmul(x[0], x[1]) },
    "einsum": { x, a in x.count == 1 ? einsum(a.string("equation"), x[0]) : einsum(a.string("equation"), x[0], x[1]) },
    // Splitting and padding.
    "split": { x, a in pieces(x[0].split(sizes: a.ints("sizes"), axis: a.int("axis")), a) },
    "chunked": { x, a in pieces(x[0].chunked(a.int("count"), axis: a.int("axis")), a) },
    "padded": { x, a in
        let flat = a.ints("padding")
        let padding = stride(from: 0, to: flat.count, by: 2).map { (before: flat[$0], after: flat[$0 + 1]) }
        return a.optionalDouble("value").map { x[0].padded(padding, value: $0) } ?? x[0].padded(padding)
    },
    // Reductions over several axes, statistics and running sums.
    "sumAxes": { x, a in x[0].sum(axes: a.ints("axes"), keepDims: a.bool("keepDims")) },
    "meanAxes": { x, a in x[0].mean(axes: a.ints("axes"), keepDims: a.bool("keepDims")) },
    "variance": { x, a in x[0].variance(axis: a.int("axis"), unbiased: a.bool("unbiased"), keepDims: a.bool("keepDims")) },
    "standardDeviation": { x, a in
        x[0].standardDeviation(axis: a.int("axis"), unbiased: a.bool("unbiased"), keepDims: a.bool("keepDims"))
    },
    "product": { x, a in x[0].product(axis: a.int("axis"), keepDims: a.bool("keepDims")) },
    "cumulativeSum": { x, a in x[0].cumulativeSum(axis: a.int("axis")) },
    // Sorting, and gathering by its indices (Tensor<Int>).
    "sorted": { x, a in x[0].sorted(axis: a.int("axis"), descending: a.bool("descending")).values },
    "topK": { x, a in x[0].topK(a.int("k"), axis: a.int("axis")).values },
    "takingAlongSorted": { x, a in
        x[1].takingAlong(axis: a.int("axis"), indices: x[0].sorted(axis: a.int("axis"), descending: a.bool("descending")).indices)
    },
    "takingAlongTopK": { x, a in
        x[1].takingAlong(axis: a.int("axis"), indices: x[0].topK(a.int("k"), axis: a.int("axis")).indices)
    },
    // Index tensors and masks.
    "takingAlong": { x, a in x[0].takingAlong(axis: a.int("axis"), indices: a.intTensor("indices")) },
    "scatteringAdd": { x, a in x[0].scatteringAdd(axis: a.int("axis"), indices: a.intTensor("indices"), values: x[1]) },
    "filling": { x, a in x[0].filling(where: mask(x, a), with: a.double("value")) },
    "which": { x, a in which(mask(x, a), x[0], x[1]) },
]

/// The pieces a split step keeps (`pieces`, by position): one as it is, or several concatenated along `axis`.
private func pieces(_ parts: [Variable<Double>], _ a: CorpusAttributes) -> Variable<Double> {
    let chosen = a.ints("pieces").map { parts[$0] }
    return chosen.count == 1 ? chosen[0] : Variable.concatenated(chosen, axis: a.int("axis"))
}

/// A step's mask: stored (`mask`), or its last operand's value compared with `threshold`.
private func mask(_ operands: [Variable<Double>], _ a: CorpusAttributes) -> Tensor<Bool> {
    if a.values["mask"] != nil { return a.boolTensor("mask") }
    let source = operands[operands.count - 1].value, threshold = Tensor(a.double("threshold"))
    return switch a.string("comparison") {
    case "isGreater": source.isGreater(than: threshold)
    case "isLess": source.isLess(than: threshold)
    case "isGreaterOrEqual": source.isGreaterOrEqual(to: threshold)
    case "isLessOrEqual": source.isLessOrEqual(to: threshold)
    case let other: fatalError("op corpus: unknown comparison \(other)")
    }
}

/// The corpus file: the generator's op table and its programs.
struct Corpus: Decodable, Sendable {
    /// The names of the generator's ops, in its order.
    let ops: [String]
    /// The PyTorch version that computed the numbers.
    let torch: String
    let programs: [CorpusProgram]

    /// Reads Tests/References/op_corpus.json.
    static func load() throws -> Corpus { try reference("op_corpus.json", as: Corpus.self) }
}

/// A program: inputs, steps that each append one register, and PyTorch's numbers for it.
///
/// Registers `0..<inputs.count` hold the inputs; step `i` writes register `inputs.count + i`.
struct CorpusProgram: Decodable, Sendable {
    /// A tensor as JSON: its shape and its elements in row-major order.
    struct Values: Decodable, Sendable {
        let shape: [Int]
        let values: [Double]
        var tensor: Tensor<Double> { Tensor(shape: shape, scalars: values) }
    }

    struct Step: Decodable, Sendable {
        let op: String
        let args: [Int]
        let attrs: CorpusAttributes
    }

    /// A hand-written program's title (the generator's are unnamed).
    let name: String?
    /// Where Backprop knowingly differs from PyTorch on this program, if it does.
    let knownDifference: String?
    let inputs: [Values]
    let steps: [Step]
    let output: Int
    /// The seed `w` of the first-order gradients of `Σ w ⊙ output`.
    let seed: [Double]
    /// One `uᵢ` per input: the second order differentiates `Σᵢ ⟨uᵢ, ∂(Σ w ⊙ output)/∂inputᵢ⟩`.
    let vectors: [[Double]]
    /// PyTorch's output.
    let value: Values
    /// PyTorch's first-order gradients, one per input.
    let gradients: [[Double]]
    /// PyTorch's second-order gradients, one per input.
    let secondOrder: [[Double]]

    /// Runs the steps through Backprop and returns the output register.
    func run(_ inputs: [Variable<Double>]) -> Variable<Double> {
        var registers = inputs
        for step in steps {
            guard let op = corpusOps[step.op] else { fatalError("op corpus: no Backprop entry for \(step.op)") }
            registers.append(op(step.args.map { registers[$0] }, step.attrs))
        }
        return registers[output]
    }

    /// The op names, in order.
    var opNames: [String] { steps.map(\.op) }

    /// The name if it has one, else the op names.
    var title: String { name ?? opNames.joined(separator: ", ") }

    /// The program as text, one step a line: `r3 = maxAxis(r2) axis: -1, keepDims: true`.
    var text: String {
        var lines = inputs.enumerated().map { i, input in "r\(i): input \(input.shape)" }
        for (i, step) in steps.enumerated() {
            let operands = step.args.map { "r\($0)" }.joined(separator: ", ")
            lines.append("r\(inputs.count + i) = \(step.op)(\(operands)) \(step.attrs)")
        }
        lines.append("output r\(output)")
        return lines.joined(separator: "\n")
    }
}

/// A step's attributes by name: integers, numbers, Booleans, strings, lists of integers, and
/// index tensors (`{"shape": …, "ints": …}`) and masks (`{"shape": …, "bools": …}`).
struct CorpusAttributes: Decodable, Sendable, CustomStringConvertible {
    /// An index tensor or a mask as JSON.
    struct TensorData: Decodable, Sendable {
        let shape: [Int]
        let ints: [Int]?
        let bools: [Bool]?
    }

    enum Value: Decodable, Sendable {
        case bool(Bool), int(Int), double(Double), string(String), ints([Int]), tensor(TensorData)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int.self) {
                self = .int(value)
            } else if let value = try? container.decode(Double.self) {
                self = .double(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([Int].self) {
                self = .ints(value)
            } else {
                self = .tensor(try container.decode(TensorData.self))
            }
        }
    }

    let values: [String: Value]

    init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: Value].self)
    }

    var description: String {
        values.keys.sorted().map { key in
            switch values[key]! {
            case .bool(let v): "\(key): \(v)"
            case .int(let v): "\(key): \(v)"
            case .double(let v): "\(key): \(v)"
            case .string(let v): "\(key): \(v)"
            case .ints(let v): "\(key): \(v)"
            case .tensor(let v): "\(key): \(v.shape) \(v.ints.map { "\($0)" } ?? v.bools.map { "\($0)" } ?? "[]")"
            }
        }.joined(separator: ", ")
    }

    func optionalInt(_ name: String) -> Int? {
        switch values[name] {
        case nil: nil
        case .int(let v)?: v
        default: fatalError("op corpus: attribute \(name) is not an integer")
        }
    }

    func int(_ name: String) -> Int {
        guard let value = optionalInt(name) else { missing(name) }
        return value
    }

    func double(_ name: String) -> Double {
        switch values[name] {
        case .double(let v)?: v
        case .int(let v)?: Double(v)      // JSON's 2.0 may read back as an integer
        default: missing(name)
        }
    }

    func optionalDouble(_ name: String) -> Double? {
        values[name] == nil ? nil : double(name)
    }

    func bool(_ name: String) -> Bool {
        guard case .bool(let v)? = values[name] else { missing(name) }
        return v
    }

    func ints(_ name: String) -> [Int] {
        switch values[name] {
        case .ints(let v)?: v
        default: missing(name)
        }
    }

    func string(_ name: String) -> String {
        guard let value = optionalString(name) else { missing(name) }
        return value
    }

    func intTensor(_ name: String) -> Tensor<Int> {
        guard case .tensor(let data)? = values[name], let ints = data.ints else { missing(name) }
        return Tensor(shape: data.shape, scalars: ints)
    }

    func boolTensor(_ name: String) -> Tensor<Bool> {
        guard case .tensor(let data)? = values[name], let bools = data.bools else { missing(name) }
        return Tensor(shape: data.shape, scalars: bools)
    }

    func optionalString(_ name: String) -> String? {
        switch values[name] {
        case nil: nil
        case .string(let v)?: v
        default: fatalError("op corpus: attribute \(name) is not a string")
        }
    }

    private func missing(_ name: String) -> Never {
        fatalError("op corpus: attribute \(name) is missing or of the wrong type in \(self)")
    }
}
