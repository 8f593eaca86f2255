// Convolution and pooling, composed from a gather of sliding windows (im2col)
// and a matrix product or reduction. The gather's adjoint scatters gradients
// back to the input, so both VJPs, and higher-order ones, come for free.

/// A 2-d convolution (cross-correlation, as in PyTorch).
///
/// - Parameters:
///   - input: `[batch, inChannels, height, width]` (NCHW).
///   - filter: `[outChannels, inChannels, kernelHeight, kernelWidth]`.
///   - stride: the step between windows, in both directions.
///   - padding: zeros added on every side.
/// - Returns: `[batch, outChannels, outHeight, outWidth]`, where
///   `outHeight = (height + 2·padding − kernelHeight) / stride + 1`.
public func conv2d<S: TensorScalar>(_ input: Variable<S>, _ filter: Variable<S>, stride: Int = 1, padding: Int = 0) -> Variable<S> {
    let windows = checked { () throws(ShapeError) in
        try Windows(input: input.shape, filter: filter.shape, stride: stride, padding: padding)
    }
    // [batch · outH · outW, inChannels · kH · kW] · [outChannels, inChannels · kH · kW]ᵀ
    let columns = input.gathering(flatIndices: windows.imageToColumns(), shape: [windows.rows, windows.patch], name: "im2col")
    let flatFilter = filter.reshaped([filter.shape[0], windows.patch])
    let product = matmul(columns, transposed: false, flatFilter, transposed: true)
    return product.reshaped([windows.batch, windows.outHeight, windows.outWidth, filter.shape[0]]).permuted([0, 3, 1, 2])
}

/// 2-d max pooling over `size × size` windows of an NCHW input, `stride` defaulting to `size`.
public func maxPool2d<S: TensorScalar>(_ input: Variable<S>, size: Int, stride: Int? = nil) -> Variable<S> {
    pool(input, size: size, stride: stride ?? size, name: "maxPool2d").max(axis: -1)
}

/// 2-d average pooling over `size × size` windows of an NCHW input, `stride` defaulting to `size`.
public func avgPool2d<S: TensorScalar>(_ input: Variable<S>, size: Int, stride: Int? = nil) -> Variable<S> {
    pool(input, size: size, stride: stride ?? size, name: "avgPool2d").mean(axis: -1)
}

/// The pooling windows of each channel, `[batch, channels, outH, outW, size · size]`.
private func pool<S: TensorScalar>(_ input: Variable<S>, size: Int, stride: Int, name: String) -> Variable<S> {
    let windows = checked { () throws(ShapeError) in
        guard input.shape.count == 4 else {
            throw ShapeError(name, "input \(describe(input.shape)) is not 4-d [batch, channels, height, width]")
        }
        // Each channel is pooled alone: a one-channel filter over batch · channels images.
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        return try Windows(input: [n * c, 1, h, w], filter: [1, 1, size, size], stride: stride, padding: 0, op: name)
    }
    let (n, c) = (input.shape[0], input.shape[1])
    return input.gathering(flatIndices: windows.imageToColumns(),
                           shape: [n, c, windows.outHeight, windows.outWidth, size * size], name: name)
}

/// The geometry of sliding windows over an NCHW input.
struct Windows {
    let batch, channels, height, width, kernelHeight, kernelWidth, stride, padding, outHeight, outWidth: Int
    var rows: Int { batch * outHeight * outWidth }
    var patch: Int { channels * kernelHeight * kernelWidth }

    init(input: [Int], filter: [Int], stride: Int, padding: Int, op: String = "conv2d") throws(ShapeError) {
        let shown = "input \(describe(input)), filter \(describe(filter))"
        guard input.count == 4, filter.count == 4 else {
            throw ShapeError(op, "\(shown): both must be 4-d (NCHW input, [out, in, kH, kW] filter)")
        }
        guard input[1] == filter[1] else {
            throw ShapeError(op, "\(shown): input channels \(input[1]) and filter channels \(filter[1]) differ")
        }
        guard stride > 0, padding >= 0 else { throw ShapeError(op, "stride \(stride) must be positive and padding \(padding) not negative") }
        (batch, channels, height, width) = (input[0], input[1], input[2], input[3])
        (kernelHeight, kernelWidth, self.stride, self.padding) = (filter[2], filter[3], stride, padding)
        outHeight = (height + 2 * padding - kernelHeight) / stride + 1
        outWidth = (width + 2 * padding - kernelWidth) / stride + 1
        guard kernelHeight > 0, kernelWidth > 0, height + 2 * padding >= kernelHeight, width + 2 * padding >= kernelWidth else {
            throw ShapeError(op, "\(shown): the \(kernelHeight)×\(kernelWidth) window does not fit the padded "
                             + "\(height + 2 * padding)×\(width + 2 * padding) image")
        }
    }

    /// For each window (row) and each of its elements (column), the flat input position, or -1 in the padding.
    func imageToColumns() -> [Int] {
        var positions = [Int]()
        positions.reserveCapacity(rows * patch)
        for n in 0..<batch {
            for oh in 0..<outHeight {
                for ow in 0..<outWidth {
                    for c in 0..<channels {
                        for kh in 0..<kernelHeight {
                            let ih = oh * stride - padding + kh
                            for kw in 0..<kernelWidth {
                                let iw = ow * stride - padding + kw
                                let inside = ih >= 0 && ih < height && iw >= 0 && iw < width
                                positions.append(inside ? ((n * channels + c) * height + ih) * width + iw : -1)
                            }
                        }
                    }
                }
            }
        }
        return positions
    }
}
