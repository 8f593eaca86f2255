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

extension WindowGeometry {
    /// The kernel columns `kw` whose input column `iw0 + kw` lies inside the image.
    @inline(__always)
    func insideColumns(from iw0: Int) -> Range<Int> {
        let low = Swift.max(0, -iw0), high = Swift.min(kernelWidth, width &- iw0)
        return low < high ? low..<high : 0..<0
    }

    /// Calls `body(o, base, inside)` for every kernel row of every window in `images`: `o` is where
    /// the row's `kernelWidth` values start in the column matrix, and, when the row lies inside the
    /// image, `base + kw` is the input position of column `kw` for `kw` in `inside` (else `inside` is empty).
    @inline(__always)
    func forEachKernelRow(in images: Range<Int>, _ body: (Int, Int, Range<Int>) -> Void) {
        forEachRow(in: images) { row, n, oh, ow in
            var o = row &* patch
            let iw0 = ow &* stride &- padding
            let columns = insideColumns(from: iw0)
            for c in 0..<channels {
                let plane = (n &* channels &+ c) &* height
                for kh in 0..<kernelHeight {
                    let ih = oh &* stride &- padding &+ kh
                    let rowInside = ih >= 0 && ih < height
                    body(o, (plane &+ ih) &* width &+ iw0, rowInside ? columns : 0..<0)
                    o = o &+ kernelWidth
                }
            }
        }
    }

    /// Threads get whole images, enough of them to be worth a thread.
    var imageGrain: Int { Swift.max(1, parallelGrain / Swift.max(patch &* outHeight &* outWidth, 1)) }
}

/// im2col: each window of the image becomes one row of `out`, zeros in the padding.
/// Split across threads by image: each thread writes its own rows.
func imageToColumnsKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>) {
    let g = WindowGeometry(geometry)
    forEachChunk(g.batch, grain: g.imageGrain) { images in
        g.forEachKernelRow(in: images) { o, base, inside in
            for kw in 0..<inside.lowerBound { out[o &+ kw] = 0 }
            for kw in inside { out[o &+ kw] = image[base &+ kw] }
            for kw in inside.upperBound..<g.kernelWidth { out[o &+ kw] = 0 }
        }
    }
}

/// col2im, the adjoint of im2col: adds each column-matrix element back onto its image position.
/// Split across threads by image: windows of one image only touch that image.
func columnsToImageKernel<S: TensorScalar>(_ columns: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>) {
    let g = WindowGeometry(geometry)
    let imageSize = g.channels &* g.height &* g.width
    forEachChunk(g.batch, grain: g.imageGrain) { images in
        for i in (images.lowerBound &* imageSize)..<(images.upperBound &* imageSize) { out[i] = 0 }
        g.forEachKernelRow(in: images) { o, base, inside in
            for kw in inside { out[base &+ kw] += columns[o &+ kw] }
        }
    }
}

/// Max pooling with one-channel windows over `[batch · channels]` planes, without padding: the
/// maxima, and the flat input position of each (the first, on ties; NaN propagates), for the VJP.
/// Split across threads by plane.
func maxPoolKernel<S: TensorScalar>(_ image: UnsafeBufferPointer<S>, _ geometry: [Int], _ out: UnsafeMutableBufferPointer<S>,
                                    _ positions: UnsafeMutableBufferPointer<Int>) {
    let g = WindowGeometry(geometry)
    precondition(g.padding == 0, "maxPoolKernel: pooling windows have no padding")
    let perPlane = Swift.max(g.outHeight &* g.outWidth &* g.kernelHeight &* g.kernelWidth, 1)
    let (width, kernelHeight, kernelWidth, stride) = (g.width, g.kernelHeight, g.kernelWidth, g.stride)
    forEachChunk(g.batch &* g.channels, grain: Swift.max(1, parallelGrain / perPlane)) { planes in
        for plane in planes {
            let planeStart = plane &* g.height &* width
            for oh in 0..<g.outHeight {
                let rowStart = planeStart &+ oh &* stride &* width
                let outRow = (plane &* g.outHeight &+ oh) &* g.outWidth
                for ow in 0..<g.outWidth {
                    let corner = rowStart &+ ow &* stride
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
