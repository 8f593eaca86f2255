// Sliding-window primitives over NCHW tensors: im2col and its adjoint col2im
// (each the other's VJP), and max pooling, whose VJP scatters the gradient to
// the positions of the maxima; and `Windows`, the geometry they share.

extension Variable {
    /// im2col: every window of an NCHW input as one column, `[batch, channels · kH · kW, outH · outW]`.
    func imageToColumns(_ windows: Windows) -> Variable {
        Variable(value.imageToColumns(windows), recordedAs: "im2col", inputs: [self], savesValues: false) { g, _ in [g.columnsToImage(windows)] }
    }

    /// col2im: adds each column of a window matrix back onto the NCHW image it came from.
    func columnsToImage(_ windows: Windows) -> Variable {
        Variable(value.columnsToImage(windows), recordedAs: "col2im", inputs: [self], savesValues: false) { g, _ in [g.imageToColumns(windows)] }
    }
}

extension Tensor where Scalar: TensorScalar {
    func imageToColumns(_ windows: Windows) -> Tensor {
        withBuffer { image in
            Tensor(shape: windows.columnsShape) { out in Scalar._run(.imageToColumns(image, windows, out)) }
        }
    }

    func columnsToImage(_ windows: Windows) -> Tensor {
        withBuffer { columns in
            Tensor(shape: windows.inputShape) { out in Scalar._run(.columnsToImage(columns, windows, out)) }
        }
    }
}

/// 2-d max pooling over `size × size` windows of an NCHW input, `stride` defaulting to `size`.
///
/// A primitive: one pass finds each window's maximum and where it is; the VJP
/// sends each gradient to that position (the first maximum, on ties), through
/// a scatter that is itself differentiable.
@specialized(where S == Float)
@specialized(where S == Double)
public func maxPool2d<S: TensorScalar>(_ input: Variable<S>, size: Int, stride: Int? = nil) -> Variable<S> {
    let windows = Windows.pooling(input.shape, size: size, stride: stride ?? size, op: "maxPool2d")
    let outShape = [input.shape[0], input.shape[1], windows.outHeight, windows.outWidth]
    var positions = [Int](repeating: 0, count: outShape.reduce(1, *))
    let value = input.value.withBuffer { image in
        positions.withUnsafeMutableBufferPointer { positions in
            Tensor<S>(shape: outShape) { out in S._run(.maxPool(image, windows, out, positions: positions)) }
        }
    }
    let inputShape = input.shape
    return Variable(value, recordedAs: "maxPool2d", inputs: [input]) { g, _ in
        [g.scatterAdding(flatIndices: positions, shape: inputShape)]
    }
}

/// The geometry of sliding windows over an NCHW input: the sizes that convolution and pooling
/// share with their window kernels. Library-internal.
@_spi(Kernels) public struct Windows: Sendable {
    let batch, channels, height, width, kernelHeight, kernelWidth, stride, padding, outHeight, outWidth: Int
    /// The shape of im2col's result: one `[patch, outH · outW]` matrix per image.
    var columnsShape: [Int] { [batch, patch, outHeight * outWidth] }
    var patch: Int { channels * kernelHeight * kernelWidth }
    var inputShape: [Int] { [batch, channels, height, width] }

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
            guard size > 0 else { throw ShapeError(op, "window size \(size) is not positive") }
            return try Windows(input: [shape[0] * shape[1], 1, shape[2], shape[3]], filter: [1, 1, size, size],
                               stride: stride, padding: 0, op: op)
        }
    }
}
