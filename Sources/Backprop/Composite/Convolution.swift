// Convolution, transposed convolution and average pooling, composed from im2col
// and col2im (primitives, each the other's VJP) and a matrix product or a mean:
// all VJPs, and higher-order ones, come from the sweep.

/// A 2-d convolution (cross-correlation, as in PyTorch), with one stride, padding and dilation
/// for both axes.
///
/// The same as the per-axis `conv2d` with `(stride, stride)`, `(padding, padding)` and
/// `(dilation, dilation)`.
@specialized(where S == Float)
@specialized(where S == Double)
public func conv2d<S: TensorScalar>(_ input: Variable<S>, _ filter: Variable<S>, stride: Int = 1, padding: Int = 0,
                                    dilation: Int = 1, groups: Int = 1) -> Variable<S> {
    conv2d(input, filter, stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation), groups: groups)
}

/// A 2-d convolution (cross-correlation, as in PyTorch's `F.conv2d`), with per-axis sizes
/// `(height, width)`.
///
/// `y[n, o, i, j] = Σ_{c in o's group, a, b} filter[o, c, a, b] · x[n, c, i·sH − pH + a·dH, j·sW − pW + b·dW]`,
/// zeros outside the image. With `groups` groups, each `outputChannels / groups` outputs see only
/// their `inputChannels / groups` inputs (`groups == inputChannels`: a depthwise convolution).
///
/// - Parameters:
///   - input: `[batch, inputChannels, height, width]` (NCHW).
///   - filter: `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`.
///   - stride: the step between windows.
///   - padding: zeros added before and after each axis.
///   - dilation: the step between a window's taps.
///   - groups: the number of channel groups convolved separately; divides both channel counts.
/// - Returns: `[batch, outputChannels, outHeight, outWidth]`, where
///   `outHeight = (height + 2·pH − dH·(kernelHeight − 1) − 1) / sH + 1`.
///
/// Stops with a message naming the shapes if they do not fit together.
@_disfavoredOverload
@specialized(where S == Float)
@specialized(where S == Double)
public func conv2d<S: TensorScalar>(_ input: Variable<S>, _ filter: Variable<S>, stride: (Int, Int) = (1, 1),
                                    padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                                    groups: Int = 1) -> Variable<S> {
    let windows = checked { () throws(ShapeError) in
        let windows = try Windows(input: input.shape, filter: filter.shape, stride: stride, padding: padding,
                                  dilation: dilation, groups: groups)
        guard filter.shape[0] % groups == 0 else {
            throw ShapeError("conv2d", "filter \(describe(filter.shape)): \(filter.shape[0]) output channels are not \(groups) groups")
        }
        return windows
    }
    let (batch, outChannels, positions) = (windows.batch, filter.shape[0], windows.outHeight * windows.outWidth)
    let columns = input.imageToColumns(windows)                     // [batch, patch, outH · outW]
    let output: Variable<S>
    if groups == 1 {
        // Per image n: [outChannels, patch] · columns_n. The product comes out in NCHW order,
        // with no permutation to undo.
        let filters = filter.reshaped([1, outChannels, windows.patch]).broadcast(to: [batch, outChannels, windows.patch])
        output = matmul(filters, transposed: false, columns, transposed: false)
    } else {
        // A patch's rows run channel-major, so each group's rows are contiguous: per image and
        // group g, [outChannels / groups, patch / groups] · [patch / groups, outH · outW].
        let (groupOutputs, groupPatch) = (outChannels / groups, windows.patch / groups)
        let filters = filter.reshaped([1, groups, groupOutputs, groupPatch])
            .broadcast(to: [batch, groups, groupOutputs, groupPatch]).reshaped([batch * groups, groupOutputs, groupPatch])
        output = matmul(filters, transposed: false, columns.reshaped([batch * groups, groupPatch, positions]), transposed: false)
    }
    return output.reshaped([batch, outChannels, windows.outHeight, windows.outWidth])
}

/// A 2-d transposed convolution (PyTorch's `F.conv_transpose2d`), with one size for both axes.
///
/// The same as the per-axis `convTranspose2d` with each size used for height and width.
@specialized(where S == Float)
@specialized(where S == Double)
public func convTranspose2d<S: TensorScalar>(_ input: Variable<S>, _ filter: Variable<S>, stride: Int = 1, padding: Int = 0,
                                             outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) -> Variable<S> {
    convTranspose2d(input, filter, stride: (stride, stride), padding: (padding, padding),
                    outputPadding: (outputPadding, outputPadding), dilation: (dilation, dilation), groups: groups)
}

/// A 2-d transposed convolution (PyTorch's `F.conv_transpose2d`): the adjoint of `conv2d` with the
/// same sizes, each input pixel spreading `filter`'s window onto the output.
///
/// Computed as col2im of `filterᵀ · input`, per group, with no zeros inserted.
///
/// - Parameters:
///   - input: `[batch, inputChannels, height, width]` (NCHW).
///   - filter: `[inputChannels, outputChannels / groups, kernelHeight, kernelWidth]`, PyTorch's layout.
///   - stride, padding, dilation: the sizes of the convolution this one transposes, `(height, width)`.
///   - outputPadding: rows and columns added after the output, to pick among the output sizes
///     that a strided convolution maps to the same input size; smaller than the stride or the dilation.
///   - groups: the number of channel groups; divides `inputChannels`.
/// - Returns: `[batch, outputChannels, outHeight, outWidth]`, where
///   `outHeight = (height − 1)·sH − 2·pH + dH·(kernelHeight − 1) + outputPaddingH + 1`.
///
/// Stops with a message naming the shapes if they do not fit together.
@_disfavoredOverload
@specialized(where S == Float)
@specialized(where S == Double)
public func convTranspose2d<S: TensorScalar>(_ input: Variable<S>, _ filter: Variable<S>, stride: (Int, Int) = (1, 1),
                                             padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                                             dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Variable<S> {
    let windows = checked { () throws(ShapeError) in
        let op = "convTranspose2d"
        var shown: String { "input \(describe(input.shape)), filter \(describe(filter.shape))" }
        guard input.shape.count == 4, filter.shape.count == 4 else {
            throw ShapeError(op, "\(shown): both must be 4-d (NCHW input, [in, out / groups, kH, kW] filter)")
        }
        guard groups > 0, input.shape[1] == filter.shape[0], filter.shape[0] % groups == 0 else {
            throw ShapeError(op, "\(shown): the input's \(input.shape[1]) channels must be the filter's first axis, "
                             + "in \(groups) groups")
        }
        let allowed = [stride.0 > 0, stride.1 > 0, dilation.0 > 0, dilation.1 > 0, outputPadding.0 >= 0, outputPadding.1 >= 0,
                       outputPadding.0 < max(stride.0, dilation.0), outputPadding.1 < max(stride.1, dilation.1)]
        guard !allowed.contains(false) else {
            throw ShapeError(op, "stride \(stride) and dilation \(dilation) must be positive, and outputPadding "
                             + "\(outputPadding) not negative and smaller than the stride or the dilation")
        }
        let (height, width) = (input.shape[2], input.shape[3])
        let outHeight = (height - 1) * stride.0 - 2 * padding.0 + dilation.0 * (filter.shape[2] - 1) + outputPadding.0 + 1
        let outWidth = (width - 1) * stride.1 - 2 * padding.1 + dilation.1 * (filter.shape[3] - 1) + outputPadding.1 + 1
        guard outHeight > 0, outWidth > 0 else {
            throw ShapeError(op, "\(shown): padding \(padding) leaves a \(outHeight)×\(outWidth) output")
        }
        // The windows of the convolution that this one transposes, over the output image.
        return try Windows(input: [input.shape[0], filter.shape[1] * groups, outHeight, outWidth],
                           filter: [input.shape[1], filter.shape[1], filter.shape[2], filter.shape[3]],
                           stride: stride, padding: padding, dilation: dilation, groups: groups,
                           outputSize: (height, width), op: op)
    }
    let (batch, inputChannels, positions) = (windows.batch, input.shape[1], windows.outHeight * windows.outWidth)
    let (groupInputs, groupPatch) = (inputChannels / groups, windows.patch / groups)
    // Per image and group: [groupPatch, groupInputs] · [groupInputs, H · W] = that group's columns.
    let filters = filter.reshaped([1, groups, groupInputs, groupPatch])
        .broadcast(to: [batch, groups, groupInputs, groupPatch]).reshaped([batch * groups, groupInputs, groupPatch])
    let columns = matmul(filters, transposed: true, input.reshaped([batch * groups, groupInputs, positions]), transposed: false)
    return columns.reshaped(windows.columnsShape).columnsToImage(windows)
}

/// 2-d average pooling over `size × size` windows of an NCHW input, as PyTorch's `F.avg_pool2d`.
///
/// `stride` defaults to `size`. `padding` zeros are added on every side and counted in each
/// window's mean (PyTorch's `count_include_pad=True`); at most half the window size.
@specialized(where S == Float)
@specialized(where S == Double)
public func avgPool2d<S: TensorScalar>(_ input: Variable<S>, size: Int, stride: Int? = nil, padding: Int = 0) -> Variable<S> {
    let windows = Windows.pooling(input.shape, size: size, stride: stride ?? size, padding: padding, op: "avgPool2d")
    return input.reshaped(windows.inputShape).imageToColumns(windows).mean(axis: 1)
        .reshaped([input.shape[0], input.shape[1], windows.outHeight, windows.outWidth])
}
