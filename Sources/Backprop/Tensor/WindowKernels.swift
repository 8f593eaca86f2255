// Sliding-window kernels for convolution and pooling over NCHW tensors: direct
// loops, with no index arrays. `geometry` is `Windows.kernelGeometry`.

/// The sizes a window kernel needs, unpacked from its geometry array.
struct WindowGeometry {
    let batch, channels, height, width, kernelHeight, kernelWidth, stride, padding, outHeight, outWidth: Int

    init(_ g: [Int]) {
        (batch, channels, height, width) = (g[0], g[1], g[2], g[3])
        (kernelHeight, kernelWidth, stride, padding, outHeight, outWidth) = (g[4], g[5], g[6], g[7], g[8], g[9])
    }

    var patch: Int { channels * kernelHeight * kernelWidth }

    /// Calls `body(row, n, oh, ow)` for the rows of the column matrix `[batch · outH · outW, patch]`
    /// in `images` (a range of batch indices).
    @inline(__always)
    func forEachRow(in images: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        for n in images {
            for oh in 0..<outHeight {
                for ow in 0..<outWidth { body((n * outHeight + oh) * outWidth + ow, n, oh, ow) }
            }
        }
    }
}

/// im2col: each window of the image becomes one row of `out`, zeros in the padding.
/// Split across threads by image: each thread writes its own rows.
func imageToColumnsKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>) {
    let g = WindowGeometry(geometry)
    forEachChunk(g.batch, grain: Swift.max(1, parallelGrain / Swift.max(g.patch * g.outHeight * g.outWidth, 1))) { images in
        g.forEachRow(in: images) { row, n, oh, ow in
            var o = row * g.patch
            for c in 0..<g.channels {
                let plane = (n * g.channels + c) * g.height
                for kh in 0..<g.kernelHeight {
                    let ih = oh * g.stride - g.padding + kh
                    let iw0 = ow * g.stride - g.padding
                    if ih < 0 || ih >= g.height {
                        for kw in 0..<g.kernelWidth { out[o + kw] = 0 }
                    } else {
                        let base = (plane + ih) * g.width
                        for kw in 0..<g.kernelWidth {
                            let iw = iw0 + kw
                            out[o + kw] = iw >= 0 && iw < g.width ? image[base + iw] : 0
                        }
                    }
                    o += g.kernelWidth
                }
            }
        }
    }
}

/// col2im, the adjoint of im2col: adds each column-matrix element back onto its image position.
/// Split across threads by image: windows of one image only touch that image.
func columnsToImageKernel<S: TensorScalar>(_ columns: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>) {
    let g = WindowGeometry(geometry)
    let imageSize = g.channels * g.height * g.width
    forEachChunk(g.batch, grain: Swift.max(1, parallelGrain / Swift.max(g.patch * g.outHeight * g.outWidth, 1))) { images in
        for i in (images.lowerBound * imageSize)..<(images.upperBound * imageSize) { out[i] = 0 }
        g.forEachRow(in: images) { row, n, oh, ow in
            var o = row * g.patch
            for c in 0..<g.channels {
                let plane = (n * g.channels + c) * g.height
                for kh in 0..<g.kernelHeight {
                    let ih = oh * g.stride - g.padding + kh
                    let iw0 = ow * g.stride - g.padding
                    if ih >= 0 && ih < g.height {
                        let base = (plane + ih) * g.width
                        for kw in 0..<g.kernelWidth {
                            let iw = iw0 + kw
                            if iw >= 0 && iw < g.width { out[base + iw] += columns[o + kw] }
                        }
                    }
                    o += g.kernelWidth
                }
            }
        }
    }
}

/// Max pooling with one-channel windows over `[batch · channels]` planes: the maxima, and the flat
/// input position of each (the first, on ties), for the VJP. Split across threads by plane.
func maxPoolKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>,
                                    _ positions: UnsafeMutableBufferPointer<Int>) {
    let g = WindowGeometry(geometry)
    let perPlane = Swift.max(g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth, 1)
    forEachChunk(g.batch * g.channels, grain: Swift.max(1, parallelGrain / perPlane)) { planes in
        for plane in planes {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    var best = -S.infinity, position = -1
                    for kh in 0..<g.kernelHeight {
                        let ih = oh * g.stride - g.padding + kh
                        guard ih >= 0 && ih < g.height else { continue }
                        for kw in 0..<g.kernelWidth {
                            let iw = ow * g.stride - g.padding + kw
                            guard iw >= 0 && iw < g.width else { continue }
                            let source = (plane * g.height + ih) * g.width + iw
                            let value = image[source]
                            // NaN propagates, as in PyTorch.
                            if position < 0 || value > best || (value.isNaN && !best.isNaN) { best = value; position = source }
                        }
                    }
                    let o = (plane * g.outHeight + oh) * g.outWidth + ow
                    out[o] = best
                    positions[o] = position
                }
            }
        }
    }
}
