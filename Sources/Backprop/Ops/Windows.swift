// Sliding-window primitives over NCHW tensors: im2col and its adjoint col2im
// (each the other's VJP), and max pooling, whose VJP scatters the gradient to
// the positions of the maxima.

extension Variable {
    /// im2col: every window of an NCHW input as one column, `[batch, channels · kH · kW, outH · outW]`.
    func imageToColumns(_ windows: Windows) -> Variable {
        Variable(value.imageToColumns(windows), recordedAs: "im2col", inputs: [self]) { g, _ in [g.columnsToImage(windows)] }
    }

    /// col2im: adds each column of a window matrix back onto the NCHW image it came from.
    func columnsToImage(_ windows: Windows) -> Variable {
        Variable(value.columnsToImage(windows), recordedAs: "col2im", inputs: [self]) { g, _ in [g.imageToColumns(windows)] }
    }
}

extension Tensor where Scalar: TensorScalar {
    func imageToColumns(_ windows: Windows) -> Tensor {
        withBuffer { image in
            Tensor(shape: windows.columnsShape) { out in Scalar._run(.imageToColumns(image, geometry: windows.kernelGeometry, out)) }
        }
    }

    func columnsToImage(_ windows: Windows) -> Tensor {
        withBuffer { columns in
            Tensor(shape: windows.inputShape) { out in Scalar._run(.columnsToImage(columns, geometry: windows.kernelGeometry, out)) }
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
            Tensor<S>(shape: outShape) { out in S._run(.maxPool(image, geometry: windows.kernelGeometry, out, positions: positions)) }
        }
    }
    let inputShape = input.shape
    return Variable(value, recordedAs: "maxPool2d", inputs: [input]) { g, _ in
        [g.scatterAdding(flatIndices: positions, shape: inputShape)]
    }
}
