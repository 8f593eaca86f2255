import Testing
@testable import Backprop

/// A plain-loop einsum: every assignment of the indices, each product added to its output element.
private func referenceEinsum(_ equation: String, _ operands: [Tensor<Double>]) -> Tensor<Double> {
    let sides = equation.components(separatedBy: "->")
    let terms = sides[0].split(separator: ",").map(Array.init), output = Array(sides[1])
    var sizes: [Character: Int] = [:]
    for (term, x) in zip(terms, operands) { for (c, s) in zip(term, x.shape) { sizes[c] = s } }
    let letters = Array(sizes.keys)
    var out = Tensor<Double>.zeros(output.map { sizes[$0]! })
    for flat in 0..<letters.reduce(1, { $0 * sizes[$1]! }) {
        var value: [Character: Int] = [:], rest = flat
        for c in letters { value[c] = rest % sizes[c]!; rest /= sizes[c]! }
        func offset(_ term: [Character], _ shape: [Int]) -> Int { zip(term, shape).reduce(0) { $0 * $1.1 + value[$1.0]! } }
        let product = zip(terms, operands).reduce(1.0) { $0 * $1.1[flat: offset($1.0, $1.1.shape)] }
        out[flat: offset(output, out.shape)] += product
    }
    return out
}

private func random(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }

@Suite struct Einsum {
    @Test func standsForMatmulTransposesDiagonalsAndTraces() {
        let a = random([3, 4], 10), b = random([4, 2], 11)
        expectClose(einsum("ij,jk->ik", a, b), matmul(a, b), tolerance: 1e-12)
        expectClose(einsum("ij,jk->ki", a, b), matmul(a, b).transposed(), tolerance: 1e-12)
        let p = random([2, 3, 4], 12), q = random([2, 4, 5], 13)
        expectClose(einsum("bij,bjk->bik", p, q), matmul(p, q), tolerance: 1e-12)
        let queries = random([2, 2, 3, 4], 14), keys = random([2, 2, 5, 4], 15)
        expectClose(einsum("bhtd,bhsd->bhts", queries, keys), matmul(queries, keys.transposed()), tolerance: 1e-12)
        #expect(einsum("ij->ji", a) == a.transposed())
        let square = Tensor<Double>([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        #expect(einsum("ii->i", square) == Tensor([1, 5, 9]))
        #expect(einsum("ii->", square) == Tensor(15))
        #expect(einsum("i,i->", Tensor<Double>([1, 2, 3]), Tensor([4, 5, 6])) == Tensor(32))
        #expect(einsum("i,j->ij", Tensor<Double>([1, 2]), Tensor([3, 4, 5])) == Tensor([[3, 4, 5], [6, 8, 10]]))
        #expect(einsum("ij->", square) == Tensor(45) && einsum("ij->j", square) == Tensor([12, 15, 18]))
    }

    @Test(arguments: [
        ("ij,jk->ik", [[3, 4], [4, 2]]), ("ij,kj->ik", [[3, 4], [2, 4]]), ("ji,jk->ki", [[4, 3], [4, 2]]),
        ("bij,bjk->bik", [[2, 3, 4], [2, 4, 2]]), ("bij,bkj->bki", [[2, 3, 4], [2, 5, 4]]), ("ibj,jbk->bik", [[3, 2, 4], [4, 2, 5]]),
        ("bhtd,bhsd->bhts", [[2, 2, 3, 4], [2, 2, 5, 4]]), ("bhtd,bhsd->bsht", [[2, 2, 3, 4], [2, 2, 5, 4]]),
        ("iij,jk->ki", [[3, 3, 4], [4, 2]]), ("ijk,k->", [[2, 3, 4], [4]]), ("abc,dbe->adce", [[2, 3, 2], [2, 3, 3]]),
        ("iji->j", [[3, 2, 3]]), ("ijk->kij", [[2, 3, 4]]), ("ij,ij->i", [[3, 4], [3, 4]]), ("x,y->", [[2], [3]]),
    ])
    func matchesPlainLoops(_ equation: String, _ shapes: [[Int]]) {
        let operands = shapes.enumerated().map { random($1, UInt64(20 + $0)) }
        let expected = referenceEinsum(equation, operands)
        let result = operands.count == 1 ? einsum(equation, operands[0]) : einsum(equation, operands[0], operands[1])
        expectClose(result, expected, tolerance: 1e-12)
        let variables = operands.map { Variable($0, requiresGrad: true) }
        #expect(einsum(equation, variables).value == result)
    }

    @Test func contractionsRunAsOneGEMMWithoutCopies() throws {
        // q · kᵀ: k is read through the transpose flag.
        let attention = try Shapes.einsum("bhtd,bhsd->bhts", [[2, 4, 3, 8], [2, 4, 5, 8]])
        let contraction = try #require(attention.contraction)
        #expect(contraction.left == .init(operand: 0, permutation: nil, transposed: false, flat: [8, 3, 8]))
        #expect(contraction.right == .init(operand: 1, permutation: nil, transposed: true, flat: [8, 5, 8]))
        #expect(attention.outputPermutation == nil && attention.outShape == [2, 4, 3, 5])
        // (AB)ᵀ = BᵀAᵀ: the operands swap roles and both are read transposed; nothing is copied.
        let swapped = try Shapes.einsum("ij,jk->ki", [[3, 4], [4, 2]])
        #expect(swapped.contraction?.left.operand == 1 && swapped.contraction?.left.permutation == nil)
        #expect(swapped.contraction?.right.permutation == nil && swapped.outputPermutation == nil)
    }

    @Test func malformedEquationsNameTheEquationAndShapes() {
        func expectError(_ message: String, _ equation: String, _ shapes: [[Int]], sourceLocation: SourceLocation = #_sourceLocation) {
            expectShapeError(message, sourceLocation: sourceLocation) { () throws(ShapeError) in try Shapes.einsum(equation, shapes) }
        }
        expectError("einsum: \"ij,jk\" with [2, 3] and [3, 4]: the equation needs exactly one \"->\" before the output indices",
                    "ij,jk", [[2, 3], [3, 4]])
        expectError("einsum: \"ij,jk->ik\" with [2, 3] and [4, 5]: index j has sizes 3 and 4", "ij,jk->ik", [[2, 3], [4, 5]])
        expectError("einsum: \"ijk->i\" with [2, 3]: term \"ijk\" has 3 indices for an operand of rank 2", "ijk->i", [[2, 3]])
        expectError("einsum: \"ij->i\" with [2, 3] and [3]: 1 input terms for 2 operands", "ij->i", [[2, 3], [3]])
        expectError("einsum: \"ij->ik\" with [2, 3]: output index k is in no input term", "ij->ik", [[2, 3]])
        expectError("einsum: \"ij->ii\" with [2, 3]: output index i repeats", "ij->ii", [[2, 3]])
        expectError("einsum: \"i...->i\" with [2, 3]: \".\" is not an index; indices are single letters", "i...->i", [[2, 3]])
        expectError("einsum: \"i,i,i->\" with [2] and [2] and [2]: einsum takes one or two operands, not 3", "i,i,i->", [[2], [2], [2]])
    }
}
