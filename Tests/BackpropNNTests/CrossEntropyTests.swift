import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// crossEntropy against PyTorch's float64 values and logits gradients (Tests/References/cross_entropy.json).
@Suite struct CrossEntropyReference {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let reduction: String
        let logitsShape: [Int]
        let logits: [Double]
        let labels: [Int]?
        let targets, weights: [Double]?
        let ignoreIndex: Int?
        let labelSmoothing: Double
        let outputShape: [Int]
        let output, gradientPattern, gradient: [Double]
        var testDescription: String {
            "\(reduction) \(logitsShape) \(labels == nil ? "targets" : "labels") weights \(weights != nil) "
                + "ignore \(ignoreIndex.map(String.init) ?? "none") ε \(labelSmoothing)"
        }
    }

    struct Reference: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        do { return try reference("cross_entropy.json", as: Reference.self).cases } catch {
            fatalError("Tests/References/cross_entropy.json: \(error)")
        }
    }()

    @Test func theReferenceHoldsEveryCombination() {
        #expect(Self.cases.count == 78)
        #expect(Set(Self.cases.map(\.reduction)) == ["none", "mean", "sum"])
        #expect(Set(Self.cases.map(\.logitsShape)) == [[5, 4], [2, 4, 3, 2]])
        #expect(Set(Self.cases.map(\.labelSmoothing)) == [0, 0.1])
        #expect(Set(Self.cases.map(\.ignoreIndex)) == [nil, -100, 1])
        #expect(Self.cases.contains { $0.targets != nil && $0.weights != nil })
    }

    @Test(arguments: cases) func valuesAndLogitsGradientsMatchPyTorch(_ reference: Case) {
        let logits = Variable(Tensor(shape: reference.logitsShape, scalars: reference.logits), requiresGrad: true)
        let reduction: Reduction = switch reference.reduction {
        case "none": .none
        case "mean": .mean
        default: .sum
        }
        let weights = reference.weights.map { Tensor($0) }
        let y: Variable<Double>
        if let labels = reference.labels {
            let labelShape = [reference.logitsShape[0]] + reference.logitsShape.dropFirst(2)
            y = crossEntropy(logits: logits, labels: Tensor(shape: labelShape, scalars: labels), weights: weights,
                             ignoreIndex: reference.ignoreIndex, labelSmoothing: reference.labelSmoothing, reduction: reduction)
        } else {
            let targets = Variable(Tensor(shape: reference.logitsShape, scalars: reference.targets!))
            y = crossEntropy(logits: logits, targets: targets, weights: weights, labelSmoothing: reference.labelSmoothing,
                             reduction: reduction)
        }
        #expect(y.shape == reference.outputShape)
        (y * Variable(Tensor(shape: reference.outputShape, scalars: reference.gradientPattern))).sum().backward()
        func compare(_ label: String, _ actual: [Double], _ expected: [Double]) {
            #expect(actual.count == expected.count, "\(reference.testDescription) \(label): \(actual.count) elements")
            for (i, (a, b)) in zip(actual, expected).enumerated() {
                #expect(Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b)),
                        "\(reference.testDescription) \(label)[\(i)]: \(a), PyTorch \(b)")
            }
        }
        compare("value", y.value.scalars, reference.output)
        compare("gradient", logits.grad?.scalars ?? [], reference.gradient)
    }
}

/// Hand-computed values, the reductions PyTorch lacks, and central differences for Losses+CrossEntropy.
@Suite struct CrossEntropyOptions {
    private let logits = Variable<Double>(Tensor([[1, 2, 3], [1, 1, 1], [0, 2, 0]]), requiresGrad: true)

    /// −log softmax(row)[label].
    private func nll(_ row: [Double], _ label: Int) -> Double {
        Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) - row[label]
    }

    @Test func weightsAndIgnoreIndexFollowPyTorch() {
        let weights = Tensor<Double>([0.5, 2, 4])
        let losses = [nll([1, 2, 3], 2), nll([1, 1, 1], 0), nll([0, 2, 0], 1)]
        // Labels 2, 0, 1 with weights 4, 0.5, 2: the mean divides by 6.5.
        let weighted = crossEntropy(logits: logits, labels: Tensor<Int>([2, 0, 1]), weights: weights)
        expectClose(weighted.scalar, (4 * losses[0] + 0.5 * losses[1] + 2 * losses[2]) / 6.5, tolerance: 1e-14)
        // The second target ignored: it adds 0, and the denominator is 4 + 2.
        let ignoring = crossEntropy(logits: logits, labels: Tensor<Int>([2, -1, 1]), weights: weights, ignoreIndex: -1)
        expectClose(ignoring.scalar, (4 * losses[0] + 2 * losses[2]) / 6, tolerance: 1e-14)
        let unreduced = crossEntropy(logits: logits, labels: Tensor<Int>([2, -1, 1]), weights: weights, ignoreIndex: -1,
                                     reduction: .none)
        expectClose(unreduced.value, Tensor([4 * losses[0], 0, 2 * losses[2]]), tolerance: 1e-14)
        // An ignoreIndex that is a class: targets of class 1 are left out.
        expectClose(crossEntropy(logits: logits, labels: [2, 0, 1], ignoreIndex: 1).scalar, (losses[0] + losses[1]) / 2,
                    tolerance: 1e-14)
        // The array spelling is the tensor one.
        #expect(crossEntropy(logits: logits, labels: [2, -1, 1], weights: weights, ignoreIndex: -1).scalar == ignoring.scalar)
        // Smoothing ε with weights: (1 − ε)·w[y]·nll + (ε/C)·Σ_c w[c]·(−log p_c), over Σ w[y].
        let row = [1.0, 2, 3], lse = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
        let smoothFirst = 0.9 * 4 * losses[0] + 0.1 / 3 * (0.5 * (lse - 1) + 2 * (lse - 2) + 4 * (lse - 3))
        let smoothed = crossEntropy(logits: logits, labels: Tensor<Int>([2, -1, 1]), weights: weights, ignoreIndex: -1,
                                    labelSmoothing: 0.1, reduction: .none)
        expectClose(smoothed.value[0], smoothFirst, tolerance: 1e-14)
        #expect(smoothed.value[1] == 0)
    }

    @Test func everyTargetIgnoredIsNaNWithZeroGradients() {
        let loss = crossEntropy(logits: logits, labels: Tensor<Int>([-100, -100, -100]), ignoreIndex: -100)
        #expect(loss.scalar.isNaN)
        loss.backward()
        #expect(logits.grad == Tensor<Double>.zeros([3, 3]))
        #expect(crossEntropy(logits: logits, labels: [-100, -100, -100], ignoreIndex: -100, reduction: .sum).scalar == 0)
    }

    @Test func spatialLogitsTakeClassesOnAxisOne() {
        // [N, C, d] = [2, 3, 2]: position (n, ·, k) is a row of classes.
        let x = Tensor<Double>(shape: [2, 3, 2], scalars: (0..<12).map { Foundation.sin(Double($0)) })
        let labels = Tensor<Int>(shape: [2, 2], scalars: [0, 2, 1, 1])
        let spatial = crossEntropy(logits: Variable(x), labels: labels, reduction: .none)
        // The same as [N·d, C] logits with the class axis moved last.
        let rows = Variable(x.permuted([0, 2, 1]).reshaped([4, 3]))
        let flat = crossEntropy(logits: rows, labels: [0, 2, 1, 1], reduction: .none)
        #expect(spatial.shape == [2, 2])
        expectClose(spatial.value.reshaped([4]), flat.value, tolerance: 1e-15)
        // batchMean divides the total by N = 2; mean by the 4 positions.
        expectClose(crossEntropy(logits: Variable(x), labels: labels, reduction: .batchMean).scalar,
                    flat.value.sum().scalar / 2, tolerance: 1e-15)
        expectClose(crossEntropy(logits: Variable(x), labels: labels).scalar, flat.value.sum().scalar / 4, tolerance: 1e-15)
        // Probability targets: one-hot targets give the label loss; mean divides by N·d = 4.
        let oneHot = Tensor<Double>(shape: [2, 3, 2], scalars: [1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0])
        let soft = crossEntropy(logits: Variable(x), targets: Variable(oneHot), reduction: .none)
        expectClose(soft.value, spatial.value, tolerance: 1e-15)
        expectClose(crossEntropy(logits: Variable(x), targets: Variable(oneHot)).scalar, flat.value.sum().scalar / 4,
                    tolerance: 1e-15)
    }

    @Test func negativeLogLikelihoodIsCrossEntropyOfLogSoftmax() {
        let x = Tensor<Double>(shape: [2, 3, 2], scalars: (0..<12).map { Foundation.cos(Double($0)) })
        let labels = Tensor<Int>(shape: [2, 2], scalars: [0, 7, 1, 2]), weights = Tensor<Double>([1, 3, 0.5])
        for reduction in [Reduction.mean, .sum, .none, .batchMean] {
            let direct = crossEntropy(logits: Variable(x), labels: labels, weights: weights, ignoreIndex: 7, reduction: reduction)
            let composed = negativeLogLikelihood(logProbabilities: logSoftmax(Variable(x), axis: 1), labels: labels,
                                                 weights: weights, ignoreIndex: 7, reduction: reduction)
            expectClose(composed.value, direct.value, tolerance: 1e-15)
        }
    }

    @Test func gradientsMatchCentralDifferences() {
        let points = [Tensor<Double>.uniform([2, 3, 2, 2], low: -2, high: 2, seed: 3),
                      .uniform([2, 3, 2, 2], low: 0.1, high: 0.9, seed: 4)]
        let labels = Tensor<Int>(shape: [2, 2, 2], scalars: [0, 2, -1, 1, 1, -1, 2, 0])
        let weights = Tensor<Double>([0.5, 2, 1.5])
        let cases: [(String, ([Variable<Double>]) -> Variable<Double>)] = [
            ("labels", { crossEntropy(logits: $0[0], labels: labels, weights: weights, ignoreIndex: -1, labelSmoothing: 0.2)
                + $0[1].sum() * 0 }),
            ("labels sum", { crossEntropy(logits: $0[0], labels: labels, ignoreIndex: -1, labelSmoothing: 0.1, reduction: .sum)
                + $0[1].sum() * 0 }),
            ("targets", { crossEntropy(logits: $0[0], targets: $0[1], weights: weights, labelSmoothing: 0.1) }),
        ]
        for (name, loss) in cases {
            let error = checkGradients(at: points, loss).maxRelativeError
            #expect(error < 1e-7, "\(name): \(error)")
        }
    }
}

@Suite("crossEntropy: bad arguments")
struct CrossEntropyArgumentTests {
    private static func logits() -> Variable<Double> { Variable(.zeros([2, 3, 4])) }

    @Test func messagesNameTheOffendingValues() async {
        let label = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Variable<Double>(.zeros([2, 3])), labels: [1, -100], ignoreIndex: -1)
        }
        expectMessage(label, "crossEntropy: label -100 is outside 0..<3 (and is not the ignoreIndex -1)")
        let shape = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: CrossEntropyArgumentTests.logits(), labels: Tensor<Int>.zeros([2, 3]))
        }
        expectMessage(shape, "crossEntropy: labels of shape [2, 3] do not fit logits [2, 3, 4]; they must be [2, 4]")
        let weights = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: CrossEntropyArgumentTests.logits(), labels: Tensor<Int>.zeros([2, 4]),
                             weights: Tensor([1, 2]))
        }
        expectMessage(weights, "crossEntropy: weights of shape [2] are not [3], one per class")
        let targets = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: CrossEntropyArgumentTests.logits(), targets: Variable(.zeros([2, 4, 3])))
        }
        expectMessage(targets, "crossEntropy: targets [2, 4, 3] and logits [2, 3, 4] differ in shape")
        let smoothing = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: CrossEntropyArgumentTests.logits(), labels: Tensor<Int>.zeros([2, 4]), labelSmoothing: 1.5)
        }
        expectMessage(smoothing, "crossEntropy: label smoothing 1.5 is not in [0, 1]")
    }
}
