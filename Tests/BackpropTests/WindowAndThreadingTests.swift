import Testing
@_spi(Kernels) @testable import Backprop

/// Direct convolution by definition: out[n, o, i, j] = Σ filter[o, c, a, b] · x[n, g·C/G + c, i·sH − pH + a·dH, j·sW − pW + b·dW],
/// over the channels c of output o's group g.
private func naiveConvolution(_ x: Tensor<Double>, _ w: Tensor<Double>, stride: (Int, Int), padding: (Int, Int),
                              dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor<Double> {
    let (n, h, wd) = (x.shape[0], x.shape[2], x.shape[3]), (o, c, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let oh = (h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1
    let ow = (wd + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1
    var out = Tensor<Double>.zeros([n, o, oh, ow])
    for b in 0..<n { for f in 0..<o { for i in 0..<oh { for j in 0..<ow {
        var total = 0.0
        let group = f / (o / groups)
        for ch in 0..<c { for a in 0..<kh { for d in 0..<kw {
            let (y, z) = (i * stride.0 - padding.0 + a * dilation.0, j * stride.1 - padding.1 + d * dilation.1)
            if y >= 0 && y < h && z >= 0 && z < wd { total += w[f, ch, a, d] * x[b, group * c + ch, y, z] }
        } } }
        out[b, f, i, j] = total
    } } } }
    return out
}

@Suite struct WindowKernels {
    // Large enough that im2col, col2im and pooling split across threads.
    private let x = Tensor<Double>.uniform([6, 3, 23, 21], low: -1, high: 1, seed: 1)
    private let w = Tensor<Double>.uniform([5, 3, 3, 3], low: -1, high: 1, seed: 2)

    @Test(arguments: [(1, 0), (1, 1), (2, 1), (3, 2)])
    func convolutionMatchesTheDefinition(stride: Int, padding: Int) {
        let expected = naiveConvolution(x, w, stride: (stride, stride), padding: (padding, padding))
        for threads in [1, 2, 3] {
            let actual = withThreads(threads) { conv2d(Variable(x), Variable(w), stride: stride, padding: padding).value }
            #expect(actual.isApproximatelyEqual(to: expected, tolerance: 1e-12), "threads \(threads)")
        }
    }

    // The last two keep the width (stride 1, one column of padding for 3 columns of taps): im2col's
    // copy-and-zero path, with dilated rows and rows that fall wholly in the padding.
    @Test(arguments: [((2, 3), (3, 1), (1, 1)), ((1, 2), (0, 2), (2, 3)), ((3, 1), (2, 0), (3, 2)),
                      ((1, 1), (2, 1), (2, 1)), ((1, 1), (5, 1), (3, 1))])
    func perAxisDilatedGroupedConvolutionMatchesTheDefinition(stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) {
        let grouped = Tensor<Double>.uniform([6, 1, 3, 2], low: -1, high: 1, seed: 5)    // 3 groups, 2 outputs each
        for (filter, groups) in [(w, 1), (grouped, 3)] {
            let expected = naiveConvolution(x, filter, stride: stride, padding: padding, dilation: dilation, groups: groups)
            for threads in [1, 2, 3] {
                let actual = withThreads(threads) {
                    conv2d(Variable(x), Variable(filter), stride: stride, padding: padding, dilation: dilation, groups: groups).value
                }
                #expect(actual.isApproximatelyEqual(to: expected, tolerance: 1e-12), "groups \(groups), threads \(threads)")
            }
        }
    }

    @Test(arguments: [((2, 1), (1, 1), (1, 1)), ((1, 3), (2, 0), (2, 1)), ((3, 2), (0, 3), (3, 2))])
    func columnsToImageIsTheAdjointOfImageToColumns(stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) throws {
        // ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ for every x and y.
        let windows = try Windows(input: x.shape, filter: [5, 3, 3, 2], stride: stride, padding: padding, dilation: dilation)
        let y = Tensor<Double>.uniform(windows.columnsShape, low: -1, high: 1, seed: 3)
        let left = (x.imageToColumns(windows) * y).sum().scalar, right = (x * y.columnsToImage(windows)).sum().scalar
        #expect(Swift.abs(left - right) < 1e-9)
        #expect(withThreads(1) { y.columnsToImage(windows) } == withThreads(2) { y.columnsToImage(windows) })
    }

    @Test func maxPoolingMatchesTheDefinitionAndRoutesGradients() {
        for (size, stride) in [(2, 2), (3, 1), (3, 2)] {
            let input = Variable(x, requiresGrad: true)
            let pooled = withThreads(2) { maxPool2d(input, size: size, stride: stride) }
            let (oh, ow) = ((23 - size) / stride + 1, (21 - size) / stride + 1)
            #expect(pooled.shape == [6, 3, oh, ow])
            var expected = Tensor<Double>.zeros([6, 3, oh, ow])
            for b in 0..<6 { for c in 0..<3 { for i in 0..<oh { for j in 0..<ow {
                var best = -Double.infinity
                for a in 0..<size { for d in 0..<size { best = Swift.max(best, x[b, c, i * stride + a, j * stride + d]) } }
                expected[b, c, i, j] = best
            } } } }
            #expect(pooled.value == expected)
            pooled.sum().backward()
            // Each window sends 1 to its maximum: the gradient sums to the number of windows.
            #expect(input.grad!.sum().scalar == Double(6 * 3 * oh * ow))
            #expect(withThreads(1) { maxPool2d(Variable(x), size: size, stride: stride).value } == pooled.value)
        }
    }

    @Test func twoByTwoMaxPoolingPropagatesNaNAndInfinities() {
        // Window 0 holds two NaNs: NaN, from the first of them. Window 1 holds −∞ and two +∞: +∞, from the first.
        let input = Variable(Tensor<Float>(shape: [1, 1, 2, 4], scalars: [1, .nan, -.infinity, 3, 2, .nan, .infinity, .infinity]),
                             requiresGrad: true)
        let pooled = maxPool2d(input, size: 2)
        #expect(pooled.shape == [1, 1, 1, 2])
        #expect(pooled.value[0, 0, 0, 0].isNaN && pooled.value[0, 0, 0, 1] == .infinity)
        pooled.sum().backward()
        #expect(input.grad!.scalars == [0, 1, 0, 0, 0, 0, 1, 0])
    }
}

@Suite struct ThreadedElementwise {
    private let big = Tensor<Float>.uniform([300, 700], low: -2, high: 2, seed: 4)

    @Test func elementwiseOpsAndReductionsAgreeAcrossThreadCounts() {
        func compute() -> [Tensor<Float>] {
            [exp(big), big * big + 1, big * Tensor<Float>.uniform([700], seed: 5), big.sum(axis: 0), big.sum(axis: 1),
             big.max(axis: 0), big.max(axis: 1, keepDims: true), big.sum()]
        }
        let one = withThreads(1) { compute() }, two = withThreads(2) { compute() }, three = withThreads(3) { compute() }
        #expect(one == two && one == three)
    }

    @Test func threadedBroadcastMatchesElementByElement() {
        let row = Tensor<Float>.uniform([700], seed: 5), column = Tensor<Float>.uniform([300, 1], seed: 6)
        let (product, sum) = withThreads(2) { (big * row, column + big) }
        for (i, j) in [(0, 0), (17, 699), (299, 350)] {
            #expect(product[i, j] == big[i, j] * row[j])
            #expect(sum[i, j] == column[i, 0] + big[i, j])
        }
    }

    @Test func threadedReductionsMatchSerialSums() {
        let columns = withThreads(2) { big.sum(axis: 0) }
        for j in [0, 333, 699] {
            var total: Float = 0
            for i in 0..<300 { total += big[i, j] }
            #expect(columns[j] == total)          // the same order of additions, so the same bits
        }
    }
}
