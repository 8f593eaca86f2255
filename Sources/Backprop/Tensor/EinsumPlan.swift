/// How `einsum` evaluates an equation of one or two operands with existing primitives.
///
/// Each operand first loses its repeated indices (a diagonal, gathered by flat index) and
/// the indices that only it holds and the output lacks (a sum). A single operand is then
/// permuted into the output's order. Two operands become one GEMM: each is permuted (only
/// when its axes are not already in a usable order) and reshaped to `[batch, m, k]` and
/// `[batch, k, n]`, or to their transposes, which the GEMM reads through its transpose flags.
struct EinsumPlan: Equatable {
    /// The first steps for one operand: its diagonal, then its sums.
    struct Reduction: Equatable {
        /// Flat positions and shape of the diagonal over repeated indices, or nil.
        var diagonal: (positions: [Int], shape: [Int])?
        /// Axes (after the diagonal) summed away.
        var summedAxes: [Int]

        static func == (a: Reduction, b: Reduction) -> Bool {
            a.diagonal?.positions == b.diagonal?.positions && a.diagonal?.shape == b.diagonal?.shape
                && a.summedAxes == b.summedAxes
        }
    }

    /// One operand of the GEMM.
    struct Factor: Equatable {
        /// Which operand, 0 or 1.
        var operand: Int
        /// The axis order it is copied into first, or nil when its own order serves.
        var permutation: [Int]?
        /// Whether the GEMM reads it transposed: stored as `[batch, k, m]` rather than `[batch, m, k]`.
        var transposed: Bool
        /// The 2-d or 3-d shape the GEMM reads.
        var flat: [Int]
    }

    struct Contraction: Equatable {
        var left: Factor
        var right: Factor
        /// The GEMM's result unflattened: sizes of the batch, left and right indices.
        var productShape: [Int]
    }

    var reductions: [Reduction]
    var contraction: Contraction?
    /// The final reordering into the output's index order, or nil when none is needed.
    var outputPermutation: [Int]?
    var outShape: [Int]
}

extension Shapes {
    /// Parses and checks an einsum equation against its operands' shapes, and plans it.
    static func einsum(_ equation: String, _ shapes: [[Int]]) throws(ShapeError) -> EinsumPlan {
        let shownShapes = shapes.map(describe).joined(separator: " and ")
        func failure(_ detail: String) -> ShapeError { ShapeError("einsum", "\"\(equation)\" with \(shownShapes): \(detail)") }

        // Parse "ab,bc->ac" (spaces ignored); every index a letter.
        let compact = equation.filter { !$0.isWhitespace }
        let sides = compact.components(separatedBy: "->")
        guard sides.count == 2 else { throw failure("the equation needs exactly one \"->\" before the output indices") }
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(Array.init)
        let output = Array(sides[1])
        guard shapes.count == 1 || shapes.count == 2 else {
            throw failure("einsum takes one or two operands, not \(shapes.count)")
        }
        guard terms.count == shapes.count else {
            throw failure("\(terms.count) input terms for \(shapes.count) operands")
        }
        if let bad = (terms.joined() + output).first(where: { !($0.isASCII && $0.isLetter) }) {
            throw failure("\"\(bad)\" is not an index; indices are single letters")
        }
        var sizes: [Character: Int] = [:]
        for (term, shape) in zip(terms, shapes) {
            guard term.count == shape.count else {
                throw failure("term \"\(String(term))\" has \(term.count) indices for an operand of rank \(shape.count)")
            }
            for (letter, size) in zip(term, shape) {
                if let known = sizes[letter], known != size {
                    throw failure("index \(letter) has sizes \(known) and \(size)")
                }
                sizes[letter] = size
            }
        }
        if let repeated = output.enumerated().first(where: { output[..<$0.offset].contains($0.element) })?.element {
            throw failure("output index \(repeated) repeats")
        }
        if let unknown = output.first(where: { sizes[$0] == nil }) {
            throw failure("output index \(unknown) is in no input term")
        }
        let outShape = output.map { sizes[$0]! }

        // Per operand: the diagonal over repeated indices, then sums over indices no one else needs.
        var reductions: [EinsumPlan.Reduction] = []
        var remaining: [[Character]] = []
        for (i, term) in terms.enumerated() {
            var unique: [Character] = []
            for letter in term where !unique.contains(letter) { unique.append(letter) }
            let diagonal = unique.count == term.count ? nil : diagonalPositions(term, unique: unique, shape: shapes[i])
            let others = terms.enumerated().filter { $0.offset != i }.flatMap(\.element) + output
            let summed = unique.indices.filter { !others.contains(unique[$0]) }
            reductions.append(.init(diagonal: diagonal, summedAxes: summed))
            remaining.append(unique.enumerated().filter { !summed.contains($0.offset) }.map(\.element))
        }

        guard remaining.count == 2 else {
            let permutation = output.map { remaining[0].firstIndex(of: $0)! }
            return EinsumPlan(reductions: reductions, contraction: nil,
                              outputPermutation: isIdentity(permutation) ? nil : permutation, outShape: outShape)
        }
        let (contraction, outputPermutation) = contraction(remaining[0], remaining[1], output: output, sizes: sizes)
        return EinsumPlan(reductions: reductions, contraction: contraction, outputPermutation: outputPermutation, outShape: outShape)
    }

    /// The flat positions of `term`'s diagonal: one element per combination of the unique indices.
    private static func diagonalPositions(_ term: [Character], unique: [Character], shape: [Int]) -> ([Int], [Int]) {
        let uniqueShape = unique.map { letter in shape[term.firstIndex(of: letter)!] }
        let own = strides(shape)
        // A step of unique index u moves by the sum of the strides of the axes it names.
        let steps = unique.map { letter in term.indices.filter { term[$0] == letter }.reduce(0) { $0 + own[$1] } }
        var positions: [Int] = []
        positions.reserveCapacity(count(uniqueShape))
        var index = [Int](repeating: 0, count: unique.count)
        for _ in 0..<count(uniqueShape) {
            positions.append(zip(index, steps).reduce(0) { $0 + $1.0 * $1.1 })
            for axis in unique.indices.reversed() {
                index[axis] += 1
                if index[axis] < uniqueShape[axis] { break }
                index[axis] = 0
            }
        }
        return (positions, uniqueShape)
    }

    private static func isIdentity(_ permutation: [Int]) -> Bool { permutation == Array(permutation.indices) }

    /// Chooses the GEMM for two operands whose indices (`a`, `b`, each unique) all appear in the
    /// other operand or in the output: among the orders of the batch, contracted and free indices
    /// and the two roles of the operands, the one that copies the fewest elements.
    private static func contraction(_ a: [Character], _ b: [Character], output: [Character],
                                    sizes: [Character: Int]) -> (EinsumPlan.Contraction, [Int]?) {
        func size(_ letters: [Character]) -> Int { letters.reduce(1) { $0 * sizes[$1]! } }
        func ordered(_ letters: Set<Character>, like order: [Character]) -> [Character] { order.filter(letters.contains) }
        let shared = Set(a).intersection(b)
        let batch = shared.filter(output.contains), contracted = shared.subtracting(output)

        var best: (cost: Int, plan: EinsumPlan.Contraction, permutation: [Int]?)?
        for (x, y, xOperand) in [(a, b, 0), (b, a, 1)] {
            let xFree = Set(x).subtracting(shared), yFree = Set(y).subtracting(shared)
            for batchOrder in [output, x, y] {
                for contractedOrder in [x, y] {
                    for xFreeOrder in [output, x] {
                        for yFreeOrder in [output, y] {
                            let (bs, ks) = (ordered(batch, like: batchOrder), ordered(contracted, like: contractedOrder))
                            let (ms, ns) = (ordered(xFree, like: xFreeOrder), ordered(yFree, like: yFreeOrder))
                            let (m, n, k, batchCount) = (size(ms), size(ns), size(ks), size(bs))
                            func factor(_ own: [Character], operand: Int, plain: [Character], flipped: [Character],
                                        rows: Int, columns: Int) -> (EinsumPlan.Factor, Int) {
                                let lead = bs.isEmpty ? [] : [batchCount]
                                if own == flipped && own != plain {
                                    return (.init(operand: operand, permutation: nil, transposed: true, flat: lead + [columns, rows]), 0)
                                }
                                let permutation = plain.map { own.firstIndex(of: $0)! }
                                let copies = !isIdentity(permutation)
                                return (.init(operand: operand, permutation: copies ? permutation : nil, transposed: false,
                                              flat: lead + [rows, columns]), copies ? size(own) : 0)
                            }
                            let (left, leftCost) = factor(x, operand: xOperand, plain: bs + ms + ks, flipped: bs + ks + ms, rows: m, columns: k)
                            let (right, rightCost) = factor(y, operand: 1 - xOperand, plain: bs + ks + ns, flipped: bs + ns + ks, rows: k, columns: n)
                            let productLetters = bs + ms + ns
                            let permutation = output.map { productLetters.firstIndex(of: $0)! }
                            let outputCost = isIdentity(permutation) ? 0 : size(output)
                            let cost = leftCost + rightCost + outputCost
                            if best == nil || cost < best!.cost {
                                let plan = EinsumPlan.Contraction(left: left, right: right, productShape: productLetters.map { sizes[$0]! })
                                best = (cost, plan, isIdentity(permutation) ? nil : permutation)
                            }
                        }
                    }
                }
            }
        }
        return (best!.plan, best!.permutation)
    }
}
