// Sliding-window primitives over NCHW tensors: im2col and its adjoint col2im
// (each the other's VJP), and max pooling, whose VJP scatters the gradient to
// the positions of the maxima; and `Windows`, the geometry they share.

extension Variable {
    /// im2col: every window of an NCHW input as one column, `[batch, channels · kH · kW, outH · outW]`.
    func imageToColumns(_ windows: Windows) -> Variable {
        Variable(value.imageToColumns(windows), recordedAs: "im2col", inputs: [self], savesValues: false) { g, _ in [g.columnsToImage(windows)] }
            .traced(windows, reusing: { $0[0].imageToColumns($2, reusing: $1) })
    }

    /// col2im: adds each column of a window matrix back onto the NCHW image it came from.
    func columnsToImage(_ windows: Windows) -> Variable {
        Variable(value.columnsToImage(windows), recordedAs: "col2im", inputs: [self], savesValues: false) { g, _ in [g.imageToColumns(windows)] }
            .traced(windows, reusing: { $0[0].columnsToImage($2, reusing: $1) })
    }
}

extension Tensor where Scalar: TensorScalar {
    func imageToColumns(_ windows: Windows, reusing output: ReusableOutput<Scalar>? = nil) -> Tensor {
        withBuffer { image in
            withUnsafePointer(to: windows) { windows in
                Tensor(shape: windows.pointee.columnsShape, reusing: output) { out in Scalar._run(.imageToColumns(image, windows, out)) }
            }
        }
    }

    func columnsToImage(_ windows: Windows, reusing output: ReusableOutput<Scalar>? = nil) -> Tensor {
        withBuffer { columns in
            withUnsafePointer(to: windows) { windows in
                Tensor(shape: windows.pointee.inputShape, reusing: output) { out in Scalar._run(.columnsToImage(columns, windows, out)) }
            }
        }
    }
}

/// 2-d max pooling over `size × size` windows of an NCHW input, as PyTorch's `F.max_pool2d`.
///
/// `stride` defaults to `size`. `padding` adds −∞ on every side (a window's maximum is never a
/// padding position); at most half the window size, as in PyTorch.
///
/// A primitive: one pass finds each window's maximum and where it is; the VJP
/// sends each gradient to that position (the first maximum, on ties), through
/// a scatter that is itself differentiable.
@specialized(where S == Float)
@specialized(where S == Double)
public func maxPool2d<S: TensorScalar>(_ input: Variable<S>, size: Int, stride: Int? = nil, padding: Int = 0) -> Variable<S> {
    guard padding == 0 else {
        // Validates the sizes before padding, so that messages name the caller's input.
        _ = Windows.pooling(input.shape, size: size, stride: stride ?? size, padding: padding, op: "maxPool2d")
        let padded = input.padded([(0, 0), (0, 0), (padding, padding), (padding, padding)], value: -S.infinity)
        return maxPool2d(padded, size: size, stride: stride)
    }
    let windows = Windows.pooling(input.shape, size: size, stride: stride ?? size, op: "maxPool2d")
    let (value, positions) = input.value.maxPooled(windows)
    let inputShape = input.shape
    return Variable(value, recordedAs: "maxPool2d", inputs: [input]) { g, output in
        // A replay finds the positions again from its own forward input.
        [g.scatterAdding(flatIndices: positions, shape: inputShape).retraced(reading: output.input(0)) { inputs, output in
            inputs[0].scatterAdding(flatIndices: inputs[1].maxPoolPositions(windows, keptIn: output), reusing: output)
        }]
    }.traced(windows, reusing: { $0[0].maxPooled($2, reusing: $1) })
}

extension Tensor where Scalar: TensorScalar {
    /// The maximum of each pooling window, and the flat position in `self` of each.
    func maxPooled(_ windows: Windows) -> (value: Tensor, positions: [Int]) {
        let outShape = [shape[0], shape[1], windows.outHeight, windows.outWidth]
        var value = Tensor(0)
        // The kernel writes every position, so the array starts uninitialized.
        let positions = [Int](unsafeUninitializedCapacity: outShape.reduce(1, *)) { positions, initialized in
            value = withBuffer { image in
                withUnsafePointer(to: windows) { windows in
                    Tensor(shape: outShape) { out in Scalar._run(.maxPool(image, windows, out, positions: positions)) }
                }
            }
            initialized = positions.count
        }
        return (value, positions)
    }

    /// The maxima of ``maxPooled(_:)`` alone, in a compiled replay: into the step's buffer, with
    /// the positions in the array it keeps.
    func maxPooled(_ windows: Windows, reusing output: ReusableOutput<Scalar>) -> Tensor {
        let count = output.count
        if output.positions.count != count { output.positions = Array(repeating: 0, count: count) }
        return output.positions.withUnsafeMutableBufferPointer { positions in
            withBuffer { image in
                withUnsafePointer(to: windows) { windows in
                    Tensor(shape: output.shape, reusing: output) { out in Scalar._run(.maxPool(image, windows, out, positions: positions)) }
                }
            }
        }
    }

    /// The positions of ``maxPooled(_:)`` alone, in a compiled replay's step that keeps them, and
    /// the maxima it does not need, in arrays of `output`.
    func maxPoolPositions(_ windows: Windows, keptIn output: ReusableOutput<Scalar>) -> [Int] {
        let count = shape[0] * shape[1] * windows.outHeight * windows.outWidth
        if output.positions.count != count {
            output.positions = Array(repeating: 0, count: count)
            output.discardedValues = Array(repeating: 0, count: count)
        }
        output.positions.withUnsafeMutableBufferPointer { positions in
            output.discardedValues.withUnsafeMutableBufferPointer { maxima in
                withBuffer { image in
                    withUnsafePointer(to: windows) { Scalar._run(.maxPool(image, $0, maxima, positions: positions)) }
                }
            }
        }
        return output.positions
    }
}

/// The geometry of sliding windows over an NCHW input: the sizes that convolution and pooling
/// share with their window kernels, each per axis (height, width). Library-internal.
///
/// Window position `(oh, ow)`, tap `(kh, kw)` reads input row `oh · strideHeight − paddingHeight +
/// kh · dilationHeight` and column `ow · strideWidth − paddingWidth + kw · dilationWidth`.
@_spi(Kernels) public struct Windows: Sendable {
    let batch, channels, height, width, kernelHeight, kernelWidth: Int
    let strideHeight, strideWidth, paddingHeight, paddingWidth, dilationHeight, dilationWidth: Int
    let outHeight, outWidth: Int
    /// The shape of im2col's result: one `[patch, outH · outW]` matrix per image.
    var columnsShape: [Int] { [batch, patch, outHeight * outWidth] }
    var patch: Int { channels * kernelHeight * kernelWidth }
    var inputShape: [Int] { [batch, channels, height, width] }

    /// Windows of a `filter` (`[out, in / groups, kH, kW]`) over `input`; `outputSize`, when given,
    /// replaces the window count that fits (for a transposed convolution, whose image may have
    /// rows that no window reaches).
    init(input: [Int], filter: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int) = (1, 1),
         groups: Int = 1, outputSize: (Int, Int)? = nil, op: String = "conv2d") throws(ShapeError) {
        var shown: String { "input \(describe(input)), filter \(describe(filter))" }   // for messages only
        guard input.count == 4, filter.count == 4 else {
            throw ShapeError(op, "\(shown): both must be 4-d (NCHW input, [out, in, kH, kW] filter)")
        }
        guard groups > 0, input[1] == filter[1] * groups else {
            throw ShapeError(op, groups == 1 ? "\(shown): input channels \(input[1]) and filter channels \(filter[1]) differ"
                             : "\(shown): input channels \(input[1]) are not \(groups) groups of the filter's \(filter[1])")
        }
        guard stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0, dilation.0 > 0, dilation.1 > 0 else {
            throw ShapeError(op, "stride \(stride) and dilation \(dilation) must be positive and padding \(padding) not negative")
        }
        (batch, channels, height, width) = (input[0], input[1], input[2], input[3])
        (kernelHeight, kernelWidth) = (filter[2], filter[3])
        (strideHeight, strideWidth, paddingHeight, paddingWidth) = (stride.0, stride.1, padding.0, padding.1)
        (dilationHeight, dilationWidth) = dilation
        let spanHeight = dilation.0 * (kernelHeight - 1) + 1, spanWidth = dilation.1 * (kernelWidth - 1) + 1
        let (paddedHeight, paddedWidth) = (height + 2 * padding.0, width + 2 * padding.1)
        guard kernelHeight > 0, kernelWidth > 0, paddedHeight >= spanHeight, paddedWidth >= spanWidth else {
            throw ShapeError(op, "\(shown): the \(kernelHeight)×\(kernelWidth) window"
                             + (dilation == (1, 1) ? "" : " dilated by \(dilation)")
                             + " does not fit the padded \(paddedHeight)×\(paddedWidth) image")
        }
        (outHeight, outWidth) = outputSize
            ?? ((paddedHeight - spanHeight) / stride.0 + 1, (paddedWidth - spanWidth) / stride.1 + 1)
    }

    /// Square windows with one stride and padding for both axes.
    init(input: [Int], filter: [Int], stride: Int, padding: Int, op: String = "conv2d") throws(ShapeError) {
        try self.init(input: input, filter: filter, stride: (stride, stride), padding: (padding, padding), op: op)
    }

    /// Pooling windows: each channel of an NCHW input pooled alone, as one-channel images.
    static func pooling(_ shape: [Int], size: Int, stride: Int, padding: Int = 0, op: String) -> Windows {
        checked { () throws(ShapeError) in
            guard shape.count == 4 else {
                throw ShapeError(op, "input \(describe(shape)) is not 4-d [batch, channels, height, width]")
            }
            guard size > 0 else { throw ShapeError(op, "window size \(size) is not positive") }
            guard 2 * padding <= size else { throw ShapeError(op, "padding \(padding) is more than half the window size \(size)") }
            return try Windows(input: [shape[0] * shape[1], 1, shape[2], shape[3]], filter: [1, 1, size, size],
                               stride: stride, padding: padding, op: op)
        }
    }
}
