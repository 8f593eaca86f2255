// Convolution and average pooling, composed from im2col (a primitive whose
// VJP is col2im) and a matrix product or a mean: both VJPs, and higher-order
// ones, come from the sweep.

/// A 2-d convolution (cross-correlation, as in PyTorch).
///
/// - Parameters:
///   - input: `[batch, inChannels, height, width]` (NCHW).
///   - filter: `[outChannels, inChannels, kernelHeight, kernelWidth]`.
///   - stride: the step between windows, in both directions.
///   - padding: zeros added on every side.
/// - Returns: `[batch, outChannels, outHeight, outWidth]`, where
///   `outHeight = (height + 2·padding − kernelHeight) / stride + 1`.
@specialized(where S == Float)
@specialized(where S == Double)
public func conv2d<S: TensorScalar>(_ input: Variable<S>, _ filter: Variable<S>, stride: Int = 1, padding: Int = 0) -> Variable<S> {
    let windows = checked { () throws(ShapeError) in
        try Windows(input: input.shape, filter: filter.shape, stride: stride, padding: padding)
    }
    // Per image n: [outChannels, patch] · columns_n, where columns_n is [patch, outH · outW].
    // The product comes out in NCHW order, with no permutation to undo.
    let (batch, outChannels) = (windows.batch, filter.shape[0])
    let filters = filter.reshaped([1, outChannels, windows.patch]).broadcast(to: [batch, outChannels, windows.patch])
    return matmul(filters, transposed: false, input.imageToColumns(windows), transposed: false)
        .reshaped([batch, outChannels, windows.outHeight, windows.outWidth])
}

/// 2-d average pooling over `size × size` windows of an NCHW input, `stride` defaulting to `size`.
@specialized(where S == Float)
@specialized(where S == Double)
public func avgPool2d<S: TensorScalar>(_ input: Variable<S>, size: Int, stride: Int? = nil) -> Variable<S> {
    let windows = Windows.pooling(input.shape, size: size, stride: stride ?? size, op: "avgPool2d")
    return input.reshaped(windows.inputShape).imageToColumns(windows).mean(axis: 1)
        .reshaped([input.shape[0], input.shape[1], windows.outHeight, windows.outWidth])
}

/// The geometry of sliding windows over an NCHW input.
struct Windows {
    let batch, channels, height, width, kernelHeight, kernelWidth, stride, padding, outHeight, outWidth: Int
    /// The shape of im2col's result: one `[patch, outH · outW]` matrix per image.
    var columnsShape: [Int] { [batch, patch, outHeight * outWidth] }
    var patch: Int { channels * kernelHeight * kernelWidth }
    var inputShape: [Int] { [batch, channels, height, width] }
    /// The sizes, in the order the window kernels read them.
    var kernelGeometry: [Int] { [batch, channels, height, width, kernelHeight, kernelWidth, stride, padding, outHeight, outWidth] }

    init(input: [Int], filter: [Int], stride: Int, padding: Int, op: String = "conv2d") throws(ShapeError) {
        var shown: String { "input \(describe(input)), filter \(describe(filter))" }   // for messages only
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

    /// Pooling windows: each channel of an NCHW input pooled alone, as one-channel images.
    static func pooling(_ shape: [Int], size: Int, stride: Int, op: String) -> Windows {
        checked { () throws(ShapeError) in
            guard shape.count == 4 else {
                throw ShapeError(op, "input \(describe(shape)) is not 4-d [batch, channels, height, width]")
            }
            return try Windows(input: [shape[0] * shape[1], 1, shape[2], shape[3]], filter: [1, 1, size, size],
                               stride: stride, padding: 0, op: op)
        }
    }
}
