import Foundation
@testable import Backprop

// The PyTorch corpus: random small programs over Backprop's ops, with PyTorch's value and
// gradients (first and second order) for each, written by Tests/References/make_op_corpus.py
// into Tests/References/op_corpus.json. This file reads a program and runs it through Backprop.
//
// HOW TO ADD AN OP: add its entry to `Op` in make_op_corpus.py (see the note there), then one
// line to `corpusOps` below under the same name: a closure from the operands (in the order the
// generator lists them) and the step's attributes to Backprop's result. Read attributes with
// `a.int("axis")`, `a.optionalInt("stride")`, `a.double("scalar")`, `a.bool("keepDims")`,
// `a.ints("shape")` or `a.optionalString("activation")`. Regenerate the corpus, then run
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
]

/// The corpus file: the generator's op table and its programs.
struct Corpus: Decodable, Sendable {
    /// The names of the generator's ops, in its order.
    let ops: [String]
    /// The PyTorch version that computed the numbers.
    let torch: String
    let programs: [CorpusProgram]

    /// Reads Tests/References/op_corpus.json, found from this source file's path.
    static func load(filePath: String = #filePath) throws -> Corpus {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("References/op_corpus.json")
        return try JSONDecoder().decode(Corpus.self, from: Data(contentsOf: url))
    }
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

/// A step's attributes by name: integers, numbers, Booleans, strings and lists of integers.
struct CorpusAttributes: Decodable, Sendable, CustomStringConvertible {
    enum Value: Decodable, Sendable {
        case bool(Bool), int(Int), double(Double), string(String), ints([Int])

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
            } else {
                self = .ints(try container.decode([Int].self))
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
