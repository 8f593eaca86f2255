import Testing
@testable import Backprop

// Convolution and pooling with per-axis stride, padding and dilation, groups, transposed
// convolution and padded pooling: im2col and col2im (each the other's VJP) under every new
// window parameter, on asymmetric shapes. Same checks as `opCases`.

private func random(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { .uniform(shape, low: -1, high: 1, seed: seed) }

let windowOpCases: [OpCase] = [
    OpCase("conv2d, 3×2 kernel, stride (2,1), padding (1,2), dilation (2,1)", [random([2, 2, 7, 5], 501), random([3, 2, 3, 2], 502)]) {
        conv2d($0[0], $0[1], stride: (2, 1), padding: (1, 2), dilation: (2, 1))
    },
    // Stride 1 and as many output columns as input columns: im2col's and col2im's copy paths.
    OpCase("conv2d, 3×3 kernel, padding (2,1), dilation (2,1)", [random([2, 2, 5, 6], 521), random([3, 2, 3, 3], 522)]) {
        conv2d($0[0], $0[1], padding: (2, 1), dilation: (2, 1))
    },
    OpCase("conv2d, stride (1,3), dilation (1,2)", [random([1, 2, 4, 9], 503), random([2, 2, 2, 3], 504)]) {
        conv2d($0[0], $0[1], stride: (1, 3), dilation: (1, 2))
    },
    OpCase("conv2d, 2 groups, padding (0,1)", [random([2, 4, 5, 4], 505), random([6, 2, 2, 3], 506)]) {
        conv2d($0[0], $0[1], padding: (0, 1), groups: 2)
    },
    OpCase("conv2d, depthwise, dilation 2", [random([1, 3, 6, 5], 507), random([3, 1, 2, 2], 508)]) {
        conv2d($0[0], $0[1], padding: 1, dilation: 2, groups: 3)
    },
    OpCase("convTranspose2d, stride 2, padding 1, outputPadding 1", [random([2, 3, 3, 4], 509), random([3, 2, 3, 3], 510)]) {
        convTranspose2d($0[0], $0[1], stride: 2, padding: 1, outputPadding: 1)
    },
    OpCase("convTranspose2d, 2 groups, stride (2,1), padding (0,1), outputPadding (1,0), dilation (1,2)",
           [random([1, 4, 3, 4], 511), random([4, 3, 2, 3], 512)]) {
        convTranspose2d($0[0], $0[1], stride: (2, 1), padding: (0, 1), outputPadding: (1, 0), dilation: (1, 2), groups: 2)
    },
    OpCase("maxPool2d, padding 1", [random([2, 2, 5, 4], 513)]) { maxPool2d($0[0], size: 3, stride: 2, padding: 1) },
    OpCase("avgPool2d, padding 1", [random([1, 2, 5, 6], 514)]) { avgPool2d($0[0], size: 2, stride: 1, padding: 1) },
]
