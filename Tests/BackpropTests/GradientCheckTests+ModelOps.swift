import Testing
@testable import Backprop

// The ops that models ported from PyTorch need: N-d matmul, einsum, multi-axis reductions and
// statistics, products, running sums, splits and padding. Same checks as `opCases`.

private func random(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }

let modelOpCases: [OpCase] = [
    // matmul, with torch.matmul's 1-d and broadcast-batch rules.
    OpCase("matmul, vector · vector", [random([4], 401), random([4], 402)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, matrix · vector", [random([3, 4], 403), random([4], 404)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, vector · matrix", [random([4], 405), random([4, 3], 406)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, batch · vector", [random([2, 3, 4], 407), random([4], 408)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, vector · batch", [random([4], 409), random([2, 4, 3], 410)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, [b,h,t,d] × [b,h,d,s]", [random([2, 2, 3, 4], 411), random([2, 2, 4, 3], 412)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, [b,h,t,d] × [d,e]", [random([2, 2, 3, 4], 413), random([4, 5], 414)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, broadcast [1,h,t,d] × [b,1,d,s]", [random([1, 2, 3, 4], 415), random([3, 1, 4, 2], 416)]) {
        matmul($0[0], $0[1])
    },
    OpCase("matmul, broadcast [t,d] × [b,d,s]", [random([3, 4], 417), random([2, 4, 5], 418)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, broadcast [b,t,d] × [1,d,s]", [random([2, 3, 4], 419), random([1, 4, 2], 420)]) { matmul($0[0], $0[1]) },
    OpCase("matmul, broadcast [2,1,t,d] × [3,d,s]", [random([2, 1, 3, 4], 421), random([3, 4, 2], 422)]) { matmul($0[0], $0[1]) },

    // einsum: contractions through the GEMM, diagonals, sums, transposes.
    OpCase("einsum bij,bjk->bik", [random([2, 3, 4], 431), random([2, 4, 2], 432)]) { einsum("bij,bjk->bik", $0[0], $0[1]) },
    OpCase("einsum bhtd,bhsd->bhts", [random([2, 2, 3, 4], 433), random([2, 2, 5, 4], 434)]) {
        einsum("bhtd,bhsd->bhts", $0[0], $0[1])
    },
    OpCase("einsum ij,jk->ki", [random([3, 4], 435), random([4, 2], 436)]) { einsum("ij,jk->ki", $0[0], $0[1]) },
    OpCase("einsum ij->ji", [random([3, 4], 437)]) { einsum("ij->ji", $0[0]) },
    OpCase("einsum ii->i", [random([4, 4], 438)]) { einsum("ii->i", $0[0]) },
    OpCase("einsum ii->", [random([4, 4], 439)]) { einsum("ii->", $0[0]) },
    OpCase("einsum i,i->", [random([5], 440), random([5], 441)]) { einsum("i,i->", $0[0], $0[1]) },
    OpCase("einsum i,j->ij", [random([3], 442), random([4], 443)]) { einsum("i,j->ij", $0[0], $0[1]) },
    OpCase("einsum iij,jk->ki (diagonal, then contraction)", [random([3, 3, 4], 444), random([4, 2], 445)]) {
        einsum("iij,jk->ki", $0[0], $0[1])
    },
    OpCase("einsum bxi,jbi->jb (sum, batch, permuted)", [random([2, 3, 4], 446), random([5, 2, 4], 447)]) {
        einsum("bxi,jbi->jb", $0[0], $0[1])
    },

    // Reductions over several axes, and statistics.
    OpCase("sum axes [0, 2]", [random([2, 3, 4], 451)]) { $0[0].sum(axes: [0, 2]) },
    OpCase("sum axes [−1, 0] keepDims", [random([2, 3, 4], 452)]) { $0[0].sum(axes: [-1, 0], keepDims: true) },
    OpCase("mean axes [1, 2], broadcast back", [random([2, 3, 4], 453)]) { x in x[0] * x[0].mean(axes: [1, 2], keepDims: true) },
    OpCase("variance axis 1", [random([3, 5], 454)]) { $0[0].variance(axis: 1) },
    OpCase("variance axis −1, biased, keepDims", [random([2, 3, 4], 455)]) { $0[0].variance(axis: -1, unbiased: false, keepDims: true) },
    OpCase("standardDeviation axis 0", [random([4, 3], 456)]) { $0[0].standardDeviation(axis: 0) },
    OpCase("product axis 1, odd length", [random([3, 5], 457)]) { $0[0].product(axis: 1) },
    OpCase("product axis 0, keepDims", [random([4, 3], 458)]) { $0[0].product(axis: 0, keepDims: true) },
    OpCase("product with zeros", [Tensor([[0, 1.5, 0.7, -0.5], [0, 0, 2, 1.2], [1, 0.5, -1, 0.8]])]) { $0[0].product(axis: -1) },
    OpCase("cumulativeSum axis 1", [random([3, 4], 459)]) { $0[0].cumulativeSum(axis: 1) },
    OpCase("cumulativeSum axis −3", [random([3, 2, 4], 460)]) { $0[0].cumulativeSum(axis: -3) },
    OpCase("cumulativeSum, squared", [random([5], 461)]) { x in x[0].cumulativeSum(axis: 0) * x[0].cumulativeSum(axis: 0) },

    // Splitting and padding.
    OpCase("split sizes [1, 3, 0, 2] axis −1", [random([2, 6], 471)]) { x in
        let pieces = x[0].split(sizes: [1, 3, 0, 2], axis: -1)
        return Variable.concatenated([pieces[3] * 2, pieces[0] * pieces[0], pieces[1] * 3], axis: -1)
    },
    OpCase("chunked 3 of 7 axis 0", [random([7, 2], 472)]) { x in
        let pieces = x[0].chunked(3)
        return Variable.concatenated([pieces[2] * pieces[2], pieces[0] * 3, pieces[1]], axis: 0)
    },
    OpCase("padded [(1, 2), (0, 1)], value 0.5", [random([2, 3, 2], 473)]) { x in
        x[0].padded([(before: 1, after: 2), (before: 0, after: 1)], value: 0.5) * x[0].padded([(1, 2), (0, 1)])
    },
]

