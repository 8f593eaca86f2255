// Sliding-window kernels for convolution and pooling over NCHW tensors: direct
// loops, with no index arrays, over the geometry that a `Windows` value describes.

extension Windows {
    /// The output columns `ow` whose input column `ow · strideWidth − paddingWidth + kw · dilationWidth`
    /// lies inside the image.
    @inline(__always)
    func insideOutputColumns(kernelColumn kw: Int) -> Range<Int> {
        // ow · stride ≥ padding − tap, and ow · stride ≤ width − 1 + padding − tap.
        let tap = kw &* dilationWidth, stride = strideWidth
        let lowNumerator = paddingWidth &- tap, highNumerator = width &- 1 &+ paddingWidth &- tap
        let low = lowNumerator <= 0 ? 0 : (lowNumerator &+ stride &- 1) / stride
        let high = highNumerator < 0 ? 0 : Swift.min(outWidth, highNumerator / stride &+ 1)
        return low < high ? low..<high : 0..<0
    }

    /// For stride 1 along the height: kernel row `kh` makes output row `oh` read input row
    /// `oh + shift`, and the output rows `rows` read rows inside the image.
    @inline(__always)
    func insideOutputRows(kernelRow kh: Int) -> (shift: Int, rows: Range<Int>) {
        let shift = kh &* dilationHeight &- paddingHeight
        let low = Swift.min(Swift.max(0, -shift), outHeight)
        return (shift, low..<Swift.max(low, Swift.min(outHeight, height &- shift)))
    }

    /// Calls `body(o, base, inside)` for every output row of every row of the column matrices
    /// of `images`: `o` is where the `outWidth` values start in `[batch, patch, outH · outW]`, and,
    /// when the input row lies inside the image, `base + ow · strideWidth` is the input position of
    /// output column `ow` for `ow` in `inside` (else `inside` is empty).
    @inline(__always)
    func forEachOutputRow(in images: Range<Int>, _ body: (Int, Int, Range<Int>) -> Void) {
        let positions = outHeight &* outWidth
        for n in images {
            var o = n &* patch &* positions
            for c in 0..<channels {
                let plane = (n &* channels &+ c) &* height
                for kh in 0..<kernelHeight {
                    for kw in 0..<kernelWidth {
                        let columns = insideOutputColumns(kernelColumn: kw)
                        for oh in 0..<outHeight {
                            let ih = oh &* strideHeight &- paddingHeight &+ kh &* dilationHeight
                            let rowInside = ih >= 0 && ih < height
                            body(o, (plane &+ ih) &* width &- paddingWidth &+ kw &* dilationWidth, rowInside ? columns : 0..<0)
                            o = o &+ outWidth
                        }
                    }
                }
            }
        }
    }

    /// Threads get whole images, enough of them to be worth a thread.
    var imageGrain: Int { Swift.max(1, parallelGrain / Swift.max(patch &* outHeight &* outWidth, 1)) }
}

/// im2col: the input under each window position, as the columns of one `[patch, outH · outW]`
/// matrix per image (`out` is `[batch, channels · kH · kW, outH · outW]`), zeros in the padding.
/// Row `(c, kh, kw)` of an image's matrix reads input rows with a fixed step, contiguous for
/// stride 1. Split across threads by image: each thread writes its own matrices.
func imageToColumnsKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ g: Windows, _ out: UnsafeMutableBufferPointer<S>) {
    let stride = g.strideWidth
    if stride == 1 && g.strideHeight == 1 && g.dilationWidth == 1 && g.outWidth == g.width {
        return sameWidthImageToColumns(image, g, out)
    }
    forEachChunk(g.batch, grain: g.imageGrain,
                 job: ImageToColumnsJob(image: image, g: g, out: out, stride: stride))
}

private struct ImageToColumnsJob<S: TensorScalar>: ParallelJob {
    let image: UnsafeBufferPointer<S>, g: Windows, out: UnsafeMutableBufferPointer<S>, stride: Int

    func run(_ images: Range<Int>) {
        g.forEachOutputRow(in: images) { o, base, inside in
            for ow in 0..<inside.lowerBound { out[o &+ ow] = 0 }
            if stride == 1 {
                for ow in inside { out[o &+ ow] = image[base &+ ow] }
            } else {
                for ow in inside { out[o &+ ow] = image[base &+ ow &* stride] }
            }
            for ow in inside.upperBound..<g.outWidth { out[o &+ ow] = 0 }
        }
    }
}

/// im2col for stride 1 with as many output columns as input columns (a "same" padding, such as
/// 3×3 windows with padding 1): a row `(c, kh, kw)` of an image's matrix is then one contiguous
/// run of the input plane, shifted, so it is one copy, after which the taps that fall in the
/// padding (the run's wrap-around between input rows, and the rows outside the image) are zeroed.
private func sameWidthImageToColumns<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ g: Windows,
                                                      _ out: UnsafeMutableBufferPointer<S>) {
    let (width, positions) = (g.width, g.outHeight &* g.outWidth)
    guard let source = image.baseAddress, let target = out.baseAddress, positions > 0 else { return }
    forEachChunk(g.batch, grain: g.imageGrain,
                 job: SameWidthImageToColumnsJob(g: g, width: width, positions: positions, source: source, target: target))
}

private struct SameWidthImageToColumnsJob<S: TensorScalar>: ParallelJob {
    let g: Windows, width: Int, positions: Int, source: UnsafePointer<S>, target: UnsafeMutablePointer<S>

    func run(_ images: Range<Int>) {
        var row = target + images.lowerBound &* g.patch &* positions
        for n in images {
            for c in 0..<g.channels {
                let plane = source + (n &* g.channels &+ c) &* g.height &* width
                for kh in 0..<g.kernelHeight {
                    // Output row oh reads input row oh + shift; rows low..<high lie inside the image.
                    let (shift, rows) = g.insideOutputRows(kernelRow: kh)
                    let (low, high) = (rows.lowerBound, rows.upperBound)
                    for kw in 0..<g.kernelWidth {
                        let inside = g.insideOutputColumns(kernelColumn: kw)
                        if low < high && !inside.isEmpty {
                            // Output (oh, ow) reads input element (oh + shift) · width + ow + kw − padding.
                            let first = low &* width &+ inside.lowerBound, last = (high &- 1) &* width &+ inside.upperBound
                            (row + first).update(from: plane + (shift &* width &+ kw &- g.paddingWidth &+ first), count: last &- first)
                            row.update(repeating: 0, count: first)
                            for oh in low..<high {
                                let start = row + oh &* width
                                (start + inside.upperBound).update(repeating: 0, count: width &- inside.upperBound)
                                (start + width).update(repeating: 0, count: oh &+ 1 < high ? inside.lowerBound : 0)
                            }
                            (row + last).update(repeating: 0, count: positions &- last)
                        } else {
                            row.update(repeating: 0, count: positions)
                        }
                        row += positions
                    }
                }
            }
        }
    }
}

/// col2im, the adjoint of im2col: adds each column-matrix element back onto its image position.
/// Split across threads by image: windows of one image only touch that image.
func columnsToImageKernel<S: TensorScalar>(_ columns: UnsafeBufferPointer<S>, _ g: Windows, _ out: UnsafeMutableBufferPointer<S>) {
    let imageSize = g.channels &* g.height &* g.width, stride = g.strideWidth
    if stride == 1 && g.strideHeight == 1 && g.dilationWidth == 1 && g.outWidth == g.width {
        return sameWidthColumnsToImage(columns, g, out)
    }
    forEachChunk(g.batch, grain: g.imageGrain,
                 job: ColumnsToImageJob(columns: columns, g: g, out: out, imageSize: imageSize, stride: stride))
}

private struct ColumnsToImageJob<S: TensorScalar>: ParallelJob {
    let columns: UnsafeBufferPointer<S>, g: Windows, out: UnsafeMutableBufferPointer<S>, imageSize: Int, stride: Int

    func run(_ images: Range<Int>) {
        for i in (images.lowerBound &* imageSize)..<(images.upperBound &* imageSize) { out[i] = 0 }
        g.forEachOutputRow(in: images) { o, base, inside in
            if stride == 1 {
                for ow in inside { out[base &+ ow] += columns[o &+ ow] }
            } else {
                for ow in inside { out[base &+ ow &* stride] += columns[o &+ ow] }
            }
        }
    }
}

/// Max pooling with one-channel windows over `[batch · channels]` planes, without padding: the
/// maxima, and the flat input position of each (the first, on ties; NaN propagates), for the VJP.
/// Split across threads by plane.
func maxPoolKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ g: Windows, _ out: UnsafeMutableBufferPointer<S>,
                                    _ positions: UnsafeMutableBufferPointer<Int>) {
    precondition(g.paddingHeight == 0 && g.paddingWidth == 0 && g.dilationHeight == 1 && g.dilationWidth == 1
                 && g.strideHeight == g.strideWidth, "maxPoolKernel: pooling windows have one stride, no padding or dilation")
    let perPlane = Swift.max(g.outHeight &* g.outWidth &* g.kernelHeight &* g.kernelWidth, 1)
    let (width, kernelHeight, kernelWidth, stride) = (g.width, g.kernelHeight, g.kernelWidth, g.strideWidth)
    let twoByTwo = kernelHeight == 2 && kernelWidth == 2
    forEachChunk(g.batch &* g.channels, grain: Swift.max(1, parallelGrain / perPlane),
                 job: MaxPoolJob(image: image, g: g, out: out, positions: positions, width: width, kernelHeight: kernelHeight,
                                   kernelWidth: kernelWidth, stride: stride, twoByTwo: twoByTwo))
}

private struct MaxPoolJob<S: TensorScalar>: ParallelJob {
    let image: UnsafeBufferPointer<S>, g: Windows, out: UnsafeMutableBufferPointer<S>, positions: UnsafeMutableBufferPointer<Int>
    let width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, twoByTwo: Bool

    func run(_ planes: Range<Int>) {
        for plane in planes {
            let planeStart = plane &* g.height &* width
            for oh in 0..<g.outHeight {
                let rowStart = planeStart &+ oh &* stride &* width
                let outRow = (plane &* g.outHeight &+ oh) &* g.outWidth
                for ow in 0..<g.outWidth {
                    let corner = rowStart &+ ow &* stride
                    if twoByTwo {
                        // The common 2×2 window, unrolled, in the general loop's order (row by row).
                        let below = corner &+ width
                        let (a, b, c, d) = (image[corner], image[corner &+ 1], image[below], image[below &+ 1])
                        let sum = (a + b) + (c + d)
                        if sum == sum {   // no NaN (a NaN, or +∞ and −∞, take the general loop)
                            // Selects, as below: the first maximum on ties.
                            var position = b > a ? corner &+ 1 : corner, best = b > a ? b : a
                            position = c > best ? below : position
                            best = c > best ? c : best
                            position = d > best ? below &+ 1 : position
                            best = d > best ? d : best
                            out[outRow &+ ow] = best
                            positions[outRow &+ ow] = position
                            continue
                        }
                    }
                    var position = corner, best = image[corner], firstNaN = -1
                    for kh in 0..<kernelHeight {
                        let kernelRow = corner &+ kh &* width
                        for kw in 0..<kernelWidth {
                            // Selects, not branches: random data defeats a branch predictor.
                            let i = kernelRow &+ kw, value = image[i]
                            position = value > best ? i : position
                            best = value > best ? value : best
                            firstNaN = value != value && firstNaN < 0 ? i : firstNaN
                        }
                    }
                    if firstNaN >= 0 { (best, position) = (image[firstNaN], firstNaN) }   // NaN propagates
                    out[outRow &+ ow] = best
                    positions[outRow &+ ow] = position
                }
            }
        }
    }
}

/// col2im for the windows of `sameWidthImageToColumns`: each row of a column matrix adds onto
/// shifted input rows, in the general kernel's order, so the sums are the same.
private func sameWidthColumnsToImage<S: TensorScalar>(_ columns: UnsafeBufferPointer<S>, _ g: Windows,
                                                      _ out: UnsafeMutableBufferPointer<S>) {
    let (width, positions, imageSize) = (g.width, g.outHeight &* g.outWidth, g.channels &* g.height &* g.width)
    guard let source = columns.baseAddress, let target = out.baseAddress else { return }
    forEachChunk(g.batch, grain: g.imageGrain,
                 job: SameWidthColumnsToImageJob(g: g, width: width, positions: positions, imageSize: imageSize,
                                                 source: source, target: target))
}

private struct SameWidthColumnsToImageJob<S: TensorScalar>: ParallelJob {
    let g: Windows, width: Int, positions: Int, imageSize: Int, source: UnsafePointer<S>, target: UnsafeMutablePointer<S>

    func run(_ images: Range<Int>) {
        (target + images.lowerBound &* imageSize).update(repeating: 0, count: images.count &* imageSize)
        var row = source + images.lowerBound &* g.patch &* positions
        for n in images {
            for c in 0..<g.channels {
                let plane = target + (n &* g.channels &+ c) &* g.height &* width
                for kh in 0..<g.kernelHeight {
                    let (shift, rows) = g.insideOutputRows(kernelRow: kh)
                    let (low, high) = (rows.lowerBound, rows.upperBound)
                    for kw in 0..<g.kernelWidth {
                        let inside = g.insideOutputColumns(kernelColumn: kw), offset = kw &- g.paddingWidth
                        for oh in low..<high {
                            let (from, to) = (row + oh &* width, plane + ((oh &+ shift) &* width &+ offset))
                            for ow in inside { to[ow] += from[ow] }
                        }
                        row += positions
                    }
                }
            }
        }
    }
}
