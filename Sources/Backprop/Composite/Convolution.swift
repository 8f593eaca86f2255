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
