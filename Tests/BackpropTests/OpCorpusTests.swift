import Testing
@testable import Backprop

/// Differential tests against PyTorch: every program of Tests/References/op_corpus.json (written
/// by make_op_corpus.py) runs through Backprop in Double, and its value, first-order gradients
/// (by `backward`, and by `gradients(of:)` with and without `createGraph`) and second-order
/// gradients must match PyTorch's to 1e-9:
/// `|a − b| ≤ 1e-9 · max(1, |b|)` for every element.
@Suite struct OpCorpusTests {
    static let tolerance = 1e-9

    @Test func everyProgramAgreesWithPyTorch() throws {
        let corpus = try Corpus.load()
        var worst = 0.0
        for (index, program) in corpus.programs.enumerated() {
            let comparison = Self.compare(program)
            let report = {
                guard !comparison.failures.isEmpty else { return }
                Issue.record("""
                    program \(index) (\(program.title)):
                    \(comparison.failures.joined(separator: "\n"))
                    \(program.text)
                    """)
            }
            if let known = program.knownDifference {
                // Expected to fail; once Backprop agrees with PyTorch, this reports that the issue has gone.
                withKnownIssue(Comment(rawValue: known), report)
            } else {
                worst = Swift.max(worst, comparison.worst)
                report()
            }
        }
        #expect(worst <= Self.tolerance, "the worst relative error is \(worst)")
    }

    @Test func theCorpusCoversEveryOpOfBothTables() throws {
        let corpus = try Corpus.load()
        #expect(corpus.programs.count >= 300)
        #expect(Set(corpus.ops) == Set(corpusOps.keys), "the generator's and the interpreter's op tables differ")
        let used = Set(corpus.programs.flatMap(\.opNames))
        #expect(used == Set(corpusOps.keys), "ops no program uses: \(Set(corpusOps.keys).subtracting(used).sorted())")
    }

    /// The program's worst relative error over all its numbers, and a line per quantity off by more than the tolerance.
    static func compare(_ program: CorpusProgram) -> (worst: Double, failures: [String]) {
        var worst = 0.0
        var failures: [String] = []
        func check(_ name: String, _ actual: Tensor<Double>, _ expected: CorpusProgram.Values) {
            guard actual.shape == expected.shape else {
                failures.append("\(name): shape \(actual.shape), PyTorch's \(expected.shape)")
                worst = .infinity
                return
            }
            let (error, at) = relativeError(actual.scalars, expected.values)
            worst = Swift.max(worst, error)
            if !(error <= tolerance) {
                failures.append("\(name): element \(at) is \(actual.scalars[at]), PyTorch's \(expected.values[at]) "
                                + "(relative error \(error))")
            }
        }

        let inputs = program.inputs.map { Variable($0.tensor, requiresGrad: true) }
        let output = program.run(inputs)
        check("value", output.value, program.value)

        // A result that no input reaches (through `detached`) has zero gradients, as in PyTorch.
        func gradients(of y: Variable<Double>, seed: Tensor<Double>? = nil, createGraph: Bool = false,
                       retainGraph: Bool? = nil) -> [Variable<Double>] {
            guard y.requiresGrad else { return inputs.map { Variable(Tensor.zeros($0.shape)) } }
            return Backprop.gradients(of: y, wrt: inputs, seed: seed, createGraph: createGraph, retainGraph: retainGraph)
        }
        let seed = Tensor(shape: output.shape, scalars: program.seed)
        if output.requiresGrad { output.backward(seed: seed, retainGraph: true) }
        let plain = gradients(of: output, seed: seed, retainGraph: true)
        let firsts = gradients(of: output, seed: seed, createGraph: true)
        let secondOrder = zip(firsts, program.vectors).map { g, u in
            (g * Variable(Tensor(shape: g.shape, scalars: u))).sum()
        }.reduce(Variable(Tensor(0.0)), +)
        let seconds = gradients(of: secondOrder)
        for (i, input) in program.inputs.enumerated() {
            let expected = CorpusProgram.Values(shape: input.shape, values: program.gradients[i])
            check("gradient \(i)", plain[i].value, expected)
            check("gradient \(i) (backward)", inputs[i].grad ?? Tensor.zeros(input.shape), expected)
            check("gradient \(i) (createGraph)", firsts[i].value, expected)
            check("second order \(i)", seconds[i].value, CorpusProgram.Values(shape: input.shape, values: program.secondOrder[i]))
        }
        return (worst, failures)
    }

    /// The largest `|a − b| / max(1, |b|)` and where it is; NaN counts as infinitely wrong.
    static func relativeError(_ actual: [Double], _ expected: [Double]) -> (error: Double, at: Int) {
        var result = (error: 0.0, at: 0)
        for (i, (a, b)) in zip(actual, expected).enumerated() {
            let error = Swift.abs(a - b) / Swift.max(1, Swift.abs(b))
            if !(error <= result.error) { result = (error.isNaN ? .infinity : error, i) }
        }
        return actual.count == expected.count ? result : (.infinity, 0)
    }
}
