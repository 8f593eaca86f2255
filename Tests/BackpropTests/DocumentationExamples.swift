import Backprop
import Foundation
import Testing

// Every Swift example in README.md and Docs/ stands in a test file between
// `// doc: FILE` and `// end doc` markers, so the compiler checks it and the
// tests run it: the core's here, BackpropNN's in BackpropNNTests. The last test
// checks that the documents still show exactly that code. This file imports
// Backprop without @testable: the examples use the public API alone.

@Suite struct DocumentationExamples {
    @Test func readmeExample() {
        // doc: README.md
        let x = Variable(Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]]))
        let y = Variable(Tensor<Float>([[0], [1], [1], [0]]))
        let w1 = Variable(Tensor<Float>.normal([2, 8], seed: 1), requiresGrad: true)
        let b1 = Variable(Tensor<Float>.zeros([8]), requiresGrad: true)
        let w2 = Variable(Tensor<Float>.normal([8, 1], seed: 2), requiresGrad: true)
        var loss = Variable<Float>(0)
        for _ in 0..<500 {
            let hidden = tanh(matmul(x, w1) + b1)
            loss = pow(matmul(hidden, w2) - y, 2).mean()
            loss.backward()
            for p in [w1, b1, w2] { p.value -= p.grad! * 0.2; p.zeroGrad() }
        }
        print(loss.scalar)  // below 0.001
        // end doc
        #expect(loss.scalar < 0.001)
    }

    @Test func gettingStartedScalarExpression() {
        // doc: Docs/GettingStarted.md
        let a = Variable<Double>(-4, requiresGrad: true)
        let b = Variable<Double>(2, requiresGrad: true)
        let c = a * b + pow(b, 3)          // −8 + 8 = 0
        let d = tanh(c) + relu(a - b) * 2  // tanh(0) + 0 = 0
        d.backward()
        print(a.grad!)  // ∂d/∂a = (1 − tanh²c)·b = 2.0
        print(b.grad!)  // ∂d/∂b = (1 − tanh²c)·(a + 3b²) = 8.0
        // end doc
        #expect(a.grad == Tensor(2) && b.grad == Tensor(8))
    }

    @Test func gettingStartedTensors() {
        // doc: Docs/GettingStarted.md
        let inputs = Variable(Tensor<Float>.normal([4, 2], seed: 1))
        let weight = Variable(Tensor<Float>.normal([2, 3], seed: 2), requiresGrad: true)
        let bias = Variable(Tensor<Float>.zeros([3]), requiresGrad: true)
        let logits = matmul(inputs, weight) + bias               // [4, 3]
        let loss = -logSoftmax(logits, axis: -1).picking([0, 2, 1, 0]).mean()
        loss.backward()
        print(weight.grad!.shape, bias.grad!.shape)  // [2, 3] [3]
        // end doc
        #expect(weight.grad!.shape == [2, 3] && bias.grad!.shape == [3])
        // The bias gradient of a mean cross-entropy sums to zero over the classes.
        #expect(Swift.abs(bias.grad!.sum().scalar) < 1e-6)
    }

    @Test func gettingStartedTrainingLoop() {
        // doc: Docs/GettingStarted.md
        let x = Variable(Tensor<Double>([[0], [1], [2], [3]]))
        let y = Variable(Tensor<Double>([[1], [3], [5], [7]]))     // y = 2x + 1
        let w = Variable(Tensor<Double>.zeros([1, 1]), requiresGrad: true)
        let b = Variable(Tensor<Double>.zeros([1]), requiresGrad: true)
        for _ in 0..<500 {
            let loss = pow(matmul(x, w) + b - y, 2).mean()
            loss.backward()
            for parameter in [w, b] {
                parameter.value -= parameter.grad! * 0.05
                parameter.zeroGrad()
            }
        }
        print(w.value, b.value)  // close to [[2.0]] and [1.0]
        // end doc
        #expect(Swift.abs(w.value.scalar - 2) < 0.01 && Swift.abs(b.value.scalar - 1) < 0.02)
    }

    @Test func conceptsHigherOrder() {
        // doc: Docs/Concepts.md
        let x = Variable<Double>(2, requiresGrad: true)
        let y = pow(x, 3)                                                   // x³
        let dy = gradients(of: y, wrt: [x], createGraph: true)[0]           // 3x² = 12
        let d2y = gradients(of: dy, wrt: [x])[0]                            // 6x = 12
        print(dy.scalar, d2y.scalar)
        // end doc
        #expect(dy.scalar == 12 && d2y.scalar == 12)
    }

    @Test func conceptsTransformsOfScalarFunctions() {
        // doc: Docs/Concepts.md
        let x = Tensor<Double>([1, 2])
        let f = { (v: Variable<Double>) in pow(v, 3).sum() }               // Σ xᵢ³
        let (value, slope) = valueWithGradient(at: x, of: f)                // 9, and 3x²
        print(value, slope)                                                 // 9.0 [ 3.0 12.0]
        print(gradient(at: x, of: f) == slope)                              // true
        print(hessian(at: x, of: f))                                        // diag(6x)
        print(hessianVectorProduct(at: x, vector: Tensor([1, 1]), of: f))   // [ 6.0 12.0]
        // end doc
        #expect(value == Tensor(9) && slope == Tensor([3, 12]))
        #expect(hessian(at: x, of: f) == Tensor([[6, 0], [0, 12]]))
        #expect(hessianVectorProduct(at: x, vector: Tensor([1, 1]), of: f) == Tensor([6, 12]))
        #expect("\(value) \(slope)" == "9.0 [ 3.0 12.0]")
    }

    @Test func conceptsTransformsOfVectorFunctions() {
        // doc: Docs/Concepts.md
        let x = Tensor<Double>([0, 1])
        let g = { (v: Variable<Double>) in (sin(v) * v).reshaped([2, 1]) }  // x ⊙ sin x, as a column
        let (y, pullback) = vjp(at: x, of: g)
        print(y.shape, pullback(Tensor([[1], [1]])))                        // [2, 1], then sin x + x cos x
        let (_, tangent) = jvp(at: x, tangent: Tensor([0, 1]), of: g)       // J t, the second column of J
        print(jacobian(at: x, of: g).shape, tangent.shape)                  // [2, 1, 2] [2, 1]
        // end doc
        let derivative = Foundation.sin(1.0) + Foundation.cos(1.0)
        #expect(pullback(Tensor([[1], [1]])) == Tensor([0, derivative]))
        #expect(tangent == Tensor([[0], [derivative]]))
        #expect(jacobian(at: x, of: g) == Tensor(shape: [2, 1, 2], scalars: [0, 0, 0, derivative]))
    }

    @Test func conceptsCompiledFunctions() {
        // doc: Docs/Concepts.md
        let w = Variable(Tensor<Double>([[0.5], [-1]]), requiresGrad: true)
        let loss = compile { (x: Variable<Double>, y: Variable<Double>) in
            let error = matmul(x, w) - y
            return (error * error).mean()
        }
        for step in 1...3 {
            let value = loss(Tensor([[1, 2], [3, 4]]), Tensor([[1], [0]]))   // tensors in, a variable out
            value.backward()                                                  // adds to w.grad, as eagerly
            withoutGradients { w.value -= 0.01 * w.grad! }
            w.zeroGrad()
            print(step, value.scalar)
        }
        print(loss.tracingCallCount, loss.replayCount)                      // 2 1
        // end doc
        #expect(loss.tracingCallCount == 2 && loss.replayCount == 1)
        // The same three steps eagerly give the same weights, bit for bit.
        let v = Variable(Tensor<Double>([[0.5], [-1]]), requiresGrad: true)
        for _ in 1...3 {
            let error = matmul(Variable(Tensor([[1, 2], [3, 4]])), v) - Variable(Tensor([[1], [0]]))
            (error * error).mean().backward()
            withoutGradients { v.value -= 0.01 * v.grad! }
            v.zeroGrad()
        }
        #expect(v.value == w.value)
    }

    @Test func conceptsDiagnostics() {
        // doc: Docs/Concepts.md
        let w = Variable(Tensor<Double>.normal([3, 2], seed: 1), requiresGrad: true)
        let loss = tanh(matmul(Variable(Tensor<Double>.ones([4, 3])), w)).sum()
        let report = checkGradients(at: [w.value]) { inputs in
            tanh(matmul(Variable(Tensor<Double>.ones([4, 3])), inputs[0])).sum()
        }
        print(report.maxRelativeError < 1e-7)  // true
        print(loss.makeDOT())                  // digraph "backprop" { … }
        // end doc
        #expect(report.maxRelativeError < 1e-7)
        #expect(loss.makeDOT().hasPrefix("digraph \"backprop\" {"))
    }

    @Test func addingAnOpChecks() {
        // doc: Docs/AddingAnOp.md
        let point = [Tensor<Double>([-3, -0.5, 0.25, 2, 40])]
        let first = checkGradients(at: point) { x in logCosh(x[0]) }
        let second = checkGradients(at: point) { x in
            gradients(of: logCosh(x[0]).sum(), wrt: [x[0]], createGraph: true)[0]
        }
        print(first.maxRelativeError < 1e-7, second.maxRelativeError < 1e-7)  // true true
        // end doc
        #expect(first.maxRelativeError < 1e-7 && second.maxRelativeError < 1e-7)
        #expect(softsign(Variable<Double>(3)).scalar == 0.75)
    }

    @Test func addingAnOpUse() {
        // doc: Docs/AddingAnOp.md
        let x = Variable<Float>(Tensor([-200, 0, 200]), requiresGrad: true)
        let loss = logCosh(x).sum()
        loss.backward()
        print(loss.scalar)  // 398.6137 (the composed form gives inf)
        print(x.grad!)      // [-1.0  0.0  1.0]
        // end doc
        #expect(Swift.abs(loss.scalar - 398.6137) < 1e-3)
        #expect(x.grad == Tensor([-1, 0, 1]))
        #expect(log((exp(x) + exp(-x)) / 2).sum().scalar == .infinity)
    }

    @Test func documentsShowExactlyTheCodeTheTestsRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let tests = root.appendingPathComponent("Tests")
        var tested: [String: [String]] = [:]
        for file in (FileManager.default.subpaths(atPath: tests.path) ?? []).filter({ $0.hasSuffix(".swift") }) {
            let source = try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)
            try tested.merge(markedRegions(in: source)) { $0 + $1 }
        }
        let docs = (FileManager.default.subpaths(atPath: root.appendingPathComponent("Docs").path) ?? [])
            .filter { $0.hasSuffix(".md") }.map { "Docs/" + $0 }
        #expect(docs.count >= 3)
        for document in ["README.md"] + docs.sorted() {
            let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
            #expect(swiftBlocks(in: text).sorted() == tested[document, default: []].sorted(),
                    "\(document) and the tests' `// doc:` regions differ")
        }
        #expect(Set(tested.keys).isSubset(of: Set(["README.md"] + docs)), "a `// doc:` region names a missing document")
    }
}

// doc: Docs/AddingAnOp.md
/// Softsign x / (1 + |x|), as a composition: no VJP to write.
func softsign<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    x / (1 + abs(x))
}
// end doc

// doc: Docs/AddingAnOp.md
/// log(cosh x), computed stably as |x| + log(1 + e^(−2|x|)) − log 2.
func logCosh<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    let magnitude = abs(x.value)
    let value = magnitude + log(1 + exp(magnitude * -2)) - S.log(2)
    return Variable(value, recordedAs: "logCosh", inputs: [x]) { upstream, _ in
        [upstream * tanh(x)]        // d/dx log(cosh x) = tanh x
    }
}
// end doc

/// Lines without their common indentation, import lines dropped.
private func normalized(_ lines: [Substring]) -> String {
    let kept = lines.filter { !$0.hasPrefix("import ") }
    let indent = kept.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
    return kept.map { $0.count >= indent ? String($0.dropFirst(indent)) : "" }.joined(separator: "\n")
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The ```swift blocks of a Markdown text, leaving out Package.swift fragments.
private func swiftBlocks(in markdown: String) -> [String] {
    var blocks: [String] = [], current: [Substring]? = nil
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
            current = []
        } else if let lines = current, line.trimmingCharacters(in: .whitespaces) == "```" {
            if !lines.contains(where: { $0.contains(".package(") }) { blocks.append(normalized(lines)) }
            current = nil
        } else {
            current?.append(line)
        }
    }
    return blocks
}

/// The regions between `// doc: FILE` and `// end doc`, by document, in file order.
private func markedRegions(in source: String) throws -> [String: [String]] {
    var regions: [String: [String]] = [:], document: String? = nil, lines: [Substring] = []
    for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("// doc: ") {
            document = String(trimmed.dropFirst("// doc: ".count))
            lines = []
        } else if trimmed == "// end doc", let name = document {
            regions[name, default: []].append(normalized(lines))
            document = nil
        } else if document != nil {
            lines.append(line)
        }
    }
    return regions
}
