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

    /// Calls `body(row, column, source)` for every element of the column matrix
    /// `[batch · outH · outW, channels · kH · kW]`, `source` being the flat input position or -1 in the padding.
    @inline(__always)
    func forEachElement(_ body: (Int, Int, Int) -> Void) {
        for n in 0..<batch {
            for oh in 0..<outHeight {
                for ow in 0..<outWidth {
                    let row = (n * outHeight + oh) * outWidth + ow
                    var column = 0
                    for c in 0..<channels {
                        let plane = (n * channels + c) * height
                        for kh in 0..<kernelHeight {
                            let ih = oh * stride - padding + kh
                            let rowInside = ih >= 0 && ih < height
                            for kw in 0..<kernelWidth {
                                let iw = ow * stride - padding + kw
                                body(row, column, rowInside && iw >= 0 && iw < width ? (plane + ih) * width + iw : -1)
                                column += 1
                            }
                        }
                    }
                }
            }
        }
    }
}

/// im2col: each window of the image becomes one row of `out`, zeros in the padding.
func imageToColumnsKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>) {
    let g = WindowGeometry(geometry)
    let patch = g.patch
    g.forEachElement { row, column, source in out[row * patch + column] = source < 0 ? 0 : image[source] }
}

/// col2im, the adjoint of im2col: adds each column-matrix element back onto its image position.
func columnsToImageKernel<S: TensorScalar>(_ columns: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>) {
    let g = WindowGeometry(geometry)
    let patch = g.patch
    for i in 0..<out.count { out[i] = 0 }
    g.forEachElement { row, column, source in if source >= 0 { out[source] += columns[row * patch + column] } }
}

/// Max pooling with one-channel windows over `[batch · channels]` planes: the maxima, and the flat
/// input position of each (the first, on ties), for the VJP.
func maxPoolKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>,
                                    _ positions: UnsafeMutableBufferPointer<Int>) {
    let g = WindowGeometry(geometry)
    for plane in 0..<(g.batch * g.channels) {
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
