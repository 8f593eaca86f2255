import Testing
@testable import Backprop

// Gradient checks, first and second order, for sorting and indexing along an axis (see
// Composite/Indexing.swift), in the pattern of GradientCheckTests.swift. Uniform random
// inputs hold no ties, so sort orders do not change under the checker's small steps.

private func random(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }
private func indices(_ shape: [Int], _ scalars: [Int]) -> Tensor<Int> { Tensor(shape: shape, scalars: scalars) }

let indexingOpCases: [OpCase] = [
    OpCase("sorted, last axis", [random([3, 5], 401)]) { $0[0].sorted().values },
    OpCase("sorted descending, axis 0", [random([4, 3], 402)]) { $0[0].sorted(axis: 0, descending: true).values },
    OpCase("sorted along axis −2 of 3-d", [random([2, 3, 4], 403)]) { $0[0].sorted(axis: -2).values },
    OpCase("sorted values times the input", [random([2, 5], 404)]) { x in x[0].sorted().values * x[0] },
    OpCase("topK 2, last axis", [random([3, 5], 405)]) { $0[0].topK(2).values },
    OpCase("topK 3 along axis 0 of 3-d, cubed", [random([4, 2, 3], 406)]) { pow($0[0].topK(3, axis: 0).values, 3) },
    OpCase("takingAlong axis 1, repeated and longer", [random([2, 3], 407)]) {
        $0[0].takingAlong(axis: 1, indices: indices([2, 4], [2, 2, 0, 1, 1, 0, 0, 2]))
    },
    OpCase("takingAlong axis 0, narrower on axis 1", [random([3, 4], 408)]) { x in
        exp(x[0].takingAlong(axis: 0, indices: indices([5, 2], [2, 0, 1, 1, 0, 2, 2, 2, 1, 0])))
    },
    OpCase("takingAlong axis −1 of 3-d", [random([2, 2, 3], 409)]) { x in
        x[0].takingAlong(axis: -1, indices: indices([2, 1, 2], [0, 2, 1, 1])) * x[0].slicing(0..<1, axis: 1).slicing(0..<2, axis: 2)
    },
    OpCase("scatteringAdd axis 0, repeated indices", [random([3, 2], 410), random([2, 2], 411)]) {
        $0[0].scatteringAdd(axis: 0, indices: indices([2, 2], [0, 2, 0, 0]), values: $0[1])
    },
    OpCase("scatteringAdd axis −1, values larger than indices", [random([2, 4], 412), random([2, 4], 413)]) {
        $0[0].scatteringAdd(axis: -1, indices: indices([2, 3], [1, 1, 3, 0, 2, 0]), values: $0[1])
    },
    OpCase("scatteringAdd, products of both inputs", [random([2, 3], 414), random([2, 2], 415)]) { x in
        let sum = x[0].scatteringAdd(axis: 1, indices: indices([2, 2], [2, 2, 0, 1]), values: x[1] * x[1])
        return sum * x[0]
    },
    OpCase("filling, broadcast mask [3,1]", [random([3, 4], 416)]) { x in
        x[0].filling(where: Tensor(shape: [3, 1], scalars: [true, false, true]), with: 0.5) * x[0]
    },
    OpCase("filling with −∞, then softmax", [random([2, 4], 417)]) { x in
        softmax(x[0].filling(where: Tensor(shape: [4], scalars: [false, true, false, false]), with: -.infinity), axis: -1)
    },
]


@Test func sortedAndTopKGradientsReachTheSelectedElements() {
    let x = Variable(Tensor<Double>([3, 1, 2]), requiresGrad: true)
    // sorted: [1, 2, 3] from positions [1, 2, 0].
    let sortedLoss = (x.sorted().values * Variable(Tensor([1, 10, 100]))).sum()
    #expect(gradients(of: sortedLoss, wrt: [x])[0].value == Tensor([100, 1, 10]))
    // topK(2): [3, 2] from positions [0, 2]; position 1 gets nothing.
    let topLoss = (x.topK(2).values * Variable(Tensor([1, 10]))).sum()
    #expect(gradients(of: topLoss, wrt: [x])[0].value == Tensor([1, 0, 10]))
}

@Test func takingAlongGradientAddsRepeatedPicks() {
    let x = Variable(Tensor<Double>.zeros([2, 3]), requiresGrad: true)
    let loss = x.takingAlong(axis: 1, indices: indices([1, 4], [2, 2, 0, 1])).sum()
    #expect(gradients(of: loss, wrt: [x])[0].value == Tensor([[1, 1, 2], [0, 0, 0]]))
}

@Test func scatteringAddGradientsByHand() {
    let base = Variable(Tensor<Double>.zeros([2, 4]), requiresGrad: true)
    let values = Variable(Tensor<Double>.ones([2, 4]), requiresGrad: true)
    let weights = Variable(Tensor<Double>([[1, 2, 3, 4], [5, 6, 7, 8]]))
    let result = base.scatteringAdd(axis: 1, indices: indices([2, 3], [1, 1, 3, 0, 2, 0]), values: values)
    let g = gradients(of: (result * weights).sum(), wrt: [base, values])
    // The input's gradient passes through; each used value gets the weight at its target,
    // and the unused last column of `values` gets 0.
    #expect(g[0].value == weights.value)
    #expect(g[1].value == Tensor([[2, 2, 4, 0], [5, 7, 5, 0]]))
}

@Test func fillingGradientIsZeroAtFilledPositions() {
    let x = Variable(Tensor<Double>([[1, 2, 3], [4, 5, 6]]), requiresGrad: true)
    let loss = (x.filling(where: Tensor(shape: [2, 1], scalars: [true, false]), with: -1) * 2.0).sum()
    #expect(gradients(of: loss, wrt: [x])[0].value == Tensor([[0, 0, 0], [2, 2, 2]]))

    // An attention-style mask: −∞ logits get probability 0 and gradient 0, with no NaN.
    let logits = Variable(Tensor<Double>([1, 2, 3]), requiresGrad: true)
    let p = softmax(logits.filling(where: Tensor([false, true, false]), with: -.infinity), axis: -1)
    #expect(p.value[1] == 0)
    let grad = gradients(of: (p * Variable(Tensor([1, 2, 3]))).sum(), wrt: [logits])[0].value
    #expect(grad.scalars.allSatisfy { $0.isFinite })
    #expect(grad[1] == 0)
}
